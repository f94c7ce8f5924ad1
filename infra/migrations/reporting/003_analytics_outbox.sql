-- Analytics facts waiting to be published to casetrack.analytics.v1 (written with the projection).
CREATE TABLE IF NOT EXISTS {schema}.analytics_outbox (
    seq             bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    event_id        uuid        NOT NULL UNIQUE,
    key             text        NOT NULL,
    value           bytea       NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    published_at    timestamptz
);
CREATE INDEX IF NOT EXISTS analytics_outbox_pending ON {schema}.analytics_outbox (seq)
    WHERE published_at IS NULL;

GRANT SELECT, INSERT, UPDATE ON {schema}.analytics_outbox TO {role};
