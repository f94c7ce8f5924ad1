-- Citizen receptions: one row per reception stream, the case a reception registered and what a
-- directive requires. Applied to `reporting` and, by the rebuild, to its shadow schema.
CREATE TABLE IF NOT EXISTS {schema}.reception_register (
    reception_id        text        PRIMARY KEY,
    region              text        NOT NULL,
    district            text        NOT NULL,
    status              text        NOT NULL,
    scheduled_on        date        NOT NULL,
    place               text        NOT NULL,
    office_id           text,
    directive_id        text,
    officials           jsonb       NOT NULL,
    scheduled_at        timestamptz NOT NULL,
    scheduled_by        text,
    held_on             date,
    officials_present   jsonb       NOT NULL,
    attendance          integer,
    cancelled_at        timestamptz,
    version             integer     NOT NULL,
    updated_at          timestamptz NOT NULL
);
CREATE INDEX IF NOT EXISTS reception_register_region
    ON {schema}.reception_register (region, district, scheduled_on);
CREATE INDEX IF NOT EXISTS reception_register_directive
    ON {schema}.reception_register (directive_id) WHERE directive_id IS NOT NULL;

ALTER TABLE {schema}.case_register ADD COLUMN IF NOT EXISTS reception_id text;
CREATE INDEX IF NOT EXISTS case_register_reception
    ON {schema}.case_register (reception_id) WHERE reception_id IS NOT NULL;
ALTER TABLE {schema}.directive_register
    ADD COLUMN IF NOT EXISTS receptions_required integer NOT NULL DEFAULT 0;

GRANT SELECT, INSERT, UPDATE, DELETE ON {schema}.reception_register TO {role};
