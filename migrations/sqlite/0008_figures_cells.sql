-- 0008: the key figures pre-aggregated (SQLite); see migrations/postgres/0008_figures_cells.sql.
CREATE TABLE IF NOT EXISTS figures_cells (
    kind TEXT NOT NULL,
    grain TEXT NOT NULL,
    bucket TEXT NOT NULL,
    category TEXT NOT NULL,
    received_path TEXT NOT NULL,
    unit_path TEXT NOT NULL,
    n INTEGER NOT NULL,
    n1 INTEGER NOT NULL,
    n2 INTEGER NOT NULL,
    n3 INTEGER NOT NULL,
    PRIMARY KEY (kind, grain, bucket, category, received_path, unit_path)
);
CREATE INDEX IF NOT EXISTS figures_cells_at ON figures_cells (grain, bucket);

CREATE TABLE IF NOT EXISTS figures_cell_cases (
    case_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    grain TEXT NOT NULL,
    bucket TEXT NOT NULL,
    category TEXT NOT NULL,
    received_path TEXT NOT NULL,
    unit_path TEXT NOT NULL,
    n INTEGER NOT NULL,
    n1 INTEGER NOT NULL,
    n2 INTEGER NOT NULL,
    n3 INTEGER NOT NULL,
    PRIMARY KEY (case_id, kind, grain, bucket)
);

-- Replay the figures view from the start (see the PostgreSQL migration).
DELETE FROM figures_cases;
DELETE FROM figures_holdings;
DELETE FROM figures_visits;
DELETE FROM figures_repeats;
UPDATE view_positions SET position = 0, error = NULL, error_position = NULL WHERE view = 'figures';
