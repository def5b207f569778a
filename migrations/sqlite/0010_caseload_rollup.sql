-- 0010: the as-of caseload from summed changes (SQLite); see migrations/postgres/0010_caseload_rollup.sql.
CREATE TABLE IF NOT EXISTS caseload_rollup (
    timeline TEXT NOT NULL,
    grain TEXT NOT NULL,
    bucket TEXT NOT NULL,
    leader_id TEXT NOT NULL,
    unit_path TEXT NOT NULL,
    received_path TEXT NOT NULL,
    present INTEGER NOT NULL,
    open INTEGER NOT NULL,
    overdue INTEGER NOT NULL,
    answered INTEGER NOT NULL,
    closed INTEGER NOT NULL,
    backlog INTEGER NOT NULL,
    handling_sum INTEGER NOT NULL,
    handling_n INTEGER NOT NULL,
    satisfied INTEGER NOT NULL,
    visits INTEGER NOT NULL,
    PRIMARY KEY (timeline, grain, bucket, leader_id, unit_path, received_path)
);

DELETE FROM case_history;
DELETE FROM case_status;
UPDATE view_positions SET position = 0, error = NULL, error_position = NULL WHERE view = 'case_status';
