-- Where each consumer is in each partition of each incarnation of a topic. Written in the
-- transaction that applies the messages, so a position never runs ahead of the effects; a topic
-- that comes back with a new id (a broker that lost its memory) has no row and is read from the
-- start. Offsets committed to Kafka are never read.
CREATE TABLE IF NOT EXISTS {schema}.consumer_positions (
    consumer     text        NOT NULL,
    topic        text        NOT NULL,
    topic_id     text        NOT NULL,
    partition    integer     NOT NULL,
    next_offset  bigint      NOT NULL CHECK (next_offset >= 0),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (consumer, topic, topic_id, partition)
);

GRANT SELECT, INSERT, UPDATE ON {schema}.consumer_positions TO {role};
