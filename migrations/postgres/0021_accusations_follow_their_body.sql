-- 0021: the 60(+30)-day handling clock is for complaint requests only (DOMAIN.md R4,
-- 第三十一条第六项、第三十四条); an accusation follows its handling body's own rules
-- (domain/process.py). An accusation's handling deadline, overdue marker and 按期办结 verdict
-- change, so the case status and figures views replay from the start (the runner does, on its
-- next start). View rows are derived data; the ledger is untouched.
DELETE FROM {schema}.caseload_rollup;
DELETE FROM {schema}.case_history;
DELETE FROM {schema}.case_status;
DELETE FROM {schema}.case_identities;
DELETE FROM {schema}.figures_cell_cases;
DELETE FROM {schema}.figures_cells;
DELETE FROM {schema}.figures_cases;
DELETE FROM {schema}.figures_holdings;
DELETE FROM {schema}.figures_visits;
DELETE FROM {schema}.figures_repeats;
UPDATE {schema}.view_positions SET position = 0, error = NULL, error_position = NULL
    WHERE view IN ('case_status', 'figures');
