-- assignment's own read models, kept in the same transaction as the events that change them
-- (rebuildable from the assignment event store plus intake's topic).

-- The roster: offices and officers as their streams made them.
CREATE TABLE IF NOT EXISTS {schema}.offices (
    office_id   text        PRIMARY KEY,
    name        text        NOT NULL,
    region      text,
    kind        text        NOT NULL,
    active      boolean     NOT NULL DEFAULT true,
    version     integer     NOT NULL,
    updated_at  timestamptz NOT NULL
);
CREATE INDEX IF NOT EXISTS offices_region ON {schema}.offices (region);

CREATE TABLE IF NOT EXISTS {schema}.officers (
    officer_id  text        PRIMARY KEY,
    name        text        NOT NULL,
    region      text,
    office_id   text        NOT NULL,
    sectors     text[]      NOT NULL,
    capacity    integer     NOT NULL,
    active      boolean     NOT NULL DEFAULT true,
    version     integer     NOT NULL,
    updated_at  timestamptz NOT NULL
);
CREATE INDEX IF NOT EXISTS officers_office ON {schema}.officers (office_id, active);

-- Cases and directives as assignment sees them: routing facts, who holds them, their clock.
CREATE TABLE IF NOT EXISTS {schema}.subjects (
    subject_id      text        PRIMARY KEY,
    subject_type    text        NOT NULL,
    region          text,
    sector          text,
    risk_level      text,
    status          text        NOT NULL,          -- open | closed
    office_id       text,
    officer_id      text,
    manual          boolean     NOT NULL DEFAULT false,
    rule            text,
    clock           text,
    basis_date      date,
    basis_event_id  text,
    due_date        date,
    version         integer     NOT NULL DEFAULT 0,  -- of the assignment stream
    updated_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS subjects_officer ON {schema}.subjects (officer_id) WHERE status = 'open';
CREATE INDEX IF NOT EXISTS subjects_due ON {schema}.subjects (due_date) WHERE status = 'open';

-- Every breach escalated once: a replay or a restarted scanner finds it here and stays quiet.
CREATE TABLE IF NOT EXISTS {schema}.escalations (
    breach      text        PRIMARY KEY,
    subject_id  text        NOT NULL,
    level       text        NOT NULL,
    due_date    date        NOT NULL,
    event_id    uuid        NOT NULL,
    raised_at   timestamptz NOT NULL DEFAULT now()
);

GRANT SELECT, INSERT, UPDATE ON {schema}.offices TO {role};
GRANT SELECT, INSERT, UPDATE ON {schema}.officers TO {role};
GRANT SELECT, INSERT, UPDATE ON {schema}.subjects TO {role};
GRANT SELECT, INSERT ON {schema}.escalations TO {role};
