-- Messages from other services that named a subject intake does not hold (e.g. a verdict for an
-- unknown case): kept with the reason instead of crashing the consumer or inventing a stream.
CREATE TABLE IF NOT EXISTS {schema}.ignored_messages (
    event_id     uuid        NOT NULL,
    consumer     text        NOT NULL,
    event_type   text        NOT NULL,
    subject_id   text        NOT NULL,
    reason       text        NOT NULL,
    recorded_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (consumer, event_id)
);

GRANT SELECT, INSERT ON {schema}.ignored_messages TO {role};
