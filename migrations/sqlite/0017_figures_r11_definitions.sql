-- 0017 (SQLite): the key figures as ruled on 2026-12-07 (DOMAIN.md R11): the latest return
-- visit's satisfaction is kept per case, and the figures view is replayed from the start under
-- the new definitions (see the PostgreSQL migration). The ledger is untouched.
ALTER TABLE figures_cases ADD COLUMN last_satisfaction TEXT;

DELETE FROM figures_cases;
DELETE FROM figures_holdings;
DELETE FROM figures_visits;
DELETE FROM figures_repeats;
DELETE FROM figures_cells;
DELETE FROM figures_cell_cases;
UPDATE view_positions SET position = 0, error = NULL, error_position = NULL WHERE view = 'figures';
