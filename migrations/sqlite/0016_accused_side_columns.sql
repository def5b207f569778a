-- 0016 (SQLite): every per-case view row says who registered the case and when its matter arose,
-- so a listing applies the accused side of an accusation (第三十条, DOMAIN.md R1; api/access.py).
-- The views are replayed from the start to fill them (as 0010 did). The ledger is untouched.
ALTER TABLE case_status ADD COLUMN registered_by text;
ALTER TABLE case_history ADD COLUMN registered_by text;
ALTER TABLE satisfaction_case_context ADD COLUMN registered_at text;
ALTER TABLE satisfaction_case_context ADD COLUMN registered_by text;
ALTER TABLE satisfaction_records ADD COLUMN registered_at text;
ALTER TABLE satisfaction_records ADD COLUMN registered_by text;
ALTER TABLE accountability_case_context ADD COLUMN registered_at text;
ALTER TABLE accountability_case_context ADD COLUMN registered_by text;
ALTER TABLE accountability_records ADD COLUMN registered_at text;
ALTER TABLE accountability_records ADD COLUMN registered_by text;

DELETE FROM caseload_rollup;
DELETE FROM case_history;
DELETE FROM case_status;
DELETE FROM satisfaction_records;
DELETE FROM satisfaction_case_context;
DELETE FROM accountability_records;
DELETE FROM accountability_case_context;
UPDATE view_positions SET position = 0, error = NULL, error_position = NULL
    WHERE view IN ('case_status', 'satisfaction', 'accountability');
