-- The survey store: waves of anonymous responses and their rows. Free text (comment) lives here
-- only; the log carries a wave's counts per cell. A file is one wave: its content hash and the
-- wave's name are each unique, so a re-upload answers the wave it made and never adds rows.
CREATE TABLE IF NOT EXISTS {schema}.survey_waves (
    wave_id         text        PRIMARY KEY,
    name            text        NOT NULL UNIQUE,
    period_start    date        NOT NULL,
    period_end      date        NOT NULL,
    content_sha256  text        NOT NULL UNIQUE,
    file_format     text        NOT NULL,
    responses       integer     NOT NULL,
    cells           integer     NOT NULL,
    imported_at     timestamptz NOT NULL DEFAULT now(),
    imported_by     text        NOT NULL
);

CREATE TABLE IF NOT EXISTS {schema}.survey_responses (
    wave_id           text    NOT NULL REFERENCES {schema}.survey_waves (wave_id),
    row_number        integer NOT NULL,
    region            text    NOT NULL,
    institution_type  text    NOT NULL,
    sector            text    NOT NULL,
    answer            text    NOT NULL,
    comment           text,
    PRIMARY KEY (wave_id, row_number)
);

GRANT SELECT, INSERT ON {schema}.survey_waves TO {role};
GRANT SELECT, INSERT ON {schema}.survey_responses TO {role};
