-- Reporting's read models, part two: every register recomputed per subject from its history.
-- Applied to `reporting` and, by the rebuild, to a shadow schema that is swapped in atomically.
ALTER TABLE {schema}.history ALTER COLUMN subject_id DROP NOT NULL;
CREATE INDEX IF NOT EXISTS history_stream ON {schema}.history (stream_type, stream_id, version);

ALTER TABLE {schema}.case_register
    ADD COLUMN IF NOT EXISTS risk_level         text,
    ADD COLUMN IF NOT EXISTS category           text,
    ADD COLUMN IF NOT EXISTS office_id          text,
    ADD COLUMN IF NOT EXISTS assignee_id        text,
    ADD COLUMN IF NOT EXISTS assigned_at        timestamptz,
    ADD COLUMN IF NOT EXISTS due_date           date,
    ADD COLUMN IF NOT EXISTS deadline_source    text,
    ADD COLUMN IF NOT EXISTS escalation_level   text,
    ADD COLUMN IF NOT EXISTS outcome            text,
    ADD COLUMN IF NOT EXISTS resolved_at        timestamptz,
    ADD COLUMN IF NOT EXISTS closed_at          timestamptz,
    ADD COLUMN IF NOT EXISTS reopen_count       integer NOT NULL DEFAULT 0,
    ADD COLUMN IF NOT EXISTS review_id          text,
    ADD COLUMN IF NOT EXISTS review_status      text,
    ADD COLUMN IF NOT EXISTS reviews_opened     integer NOT NULL DEFAULT 0,
    ADD COLUMN IF NOT EXISTS duplicate_of       text;

CREATE TABLE IF NOT EXISTS {schema}.directive_register (
    directive_id        text        PRIMARY KEY,
    region              text        NOT NULL,
    title               text        NOT NULL,
    issuing_authority   text,
    addressee_body      text        NOT NULL,
    meeting_reference   text,
    status              text        NOT NULL,
    issued_at           timestamptz NOT NULL,
    issued_by           text,
    original_due_date   date        NOT NULL,
    due_date            date        NOT NULL,
    extensions          integer     NOT NULL DEFAULT 0,
    completed_at        timestamptz,
    verified_at         timestamptz,
    cancelled_at        timestamptz,
    office_id           text,
    assignee_id         text,
    review_id           text,
    review_status       text,
    version             integer     NOT NULL,
    updated_at          timestamptz NOT NULL
);
CREATE INDEX IF NOT EXISTS directive_register_region ON {schema}.directive_register (region, due_date);

CREATE TABLE IF NOT EXISTS {schema}.review_register (
    review_id           text        PRIMARY KEY,
    subject_id          text,
    subject_type        text,
    region              text,
    reason              text,
    opened_at           timestamptz,
    due_date            date,
    assignee_id         text,
    claimed_by          text,
    claimed_at          timestamptz,
    verdict             text,
    verdict_at          timestamptz,
    reviewer_id         text,
    version             integer     NOT NULL
);
CREATE INDEX IF NOT EXISTS review_register_subject ON {schema}.review_register (subject_id);

CREATE TABLE IF NOT EXISTS {schema}.monitoring_groups (
    group_id            text        PRIMARY KEY,
    name                text        NOT NULL,
    region              text,
    members             jsonb       NOT NULL,
    member_count        integer     NOT NULL,
    formed_at           timestamptz NOT NULL,
    version             integer     NOT NULL
);

GRANT SELECT, INSERT, UPDATE, DELETE ON {schema}.directive_register TO {role};
GRANT SELECT, INSERT, UPDATE, DELETE ON {schema}.review_register TO {role};
GRANT SELECT, INSERT, UPDATE, DELETE ON {schema}.monitoring_groups TO {role};
