-- 0017: the key figures as ruled on 2026-12-07 (DOMAIN.md R11; projections/figures.py).
-- 按期办结 is now the handling clock's own verdict (the answer by the due date), not the closure
-- day; 化解 and 案结事了 need the latest return visit not `unsatisfied`, kept in the new column.
ALTER TABLE {schema}.figures_cases ADD COLUMN IF NOT EXISTS last_satisfaction text;

-- Every row and cell was counted by the old definitions: replay the figures view from the start
-- (the runner does, on its next start) rather than recompute them here in SQL. View rows are
-- derived data; the ledger is untouched.
DELETE FROM {schema}.figures_cases;
DELETE FROM {schema}.figures_holdings;
DELETE FROM {schema}.figures_visits;
DELETE FROM {schema}.figures_repeats;
DELETE FROM {schema}.figures_cells;
DELETE FROM {schema}.figures_cell_cases;
UPDATE {schema}.view_positions SET position = 0, error = NULL, error_position = NULL WHERE view = 'figures';
