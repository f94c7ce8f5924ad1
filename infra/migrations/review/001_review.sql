-- review's read models, written in the same transaction as the events they follow.
-- Everything here can be rebuilt from review's own log plus the intake/assignment topics.

-- What review knows about each case or directive it may have to review.
CREATE TABLE IF NOT EXISTS {schema}.subjects (
    subject_id              text        PRIMARY KEY,
    subject_type            text        NOT NULL CHECK (subject_type IN ('case', 'directive')),
    region                  text,
    risk_level              text,
    resolver_ids            text[]      NOT NULL DEFAULT '{}',  -- everyone who ever resolved it
    assignee_ids            text[]      NOT NULL DEFAULT '{}',  -- everyone ever assigned to it
    last_resolver_id        text,
    current_assignee_id     text,
    open_review_id          text,
    last_review_id          text,
    returned_by_review_id   text,   -- the review that returned/escalated it, until reviewed again
    updated_at              timestamptz NOT NULL DEFAULT now()
);

-- The review queue: one row per review stream.
CREATE TABLE IF NOT EXISTS {schema}.reviews (
    review_id           text        PRIMARY KEY,
    subject_id          text        NOT NULL,
    subject_type        text        NOT NULL,
    region              text        NOT NULL,
    reason              text        NOT NULL,
    status              text        NOT NULL CHECK (status IN ('open', 'claimed', 'decided')),
    due_date            date        NOT NULL,
    previous_review_id  text,
    resolver_id         text,
    assignee_id         text,
    trigger_event_id    text        NOT NULL UNIQUE,
    reviewer_id         text,
    verdict             text,
    verdict_event_id    uuid,
    opened_at           timestamptz NOT NULL,
    decided_at          timestamptz,
    version             integer     NOT NULL
);
CREATE INDEX IF NOT EXISTS reviews_queue ON {schema}.reviews (region, status, due_date);
CREATE INDEX IF NOT EXISTS reviews_subject ON {schema}.reviews (subject_id, opened_at);

-- Monitoring groups and their members (folded from monitoring_group streams).
CREATE TABLE IF NOT EXISTS {schema}.monitoring_groups (
    group_id    text        PRIMARY KEY,
    name        text        NOT NULL,
    region      text,                    -- null: the republican group
    formed_at   timestamptz NOT NULL,
    version     integer     NOT NULL
);
-- One group per region and one republican group.
CREATE UNIQUE INDEX IF NOT EXISTS monitoring_groups_one_per_region
    ON {schema}.monitoring_groups ((coalesce(region, 'republic')));

CREATE TABLE IF NOT EXISTS {schema}.group_members (
    group_id    text        NOT NULL REFERENCES {schema}.monitoring_groups (group_id),
    monitor_id  text        NOT NULL,
    name        text        NOT NULL,
    active      boolean     NOT NULL,
    added_at    timestamptz NOT NULL,
    changed_at  timestamptz NOT NULL,
    PRIMARY KEY (group_id, monitor_id)
);
CREATE INDEX IF NOT EXISTS group_members_monitor ON {schema}.group_members (monitor_id);

GRANT SELECT, INSERT, UPDATE ON {schema}.subjects TO {role};
GRANT SELECT, INSERT, UPDATE ON {schema}.reviews TO {role};
GRANT SELECT, INSERT, UPDATE ON {schema}.monitoring_groups TO {role};
GRANT SELECT, INSERT, UPDATE ON {schema}.group_members TO {role};
