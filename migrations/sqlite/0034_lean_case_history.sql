-- 0034 (SQLite): one history row per change of what as-of and known-at reads show, and the
-- current caseload as counts; see migrations/postgres/0034_lean_case_history.sql.
DELETE FROM case_history;
DELETE FROM caseload_rollup;
ALTER TABLE case_history ADD COLUMN marks TEXT NOT NULL DEFAULT '';

CREATE TABLE IF NOT EXISTS caseload_now (
    leader_id TEXT NOT NULL,
    unit_path TEXT NOT NULL,
    received_path TEXT NOT NULL,
    next_due TEXT NOT NULL,
    present INTEGER NOT NULL,
    open INTEGER NOT NULL,
    answered INTEGER NOT NULL,
    closed INTEGER NOT NULL,
    backlog INTEGER NOT NULL,
    handling_sum INTEGER NOT NULL,
    handling_n INTEGER NOT NULL,
    satisfied INTEGER NOT NULL,
    visits INTEGER NOT NULL,
    PRIMARY KEY (leader_id, unit_path, received_path, next_due)
);
CREATE INDEX IF NOT EXISTS caseload_now_zero ON caseload_now (leader_id) WHERE present = 0;

DELETE FROM case_identities;
DELETE FROM case_status;
UPDATE view_positions SET position = 0, error = NULL, error_position = NULL WHERE view = 'case_status';
