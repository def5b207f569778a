-- 0033: 落实 (issue 21). A `support` answer opens an implementation clock (domain/clocks.py), so
-- the case status view's open deadlines, next due date and caseload overdue counts change for
-- every case answered in support; and the figures view keeps the delivery day of a support answer
-- and whether it was carried out, for implementation_rate (projections/figures.py). Both views
-- are replayed from the start (the runner does, on its next start), as 0014 and 0017 did. View
-- rows are derived data; the ledger is untouched.
ALTER TABLE {schema}.figures_cases ADD COLUMN IF NOT EXISTS supported_on date;
ALTER TABLE {schema}.figures_cases ADD COLUMN IF NOT EXISTS implemented smallint NOT NULL DEFAULT 0;

DELETE FROM {schema}.figures_cases;
DELETE FROM {schema}.figures_holdings;
DELETE FROM {schema}.figures_visits;
DELETE FROM {schema}.figures_repeats;
DELETE FROM {schema}.figures_cells;
DELETE FROM {schema}.figures_cell_cases;
DELETE FROM {schema}.figures_identities;  -- first petitions (0028): the replay writes them again
DELETE FROM {schema}.figures_petitions;
UPDATE {schema}.view_positions SET position = 0, error = NULL, error_position = NULL WHERE view = 'figures';

DELETE FROM {schema}.caseload_rollup;
DELETE FROM {schema}.case_history;
DELETE FROM {schema}.case_status;
DELETE FROM {schema}.case_identities;
UPDATE {schema}.view_positions SET position = 0, error = NULL, error_position = NULL WHERE view = 'case_status';
