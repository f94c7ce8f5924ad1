-- The event store: the record of truth of one service. Append-only, hash-chained per stream.
CREATE TABLE IF NOT EXISTS {schema}.events (
    position        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    stream_id       text        NOT NULL,
    stream_type     text        NOT NULL,
    version         integer     NOT NULL CHECK (version >= 1),
    event_id        uuid        NOT NULL UNIQUE,
    event_type      text        NOT NULL,
    schema_version  integer     NOT NULL CHECK (schema_version >= 1),
    occurred_at     timestamptz NOT NULL,
    recorded_at     timestamptz NOT NULL,
    actor           jsonb       NOT NULL,
    correlation_id  text,
    causation_id    text,
    payload         jsonb       NOT NULL,
    prev_hash       text        NOT NULL CHECK (prev_hash ~ '^[0-9a-f]{64}$'),
    hash            text        NOT NULL CHECK (hash ~ '^[0-9a-f]{64}$'),
    CONSTRAINT events_stream_version UNIQUE (stream_id, version)
);
CREATE INDEX IF NOT EXISTS events_stream_recorded ON {schema}.events (stream_id, recorded_at);

CREATE OR REPLACE FUNCTION {schema}.events_are_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'events are append-only: % refused on %.events', TG_OP, TG_TABLE_SCHEMA
        USING ERRCODE = 'insufficient_privilege';
END $$;

DROP TRIGGER IF EXISTS events_no_update_delete ON {schema}.events;
CREATE TRIGGER events_no_update_delete BEFORE UPDATE OR DELETE ON {schema}.events
    FOR EACH ROW EXECUTE FUNCTION {schema}.events_are_append_only();
DROP TRIGGER IF EXISTS events_no_truncate ON {schema}.events;
CREATE TRIGGER events_no_truncate BEFORE TRUNCATE ON {schema}.events
    FOR EACH STATEMENT EXECUTE FUNCTION {schema}.events_are_append_only();

-- Idempotency keys: (principal, key) -> request hash and the response first given.
CREATE TABLE IF NOT EXISTS {schema}.idempotency_keys (
    principal       text        NOT NULL,
    key             text        NOT NULL,
    request_hash    text        NOT NULL,
    state           text        NOT NULL CHECK (state IN ('running', 'done')),
    response_status integer,
    response_body   jsonb,
    started_at      timestamptz NOT NULL DEFAULT now(),
    completed_at    timestamptz,
    PRIMARY KEY (principal, key)
);

-- The relay's mark: how far the log has been published, and to which incarnation of the topic.
CREATE TABLE IF NOT EXISTS {schema}.relay_cursor (
    topic           text        PRIMARY KEY,
    position        bigint      NOT NULL DEFAULT 0,
    topic_id        text,
    updated_at      timestamptz NOT NULL DEFAULT now()
);

REVOKE ALL ON {schema}.events FROM {role};
GRANT SELECT, INSERT ON {schema}.events TO {role};
GRANT SELECT, INSERT, UPDATE, DELETE ON {schema}.idempotency_keys TO {role};
GRANT SELECT, INSERT, UPDATE ON {schema}.relay_cursor TO {role};
GRANT USAGE ON ALL SEQUENCES IN SCHEMA {schema} TO {role};
