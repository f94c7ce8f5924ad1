"""C2SP signed-note: notes, signature lines, key IDs, verifier and signer keys (Ed25519, 0x01).

A note is UTF-8 text ending in a newline, a blank line, then lines ``— <name> <base64(key ID ||
signature)>``. Key IDs are ``SHA-256(name || 0x0A || type || public key)[:4]``; verifier keys read
``<name>+<hex key ID>+<base64(type || public key)>``, signer keys ``PRIVATE+KEY+<name>+<hex key
ID>+<base64(type || seed)>`` (as golang.org/x/mod/sumdb/note writes them).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from dataclasses import dataclass
from typing import Protocol

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

ED25519_TYPE = 0x01
EM_DASH = "\u2014"
MAX_SIGNATURES = 100
_CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f]")
_SPACE = re.compile(r"\s", re.UNICODE)


class NoteError(ValueError):
    """A note, key or signature is malformed, unsigned by a trusted key, or does not verify."""


def key_id(name: str, sig_type: int, public_key: bytes) -> int:
    """SHA-256(name || 0x0A || type || public key)[:4] as a big-endian uint32."""
    digest = hashlib.sha256(name.encode() + b"\n" + bytes([sig_type]) + public_key).digest()
    return int.from_bytes(digest[:4], "big")


def check_key_name(name: str) -> None:
    """Key names are non-empty, with no Unicode space and no '+'."""
    if not name or "+" in name or _SPACE.search(name) or _CONTROL.search(name):
        raise NoteError(f"invalid key name {name!r}")


def b64decode(text: str) -> bytes:
    """Strict standard base64 (RFC 4648 §4)."""
    try:
        return base64.b64decode(text.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError) as exc:
        raise NoteError(f"invalid base64 {text[:40]!r}") from exc


def b64encode(data: bytes) -> str:
    """Standard base64 with padding."""
    return base64.b64encode(data).decode("ascii")


@dataclass(frozen=True)
class Signature:
    """One signature line: the key name, its key ID and the signature bytes after the ID."""

    name: str
    key_id: int
    signature: bytes

    def line(self) -> str:
        """``— <name> <base64(key ID || signature)>`` with its newline."""
        blob = self.key_id.to_bytes(4, "big") + self.signature
        return f"{EM_DASH} {self.name} {b64encode(blob)}\n"


@dataclass(frozen=True)
class Note:
    """A parsed note: its text (final newline included) and its signature lines."""

    text: str
    signatures: tuple[Signature, ...]

    def render(self) -> str:
        """The note as served: text, blank line, signature lines."""
        return self.text + "\n" + "".join(s.line() for s in self.signatures)


class NoteVerifier(Protocol):
    """A trusted key: checks a signature over a note's text."""

    @property
    def name(self) -> str: ...

    @property
    def key_id(self) -> int: ...

    def verify(self, text: bytes, signature: bytes) -> bool: ...


class NoteSigner(Protocol):
    """A private key that signs a note's text."""

    @property
    def name(self) -> str: ...

    @property
    def key_id(self) -> int: ...

    def sign(self, text: bytes) -> bytes: ...


def raw_public(key: Ed25519PublicKey) -> bytes:
    """The 32-byte RFC 8032 encoding of an Ed25519 public key."""
    return key.public_bytes(Encoding.Raw, PublicFormat.Raw)


@dataclass(frozen=True)
class Ed25519Verifier:
    """A signed-note Ed25519 (type 0x01) verifier key."""

    name: str
    key_id: int
    public_key: bytes

    def verify(self, text: bytes, signature: bytes) -> bool:
        """Whether ``signature`` is this key's Ed25519 signature over ``text``."""
        if len(signature) != 64:
            return False
        try:
            Ed25519PublicKey.from_public_bytes(self.public_key).verify(signature, text)
        except InvalidSignature:
            return False
        return True

    def vkey(self) -> str:
        """``<name>+<hex key ID>+<base64(0x01 || key)>``."""
        return format_vkey(self.name, self.key_id, ED25519_TYPE, self.public_key)


@dataclass(frozen=True)
class Ed25519Signer:
    """A signed-note Ed25519 signer: name, key ID and private key."""

    name: str
    key_id: int
    private_key: Ed25519PrivateKey

    def sign(self, text: bytes) -> bytes:
        """The Ed25519 signature over ``text``."""
        return self.private_key.sign(text)

    def verifier(self) -> Ed25519Verifier:
        """The public half."""
        return Ed25519Verifier(self.name, self.key_id, raw_public(self.private_key.public_key()))


def format_vkey(name: str, kid: int, sig_type: int, public_key: bytes) -> str:
    """A verifier key string for any signature type."""
    return f"{name}+{kid:08x}+{b64encode(bytes([sig_type]) + public_key)}"


def split_vkey(vkey: str) -> tuple[str, int, int, bytes]:
    """Parse ``<name>+<hex id>+<base64(type || key)>``; checks the ID; returns (name, id, type, key)."""
    parts = vkey.strip().split("+", 2)
    if len(parts) != 3:
        raise NoteError(f"malformed verifier key {vkey!r}")
    name, hex_id, blob = parts
    check_key_name(name)
    if not re.fullmatch(r"[0-9a-f]{8}", hex_id):
        raise NoteError(f"malformed key ID in {vkey!r}")
    key = b64decode(blob)
    if len(key) < 2:
        raise NoteError(f"verifier key {vkey!r} holds no key")
    kid = int(hex_id, 16)
    if key_id(name, key[0], key[1:]) != kid:
        raise NoteError(f"key ID of {vkey!r} does not match its name and key")
    return name, kid, key[0], key[1:]


