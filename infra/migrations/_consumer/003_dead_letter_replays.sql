-- Dead letters an operator replayed into their consumer (`casetrack dlq replay`). A dead-letter
-- topic is never rewritten: a letter counts as waiting until a replay applied it (or found it
-- applied already). Keyed by the dead-letter topic's incarnation, like consumer positions.
CREATE TABLE IF NOT EXISTS {schema}.dead_letter_replays (
    consumer     text        NOT NULL,
    topic_id     text        NOT NULL,
    dlq_offset   bigint      NOT NULL,
    event_id     uuid,
    outcome      text        NOT NULL CHECK (outcome IN ('applied', 'duplicate', 'unreadable')),
    replayed_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (consumer, topic_id, dlq_offset)
);

GRANT SELECT, INSERT, UPDATE ON {schema}.dead_letter_replays TO {role};
