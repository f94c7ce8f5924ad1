-- The incarnation ("<topic id>/<partitions>") of the analytics topic the outbox was published to.
-- When the topic comes back as another (a broker that lost its memory), every fact is queued again.
CREATE TABLE IF NOT EXISTS {schema}.analytics_topic (
    topic       text        PRIMARY KEY,
    topic_id    text,
    updated_at  timestamptz NOT NULL DEFAULT now()
);

GRANT SELECT, INSERT, UPDATE ON {schema}.analytics_topic TO {role};
