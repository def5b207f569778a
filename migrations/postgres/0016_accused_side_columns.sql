-- 0016: every per-case view row says who registered the case and when its matter arose, beside
-- the reader-scope columns, so a listing applies the accused side of an accusation (第三十条,
-- DOMAIN.md R1; api/access.py): the registering user keeps reading it, and a leader's posts
-- count from the day the matter arose. case_status and case_history have registered_at already.
ALTER TABLE {schema}.case_status ADD COLUMN IF NOT EXISTS registered_by text;
ALTER TABLE {schema}.case_history ADD COLUMN IF NOT EXISTS registered_by text;
ALTER TABLE {schema}.satisfaction_case_context
    ADD COLUMN IF NOT EXISTS registered_at text, ADD COLUMN IF NOT EXISTS registered_by text;
ALTER TABLE {schema}.satisfaction_records
    ADD COLUMN IF NOT EXISTS registered_at text, ADD COLUMN IF NOT EXISTS registered_by text;
ALTER TABLE {schema}.accountability_case_context
    ADD COLUMN IF NOT EXISTS registered_at text, ADD COLUMN IF NOT EXISTS registered_by text;
ALTER TABLE {schema}.accountability_records
    ADD COLUMN IF NOT EXISTS registered_at text, ADD COLUMN IF NOT EXISTS registered_by text;

-- The new columns are filled by replaying the three views from the start (the runner does, on
-- its next start), not by a second copy of their logic in SQL. View rows are derived data; the
-- ledger is untouched.
DELETE FROM {schema}.caseload_rollup;
DELETE FROM {schema}.case_history;
DELETE FROM {schema}.case_status;
DELETE FROM {schema}.satisfaction_records;
DELETE FROM {schema}.satisfaction_case_context;
DELETE FROM {schema}.accountability_records;
DELETE FROM {schema}.accountability_case_context;
UPDATE {schema}.view_positions SET position = 0, error = NULL, error_position = NULL
    WHERE view IN ('case_status', 'satisfaction', 'accountability');
