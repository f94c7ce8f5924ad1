-- The verifiable log over a service's events (RFC 9162 Merkle tree, C2SP checkpoints).
-- Leaves and complete subtrees are append-only: a proof answered once is answered the same forever.
CREATE TABLE IF NOT EXISTS {schema}.tlog_leaves (
    leaf_index  bigint      PRIMARY KEY CHECK (leaf_index >= 0),
    event_id    uuid        NOT NULL UNIQUE,
    position    bigint      NOT NULL
);

-- Every complete subtree: level 0 holds leaf hashes; (level, index) covers leaves
-- [index * 2^level, (index + 1) * 2^level).
CREATE TABLE IF NOT EXISTS {schema}.tlog_nodes (
    level       smallint    NOT NULL CHECK (level >= 0 AND level < 64),
    index       bigint      NOT NULL CHECK (index >= 0),
    hash        bytea       NOT NULL CHECK (length(hash) = 32),
    PRIMARY KEY (level, index)
);

-- How far the sequencer has followed the event log (one row).
CREATE TABLE IF NOT EXISTS {schema}.tlog_state (
    singleton   boolean     PRIMARY KEY DEFAULT true CHECK (singleton),
    size        bigint      NOT NULL DEFAULT 0,
    cursor      jsonb       NOT NULL DEFAULT '{"tx": 0, "position": 0}',  -- a LogCursor
    updated_at  timestamptz NOT NULL DEFAULT now()
);
INSERT INTO {schema}.tlog_state (singleton) VALUES (true) ON CONFLICT DO NOTHING;

-- Signed checkpoints, one per tree size issued.
CREATE TABLE IF NOT EXISTS {schema}.tlog_checkpoints (
    tree_size   bigint      PRIMARY KEY,
    root        bytea       NOT NULL CHECK (length(root) = 32),
    note        text        NOT NULL,
    key         text        NOT NULL,
    issued_at   timestamptz NOT NULL DEFAULT now()
);

-- Witness cosignatures (C2SP tlog-cosignature v1), the latest per witness key and checkpoint.
CREATE TABLE IF NOT EXISTS {schema}.tlog_cosignatures (
    tree_size   bigint      NOT NULL REFERENCES {schema}.tlog_checkpoints (tree_size),
    witness_key text        NOT NULL,
    line        text        NOT NULL,
    signed_at   bigint      NOT NULL,
    posted_by   text        NOT NULL,
    received_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tree_size, witness_key)
);

-- Every log key ever used (verifier-key strings); retired ones stay for old checkpoints.
CREATE TABLE IF NOT EXISTS {schema}.tlog_keys (
    vkey        text        PRIMARY KEY,
    first_used  timestamptz NOT NULL DEFAULT now(),
    retired_at  timestamptz
);

CREATE OR REPLACE FUNCTION {schema}.tlog_is_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the verifiable log is append-only: % refused on %.%', TG_OP, TG_TABLE_SCHEMA,
        TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';
END $$;

DROP TRIGGER IF EXISTS tlog_nodes_append_only ON {schema}.tlog_nodes;
CREATE TRIGGER tlog_nodes_append_only BEFORE UPDATE OR DELETE ON {schema}.tlog_nodes
    FOR EACH ROW EXECUTE FUNCTION {schema}.tlog_is_append_only();
DROP TRIGGER IF EXISTS tlog_leaves_append_only ON {schema}.tlog_leaves;
CREATE TRIGGER tlog_leaves_append_only BEFORE UPDATE OR DELETE ON {schema}.tlog_leaves
    FOR EACH ROW EXECUTE FUNCTION {schema}.tlog_is_append_only();
DROP TRIGGER IF EXISTS tlog_checkpoints_append_only ON {schema}.tlog_checkpoints;
CREATE TRIGGER tlog_checkpoints_append_only BEFORE UPDATE OR DELETE ON {schema}.tlog_checkpoints
    FOR EACH ROW EXECUTE FUNCTION {schema}.tlog_is_append_only();

GRANT SELECT, INSERT ON {schema}.tlog_leaves, {schema}.tlog_nodes, {schema}.tlog_checkpoints TO {role};
GRANT SELECT, UPDATE ON {schema}.tlog_state TO {role};
GRANT SELECT, INSERT, UPDATE ON {schema}.tlog_cosignatures, {schema}.tlog_keys TO {role};
