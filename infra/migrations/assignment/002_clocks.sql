-- A case's side clocks beside its due date: the reporter's notice of an extension and the
-- forwarding of a misdirected case (due dates from assignment.deadline_set, met or not from
-- intake's events). Pending ones are scanned even on closed subjects.
ALTER TABLE {schema}.subjects ADD COLUMN IF NOT EXISTS notice_due_date  date;
ALTER TABLE {schema}.subjects ADD COLUMN IF NOT EXISTS notice_done      boolean NOT NULL DEFAULT false;
ALTER TABLE {schema}.subjects ADD COLUMN IF NOT EXISTS forward_due_date date;
ALTER TABLE {schema}.subjects ADD COLUMN IF NOT EXISTS forward_done     boolean NOT NULL DEFAULT false;
CREATE INDEX IF NOT EXISTS subjects_side_clocks ON {schema}.subjects (subject_id)
    WHERE (notice_due_date IS NOT NULL AND NOT notice_done)
       OR (forward_due_date IS NOT NULL AND NOT forward_done);
