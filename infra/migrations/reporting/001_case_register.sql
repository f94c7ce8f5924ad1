-- Reporting's read models: rebuildable from the topics at any time.
CREATE TABLE IF NOT EXISTS {schema}.case_register (
    case_id         text        PRIMARY KEY,
    region          text        NOT NULL,
    sector          text        NOT NULL,
    source          text        NOT NULL,
    status          text        NOT NULL,
    title           text        NOT NULL,
    district        text,
    anonymous       boolean     NOT NULL,
    registered_at   timestamptz NOT NULL,
    registered_by   text,
    version         integer     NOT NULL,
    updated_at      timestamptz NOT NULL
);
CREATE INDEX IF NOT EXISTS case_register_region ON {schema}.case_register (region, registered_at DESC);

-- Every event of every service about a subject, as received, with its chain check.
CREATE TABLE IF NOT EXISTS {schema}.history (
    event_id        uuid        PRIMARY KEY,
    subject_id      text        NOT NULL,
    stream_id       text        NOT NULL,
    stream_type     text        NOT NULL,
    topic           text        NOT NULL,
    version         integer     NOT NULL,
    event_type      text        NOT NULL,
    schema_version  integer     NOT NULL,
    occurred_at     timestamptz NOT NULL,
    recorded_at     timestamptz NOT NULL,
    actor           jsonb       NOT NULL,
    correlation_id  text,
    causation_id    text,
    payload         jsonb       NOT NULL,
    prev_hash       text        NOT NULL,
    hash            text        NOT NULL,
    hash_ok         boolean     NOT NULL,
    received_at     timestamptz NOT NULL DEFAULT now(),
    UNIQUE (stream_type, stream_id, version)
);
CREATE INDEX IF NOT EXISTS history_subject ON {schema}.history (subject_id, occurred_at, stream_id, version);

GRANT SELECT, INSERT, UPDATE, DELETE ON {schema}.case_register TO {role};
GRANT SELECT, INSERT, UPDATE, DELETE ON {schema}.history TO {role};
