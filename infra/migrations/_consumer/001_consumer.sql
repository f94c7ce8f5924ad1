-- What a service's consumers have applied, so redelivery is a no-op, and how they are doing.
CREATE TABLE IF NOT EXISTS {schema}.processed_events (
    consumer     text        NOT NULL,
    event_id     uuid        NOT NULL,
    topic        text        NOT NULL,
    partition    integer     NOT NULL,
    "offset"     bigint      NOT NULL,
    processed_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (consumer, event_id)
);

CREATE TABLE IF NOT EXISTS {schema}.consumer_health (
    consumer        text        PRIMARY KEY,
    heartbeat_at    timestamptz NOT NULL,
    busy_since      timestamptz,
    processed_total bigint      NOT NULL DEFAULT 0,
    dead_lettered   bigint      NOT NULL DEFAULT 0,
    last_event_at   timestamptz
);

GRANT SELECT, INSERT, UPDATE ON {schema}.processed_events TO {role};
GRANT SELECT, INSERT, UPDATE ON {schema}.consumer_health TO {role};
