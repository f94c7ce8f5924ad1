-- A directive addressed to a central state body (a catalog code, events/central_bodies.py)
-- owes an acknowledgement within the catalog's working days: a side clock beside its due date,
-- due from assignment.deadline_set, met by intake's directive.acknowledged, ended with the
-- directive. Pending ones are scanned like the case's side clocks.
ALTER TABLE {schema}.subjects ADD COLUMN IF NOT EXISTS ack_due_date date;
ALTER TABLE {schema}.subjects ADD COLUMN IF NOT EXISTS ack_done     boolean NOT NULL DEFAULT false;
CREATE INDEX IF NOT EXISTS subjects_ack_clock ON {schema}.subjects (subject_id)
    WHERE ack_due_date IS NOT NULL AND NOT ack_done;
