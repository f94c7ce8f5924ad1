-- A case's legal clocks in the register: extensions of consideration and the reporter's notice,
-- forwarding of a misdirected case (services/reporting/clocks.py).
ALTER TABLE {schema}.case_register ADD COLUMN IF NOT EXISTS extensions        integer NOT NULL DEFAULT 0;
ALTER TABLE {schema}.case_register ADD COLUMN IF NOT EXISTS extended_due_date date;
ALTER TABLE {schema}.case_register ADD COLUMN IF NOT EXISTS notice_due_date   date;
ALTER TABLE {schema}.case_register ADD COLUMN IF NOT EXISTS notified_on       date;
ALTER TABLE {schema}.case_register ADD COLUMN IF NOT EXISTS notice_channel    text;
ALTER TABLE {schema}.case_register ADD COLUMN IF NOT EXISTS notices_late      integer NOT NULL DEFAULT 0;
ALTER TABLE {schema}.case_register ADD COLUMN IF NOT EXISTS forward_due_date  date;
ALTER TABLE {schema}.case_register ADD COLUMN IF NOT EXISTS forwarded_to      text;
ALTER TABLE {schema}.case_register ADD COLUMN IF NOT EXISTS forwarded_at      timestamptz;
