-- 0021 (SQLite): an accusation has no 60(+30)-day handling clock (DOMAIN.md R4); the case
-- status and figures views replay from the start (see the PostgreSQL migration).
DELETE FROM caseload_rollup;
DELETE FROM case_history;
DELETE FROM case_status;
DELETE FROM case_identities;
DELETE FROM figures_cell_cases;
DELETE FROM figures_cells;
DELETE FROM figures_cases;
DELETE FROM figures_holdings;
DELETE FROM figures_visits;
DELETE FROM figures_repeats;
UPDATE view_positions SET position = 0, error = NULL, error_position = NULL
    WHERE view IN ('case_status', 'figures');