def parse_verifier_key(vkey: str) -> Ed25519Verifier:
    """An Ed25519 (type 0x01) verifier from its verifier-key string."""
    name, kid, sig_type, key = split_vkey(vkey)
    if sig_type != ED25519_TYPE or len(key) != 32:
        raise NoteError(f"{vkey!r} is not an Ed25519 note key")
    return Ed25519Verifier(name, kid, key)


def parse_signer_key(skey: str, sig_type: int = ED25519_TYPE) -> tuple[str, int, Ed25519PrivateKey]:
    """``PRIVATE+KEY+<name>+<hex id>+<base64(type || seed)>`` -> (name, key ID, private key)."""
    parts = skey.strip().split("+", 4)
    if len(parts) != 5 or parts[:2] != ["PRIVATE", "KEY"]:
        raise NoteError("malformed signer key")
    name, hex_id, blob = parts[2:]
    check_key_name(name)
    raw = b64decode(blob)
    if len(raw) != 33 or raw[0] != sig_type or not re.fullmatch(r"[0-9a-f]{8}", hex_id):
        raise NoteError("signer key is not a 32-byte Ed25519 seed of the expected type")
    private = Ed25519PrivateKey.from_private_bytes(raw[1:])
    kid = key_id(name, sig_type, raw_public(private.public_key()))
    if kid != int(hex_id, 16):
        raise NoteError("signer key ID does not match its name and key")
    return name, kid, private


def signer_from_key(skey: str) -> Ed25519Signer:
    """An Ed25519 note signer from its signer-key string."""
    return Ed25519Signer(*parse_signer_key(skey))


def generate_signer_key(name: str, sig_type: int = ED25519_TYPE) -> str:
    """A fresh signer-key string for ``name``."""
    check_key_name(name)
    private = Ed25519PrivateKey.generate()
    seed = private.private_bytes_raw()
    kid = key_id(name, sig_type, raw_public(private.public_key()))
    return f"PRIVATE+KEY+{name}+{kid:08x}+{b64encode(bytes([sig_type]) + seed)}"


def _check_text(text: str) -> None:
    if not text.endswith("\n"):
        raise NoteError("note text must end in a newline")
    if _CONTROL.search(text):
        raise NoteError("note contains a control character")


def sign_note(text: str, signers: list[NoteSigner], existing: tuple[Signature, ...] = ()) -> str:
    """The signed note: ``text`` followed by its existing signatures and one per signer."""
    _check_text(text)
    sigs = list(existing)
    for signer in signers:
        check_key_name(signer.name)
        sigs.append(Signature(signer.name, signer.key_id, signer.sign(text.encode())))
    return Note(text, tuple(sigs)).render()


def parse_note(message: str) -> Note:
    """Split a signed note into its text and signature lines (verifies nothing)."""
    _check_text(message)
    cut = message.rfind("\n\n")
    if cut < 0:
        raise NoteError("no blank line separates the text from the signatures")
    text, block = message[: cut + 1], message[cut + 2 :]
    lines = block.split("\n")
    if lines[-1] != "" or len(lines) < 2:
        raise NoteError("no signature lines")
    signatures = []
    for line in lines[:-1]:
        if not line.startswith(EM_DASH + " "):
            raise NoteError(f"malformed signature line {line[:60]!r}")
        fields = line[2:].split(" ")
        if len(fields) != 2:
            raise NoteError(f"malformed signature line {line[:60]!r}")
        name, blob = fields
        check_key_name(name)
        raw = b64decode(blob)
        if len(raw) < 5:
            raise NoteError(f"signature of {name} is too short")
        signatures.append(Signature(name, int.from_bytes(raw[:4], "big"), raw[4:]))
    if len(signatures) > MAX_SIGNATURES:
        raise NoteError("too many signatures")
    return Note(text, tuple(signatures))


def open_note(message: str, verifiers: list[NoteVerifier]) -> tuple[Note, list[Signature]]:
    """Parse and verify: every signature from a known key must verify, and at least one must exist.

    Signatures from unknown keys (name and ID not both known) are ignored, as the spec requires.
    Returns the note and the signatures that verified.
    """
    note = parse_note(message)
    known = {(v.name, v.key_id): v for v in verifiers}
    verified: list[Signature] = []
    seen: set[tuple[str, int]] = set()
    for sig in note.signatures:
        verifier = known.get((sig.name, sig.key_id))
        if verifier is None:
            continue
        if not verifier.verify(note.text.encode(), sig.signature):
            raise NoteError(f"signature by {sig.name}+{sig.key_id:08x} does not verify")
        if (sig.name, sig.key_id) not in seen:
            seen.add((sig.name, sig.key_id))
            verified.append(sig)
    if not verified:
        raise NoteError("note is not signed by any trusted key")
    return note, verified
