"""C2SP tlog-cosignature v1 (Ed25519, signature type 0x04): a witness's timestamped cosignature.

Signed message: ``cosignature/v1\\ntime <POSIX seconds>\\n`` followed by the checkpoint's note
text; the signature line carries ``key ID || u64 big-endian timestamp || Ed25519 signature``.
"""

from __future__ import annotations

from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from events.tlog.note import (
    NoteError,
    Signature,
    format_vkey,
    generate_signer_key,
    parse_signer_key,
    raw_public,
    split_vkey,
)

COSIGNATURE_TYPE = 0x04


def cosigned_message(checkpoint_text: str, timestamp: int) -> bytes:
    """The bytes a v1 cosignature signs."""
    if not 0 <= timestamp < 2**63:
        raise NoteError("cosignature timestamp out of range")
    return f"cosignature/v1\ntime {timestamp}\n".encode() + checkpoint_text.encode()


@dataclass(frozen=True)
class CosignatureVerifier:
    """A witness's public key (type 0x04): verifies its cosignatures and reads their time."""

    name: str
    key_id: int
    public_key: bytes

    def verify(self, text: bytes, signature: bytes) -> bool:
        """Whether ``signature`` (timestamp || Ed25519 sig) cosigns the checkpoint ``text``."""
        if len(signature) != 72:
            return False
        timestamp = int.from_bytes(signature[:8], "big")
        if timestamp >= 2**63:
            return False
        try:
            Ed25519PublicKey.from_public_bytes(self.public_key).verify(
                signature[8:], cosigned_message(text.decode(), timestamp))
        except InvalidSignature:
            return False
        return True

    def vkey(self) -> str:
        """``<name>+<hex key ID>+<base64(0x04 || key)>``."""
        return format_vkey(self.name, self.key_id, COSIGNATURE_TYPE, self.public_key)


def timestamp_of(signature: Signature) -> int:
    """The POSIX time a cosignature line states."""
    return int.from_bytes(signature.signature[:8], "big")


def parse_cosigner_verifier_key(vkey: str) -> CosignatureVerifier:
    """A witness verifier from its verifier-key string (type 0x04)."""
    name, kid, sig_type, key = split_vkey(vkey)
    if sig_type != COSIGNATURE_TYPE or len(key) != 32:
        raise NoteError(f"{vkey!r} is not an Ed25519 cosignature/v1 key")
    return CosignatureVerifier(name, kid, key)


@dataclass(frozen=True)
class Cosigner:
    """A witness's private key: cosigns checkpoints it has checked."""

    name: str
    key_id: int
    private_key: Ed25519PrivateKey

    @classmethod
    def from_key(cls, skey: str) -> Cosigner:
        """Load ``PRIVATE+KEY+<name>+<id>+<base64(0x04 || seed)>``."""
        return cls(*parse_signer_key(skey, COSIGNATURE_TYPE))

    @staticmethod
    def generate(name: str) -> str:
        """A fresh witness signer-key string."""
        return generate_signer_key(name, COSIGNATURE_TYPE)

    def cosign(self, checkpoint_text: str, timestamp: int) -> Signature:
        """The cosignature line over ``checkpoint_text`` at ``timestamp``."""
        sig = self.private_key.sign(cosigned_message(checkpoint_text, timestamp))
        return Signature(self.name, self.key_id, timestamp.to_bytes(8, "big") + sig)

    def verifier(self) -> CosignatureVerifier:
        """The public half."""
        return CosignatureVerifier(self.name, self.key_id, raw_public(self.private_key.public_key()))
