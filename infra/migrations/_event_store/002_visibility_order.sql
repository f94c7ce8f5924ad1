-- Commit-visibility order instead of a lock that serialised every append of a service.
-- Each row records the transaction that wrote it. A reader of the log reads only rows of
-- transactions older than every transaction still running (pg_snapshot_xmin), in (tx_id, position)
-- order, so a row that commits late can never be skipped: its transaction is still running, so
-- the reader has not passed it yet. Rows stored before this migration all get this migration's
-- transaction id, so their order stays their position order.
ALTER TABLE {schema}.events ADD COLUMN IF NOT EXISTS tx_id xid8 NOT NULL DEFAULT pg_current_xact_id();
CREATE INDEX IF NOT EXISTS events_visibility ON {schema}.events (tx_id, position);

-- The relay's mark becomes a place in that order.
ALTER TABLE {schema}.relay_cursor ADD COLUMN IF NOT EXISTS tx_id xid8 NOT NULL DEFAULT '0';

-- Keys are now claimed and answered in the command's own transaction: no 'running' rows remain.
DELETE FROM {schema}.idempotency_keys WHERE state = 'running';
