"""C2SP signed-note, tlog-checkpoint and tlog-cosignature encodings, against published vectors."""

from __future__ import annotations

import base64

import pytest

from events.tlog import (
    Checkpoint,
    CheckpointError,
    Cosigner,
    NoteError,
    cosigned_message,
    generate_signer_key,
    key_id,
    open_note,
    parse_checkpoint,
    parse_cosigner_verifier_key,
    parse_note,
    parse_verifier_key,
    sign_note,
    signer_from_key,
    timestamp_of,
)

pytestmark = pytest.mark.unit

# golang.org/x/mod/sumdb/note's published example key and note.
VKEY = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
SKEY = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"
TEXT = ("If you think cryptography is the answer to your problem,\n"
        "then you don't know what your problem is.\n")
SIGNED = (TEXT + "\n\u2014 PeterNeumann "
          "x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n")


def test_key_id_is_sha256_of_name_newline_type_and_key() -> None:
    verifier = parse_verifier_key(VKEY)
    assert verifier.key_id == 0xC74F20A3 == key_id("PeterNeumann", 0x01, verifier.public_key)
    assert verifier.vkey() == VKEY


def test_signing_reproduces_the_published_note_byte_for_byte() -> None:
    assert sign_note(TEXT, [signer_from_key(SKEY)]) == SIGNED


def test_the_published_note_opens_and_a_changed_text_does_not() -> None:
    note, verified = open_note(SIGNED, [parse_verifier_key(VKEY)])
    assert note.text == TEXT and verified[0].key_id == 0xC74F20A3
    with pytest.raises(NoteError, match="does not verify"):
        open_note(SIGNED.replace("cryptography", "cryptographY"), [parse_verifier_key(VKEY)])


def test_a_note_signed_only_by_an_unknown_key_is_refused() -> None:
    """Same name, other key (so another key ID): its signature is ignored, so nothing is trusted."""
    impostor = signer_from_key(generate_signer_key("PeterNeumann"))
    with pytest.raises(NoteError, match="not signed by any trusted key"):
        open_note(sign_note(TEXT, [impostor]), [parse_verifier_key(VKEY)])


def test_unknown_signatures_beside_a_trusted_one_are_ignored() -> None:
    stranger = signer_from_key(generate_signer_key("stranger.example/k"))
    note = sign_note(TEXT, [stranger, signer_from_key(SKEY)])
    _, verified = open_note(note, [parse_verifier_key(VKEY)])
    assert [s.name for s in verified] == ["PeterNeumann"]


@pytest.mark.parametrize("bad", [
    "PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",  # wrong id
    "Peter Neumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",  # space in name
    "PeterNeumann+c74f20a3+AhpcQcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",  # wrong type / length
    "PeterNeumann+c74f20a3",
])
def test_mangled_verifier_keys_are_refused(bad: str) -> None:
    with pytest.raises(NoteError):
        parse_verifier_key(bad)


@pytest.mark.parametrize("bad", [
    TEXT,  # no signatures
    TEXT + "\n",  # blank line but no signature
    TEXT + "\n- PeterNeumann AAAA\n",  # hyphen, not em dash
    TEXT + "\n\u2014 PeterNeumann not*base64\n",
    TEXT.replace("\n", "\r\n", 1) + "\n\u2014 PeterNeumann AAAAAAAA\n",  # control character
    TEXT[:-1],  # no final newline
])
def test_malformed_notes_are_refused(bad: str) -> None:
    with pytest.raises(NoteError):
        parse_note(bad)


def test_checkpoint_text_round_trips_the_c2sp_example() -> None:
    text = "example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n"
    checkpoint = parse_checkpoint(text)
    assert (checkpoint.origin, checkpoint.size) == ("example.com/behind-the-sofa", 20852163)
    assert checkpoint.text() == text


@pytest.mark.parametrize("bad", [
    "o\n012\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n",  # leading zero
    "o\n12\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2\n",  # not 32 bytes
    "o\n12\n",
    "o\n\n12\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n",
])
def test_malformed_checkpoints_are_refused(bad: str) -> None:
    with pytest.raises(CheckpointError):
        parse_checkpoint(bad)


def test_the_c2sp_example_cosignature_states_its_time_in_the_signed_layout() -> None:
    """The spec's example line: key ID, then a big-endian u64 time equal to its message's `time`."""
    blob = base64.b64decode("jWbPPwAAAABkGFDLEZMHwSRaJNiIDoe9DYn/zXcrtPHeolMI5OWXEhZCB9dlrDJsX3b2oyin"
                            "1nPZqhf5nNo0xUe+mbIUBkBIfZ+qnA==")
    assert len(blob) == 4 + 8 + 64
    assert int.from_bytes(blob[4:12], "big") == 1679315147


def test_a_cosignature_signs_header_time_and_checkpoint_and_verifies() -> None:
    cosigner = Cosigner.from_key(Cosigner.generate("monitors.example/kz-75"))
    text = Checkpoint("casetrack/intake/test", 3, b"\x01" * 32).text()
    assert cosigned_message(text, 1679315147) == (
        b"cosignature/v1\ntime 1679315147\n" + text.encode())
    sig = cosigner.cosign(text, 1679315147)
    assert sig.key_id == key_id(cosigner.name, 0x04, cosigner.verifier().public_key)
    verifier = parse_cosigner_verifier_key(cosigner.verifier().vkey())
    assert verifier.verify(text.encode(), sig.signature)
    assert timestamp_of(sig) == 1679315147
    assert not verifier.verify(text.replace("\n3\n", "\n4\n").encode(), sig.signature)
    forged_time = (1679315148).to_bytes(8, "big") + sig.signature[8:]
    assert not verifier.verify(text.encode(), forged_time)
