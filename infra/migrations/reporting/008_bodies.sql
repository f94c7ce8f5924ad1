-- Each fact's position in its owner's log (the message's `position`), so a report can name its
-- cut as "per owner, every event up to position P" and be recomputed from it, rebuilds included
-- (a rebuild re-reads the positions from the topics). Facts kept before this column have none
-- until the next rebuild; reports count them as before every cut.
ALTER TABLE {schema}.history ADD COLUMN IF NOT EXISTS log_position bigint;
CREATE INDEX IF NOT EXISTS history_log_position ON {schema}.history (topic, log_position);
