-- Reporter and witness contacts: never in the log, encrypted with a key per subject.
-- Destroying a subject's key (crypto-shredding) makes its ciphertext unreadable for good,
-- while the events keep only a reference and a commitment, so every hash still verifies.
CREATE TABLE IF NOT EXISTS {schema}.vault_keys (
    key_id        uuid        PRIMARY KEY,
    subject_id    text        NOT NULL,
    wrapped_key   bytea,
    created_at    timestamptz NOT NULL DEFAULT now(),
    destroyed_at  timestamptz
);

CREATE TABLE IF NOT EXISTS {schema}.vault_entries (
    vault_ref     uuid        PRIMARY KEY,
    key_id        uuid        NOT NULL REFERENCES {schema}.vault_keys (key_id),
    subject_id    text        NOT NULL,
    nonce         bytea,
    ciphertext    bytea,
    created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS vault_entries_subject ON {schema}.vault_entries (subject_id);

GRANT SELECT, INSERT, UPDATE ON {schema}.vault_keys TO {role};
GRANT SELECT, INSERT, UPDATE ON {schema}.vault_entries TO {role};
