"""The reporter vault: contacts encrypted per subject, referenced from events by commitment."""

from __future__ import annotations

import hashlib
import json
import os
import uuid
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from events import ReporterReference, new_event_id
from services.runtime.db import Conn


@dataclass(frozen=True)
class EncryptedContact:
    """A contact encrypted under a fresh subject key, ready to store with its event."""

    key_id: uuid.UUID
    vault_ref: uuid.UUID
    wrapped_key: bytes
    nonce: bytes
    ciphertext: bytes
    reference: ReporterReference


class Vault:
    """Encrypts contacts with per-subject keys that are themselves wrapped by a master key."""

    def __init__(self, master_secret: str, schema: str) -> None:
        self._master = AESGCM(hashlib.sha256(b"casetrack-vault|" + master_secret.encode()).digest())
        self.schema = schema

    def encrypt(self, subject_id: str, contact: dict[str, Any]) -> EncryptedContact:
        """Encrypt a contact under a new key for the subject; the commitment hides it."""
        data_key = AESGCM.generate_key(bit_length=256)
        key_id, vault_ref = new_event_id(), new_event_id()
        wrap_nonce = os.urandom(12)
        wrapped = wrap_nonce + self._master.encrypt(wrap_nonce, data_key, key_id.bytes)
        nonce = os.urandom(12)
        plaintext = json.dumps(contact, sort_keys=True, ensure_ascii=False).encode()
        ciphertext = AESGCM(data_key).encrypt(nonce, plaintext, vault_ref.bytes)
        salt = os.urandom(16)
        commitment = hashlib.sha256(salt + nonce + ciphertext).hexdigest()
        return EncryptedContact(
            key_id=key_id, vault_ref=vault_ref, wrapped_key=wrapped, nonce=nonce,
            ciphertext=ciphertext,
            reference=ReporterReference(vault_ref=str(vault_ref), commitment=commitment),
        )

    async def store(self, conn: Conn, subject_id: str, encrypted: EncryptedContact) -> None:
        """Keep the key and ciphertext, in the caller's transaction."""
        await conn.execute(
            f"INSERT INTO {self.schema}.vault_keys (key_id, subject_id, wrapped_key)"
            " VALUES ($1, $2, $3)",
            encrypted.key_id, subject_id, encrypted.wrapped_key,
        )
        await conn.execute(
            f"INSERT INTO {self.schema}.vault_entries"
            " (vault_ref, key_id, subject_id, nonce, ciphertext) VALUES ($1, $2, $3, $4, $5)",
            encrypted.vault_ref, encrypted.key_id, subject_id, encrypted.nonce, encrypted.ciphertext,
        )

    async def open(self, conn: Conn, vault_ref: str) -> dict[str, Any] | None:
        """The contact behind a reference, or None once its key was destroyed."""
        row = await conn.fetchrow(
            f"""SELECT e.vault_ref, e.nonce, e.ciphertext, k.key_id, k.wrapped_key
                FROM {self.schema}.vault_entries e JOIN {self.schema}.vault_keys k USING (key_id)
                WHERE e.vault_ref = $1""",
            uuid.UUID(vault_ref),
        )
        if row is None or row["wrapped_key"] is None or row["ciphertext"] is None:
            return None
        wrapped: bytes = row["wrapped_key"]
        data_key = self._master.decrypt(wrapped[:12], wrapped[12:], row["key_id"].bytes)
        plaintext = AESGCM(data_key).decrypt(row["nonce"], row["ciphertext"],
                                              row["vault_ref"].bytes)
        contact: dict[str, Any] = json.loads(plaintext)
        return contact

    async def erase(self, conn: Conn, subject_id: str) -> int:
        """Crypto-shred a subject: destroy its key and drop its ciphertext; returns entries hit."""
        await conn.execute(
            f"UPDATE {self.schema}.vault_keys SET wrapped_key = NULL,"
            " destroyed_at = coalesce(destroyed_at, now()) WHERE subject_id = $1",
            subject_id,
        )
        status: str = await conn.execute(
            f"UPDATE {self.schema}.vault_entries SET nonce = NULL, ciphertext = NULL"
            " WHERE subject_id = $1",
            subject_id,
        )
        return int(status.split()[-1])
