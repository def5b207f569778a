-- 0007: indexes for the read queries under load (SQLite); see migrations/postgres/0007_read_indexes.sql.
-- SQLite has no interval index: "as of T" keeps the (timeline, valid_from, valid_to) index of 0003.
-- The case listing filtered by status (the usual filter), newest registration first.
CREATE INDEX IF NOT EXISTS case_status_status_registered ON case_status (status, registered_at, case_id);
