-- 0008: the key figures pre-aggregated (projections/figures_cells.py), so GET /figures reads a
-- number of cells bounded by units x categories x days, not one row per case.
-- A cell counts the cases (or return visits) whose date of one kind ('accepted', 'closed',
-- 'registered', 'visited') falls on one day ('day' grain) or in one month ('month' grain,
-- bucket = its first day), by category and the unit columns a reader's scope reads (api/scope.py:
-- received_path, unit_path; '' where the case has none, so the cell has a primary key: no
-- scope condition matches '' any more than it matches NULL). No leader_id: it would multiply
-- the cells by the leaders (x3 at 10k cases); a scope that names a leader is answered by a scan.
-- n counts them; n1..n3 the conditions of projections/figures_measures.py.
CREATE TABLE IF NOT EXISTS {schema}.figures_cells (
    kind text NOT NULL,
    grain text NOT NULL,
    bucket date NOT NULL,
    category text NOT NULL,
    received_path text NOT NULL,
    unit_path text NOT NULL,
    n integer NOT NULL,
    n1 integer NOT NULL,
    n2 integer NOT NULL,
    n3 integer NOT NULL,
    PRIMARY KEY (kind, grain, bucket, category, received_path, unit_path)
);
CREATE INDEX IF NOT EXISTS figures_cells_at ON {schema}.figures_cells (grain, bucket);

-- What each case adds to the cells, so a batch can take back exactly what a case's old rows
-- added before it adds what its new rows do.
CREATE TABLE IF NOT EXISTS {schema}.figures_cell_cases (
    case_id uuid NOT NULL,
    kind text NOT NULL,
    grain text NOT NULL,
    bucket date NOT NULL,
    category text NOT NULL,
    received_path text NOT NULL,
    unit_path text NOT NULL,
    n integer NOT NULL,
    n1 integer NOT NULL,
    n2 integer NOT NULL,
    n3 integer NOT NULL,
    PRIMARY KEY (case_id, kind, grain, bucket)
);

GRANT SELECT, INSERT, UPDATE, DELETE ON {schema}.figures_cells, {schema}.figures_cell_cases TO xinfang_app;

-- The cells are new tables of the figures view: replay it from the start (the runner does, on
-- its next start) rather than fill them here with a second copy of the view's logic in SQL.
-- View rows are derived data; the ledger is untouched.
DELETE FROM {schema}.figures_cases;
DELETE FROM {schema}.figures_holdings;
DELETE FROM {schema}.figures_visits;
DELETE FROM {schema}.figures_repeats;
UPDATE {schema}.view_positions SET position = 0, error = NULL, error_position = NULL WHERE view = 'figures';
