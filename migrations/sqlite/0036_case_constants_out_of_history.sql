-- 0036 (SQLite): case_history no longer repeats a case's constant columns in every state; see
-- migrations/postgres/0036_case_constants_out_of_history.sql. The case status view is replayed,
-- every one of its tables emptied first.
DELETE FROM case_status;
DELETE FROM case_history;
DELETE FROM caseload_rollup;
DELETE FROM case_identities;
DELETE FROM caseload_now;
ALTER TABLE case_history DROP COLUMN kind;
ALTER TABLE case_history DROP COLUMN received_unit;
ALTER TABLE case_history DROP COLUMN policy_version;
ALTER TABLE case_history DROP COLUMN registered_by;
ALTER TABLE case_history DROP COLUMN recorded_at;
ALTER TABLE case_history DROP COLUMN reception_id;
ALTER TABLE case_history DROP COLUMN accused_unit;
ALTER TABLE case_history DROP COLUMN accused_leader;
UPDATE view_positions SET position = 0, error = NULL, error_position = NULL WHERE view = 'case_status';
