-- 0033 (SQLite): 落实 (issue 21): the implementation clock changes the case status view's rows and
-- the figures view keeps support answers and their carrying out; both are replayed from the start
-- (see the PostgreSQL migration). The ledger is untouched.
ALTER TABLE figures_cases ADD COLUMN supported_on TEXT;
ALTER TABLE figures_cases ADD COLUMN implemented INTEGER NOT NULL DEFAULT 0;

DELETE FROM figures_cases;
DELETE FROM figures_holdings;
DELETE FROM figures_visits;
DELETE FROM figures_repeats;
DELETE FROM figures_cells;
DELETE FROM figures_cell_cases;
DELETE FROM figures_identities;  -- first petitions (0028): the replay writes them again
DELETE FROM figures_petitions;
UPDATE view_positions SET position = 0, error = NULL, error_position = NULL WHERE view = 'figures';

DELETE FROM caseload_rollup;
DELETE FROM case_history;
DELETE FROM case_status;
DELETE FROM case_identities;
UPDATE view_positions SET position = 0, error = NULL, error_position = NULL WHERE view = 'case_status';
