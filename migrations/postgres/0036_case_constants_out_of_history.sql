-- 0036: the view tables a fraction of the ledger (issue 19).
-- - case_history no longer repeats a case's constant columns in every state (set by its
--   registration, never changed or corrected: projections/case_rows.py CONSTANT_COLUMNS); reads
--   take them from the case's case_status row (projections/case_queries.py `history`). Its
--   registration's columns (case_rows.py REGISTERED_COLUMNS) are NULL in a history row where
--   they are the current row's; the replay writes every row that way.
-- - caseload_rollup keeps its sums as integer, not bigint (a bucket sums one year's changes at
--   most; reads SUM them into bigint).
-- The case status view is replayed from the start (the runner does, on its next start), so
-- every one of its tables (projections/case_status.py CaseStatusView.tables) is emptied first.
-- View rows are derived data; the ledger is untouched.
TRUNCATE {schema}.case_status, {schema}.case_history, {schema}.caseload_rollup,
    {schema}.case_identities, {schema}.caseload_now;
ALTER TABLE {schema}.case_history
    DROP COLUMN IF EXISTS kind,
    DROP COLUMN IF EXISTS received_unit,
    DROP COLUMN IF EXISTS policy_version,
    DROP COLUMN IF EXISTS registered_by,
    DROP COLUMN IF EXISTS recorded_at,
    DROP COLUMN IF EXISTS reception_id,
    DROP COLUMN IF EXISTS accused_unit,
    DROP COLUMN IF EXISTS accused_leader;
ALTER TABLE {schema}.caseload_rollup
    ALTER COLUMN present TYPE integer,
    ALTER COLUMN open TYPE integer,
    ALTER COLUMN overdue TYPE integer,
    ALTER COLUMN answered TYPE integer,
    ALTER COLUMN closed TYPE integer,
    ALTER COLUMN backlog TYPE integer,
    ALTER COLUMN handling_sum TYPE integer,
    ALTER COLUMN handling_n TYPE integer,
    ALTER COLUMN satisfied TYPE integer,
    ALTER COLUMN visits TYPE integer;
UPDATE {schema}.view_positions SET position = 0, error = NULL, error_position = NULL WHERE view = 'case_status';
