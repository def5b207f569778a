-- 0014: the caseload rollup sums its changes by year too (grain 'y'; projections/caseload_rollup.py),
-- so the caseload as of T reads one bucket a past year instead of twelve. The rows are the case
-- status view's: replay it from the start (the runner does, on its next start), as 0010 did.
-- View rows are derived data; the ledger is untouched.
DELETE FROM {schema}.caseload_rollup;
DELETE FROM {schema}.case_history;
DELETE FROM {schema}.case_status;
UPDATE {schema}.view_positions SET position = 0, error = NULL, error_position = NULL WHERE view = 'case_status';
