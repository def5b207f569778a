-- 0018 (SQLite): petitioners' identity numbers as SHA-256 hashes, per case, for the repeat
-- look-up at registration (DOMAIN.md R10); see migrations/postgres/0018_case_identities.sql.
CREATE TABLE IF NOT EXISTS case_identities (
    id_hash TEXT NOT NULL,
    case_id TEXT NOT NULL,
    terminated INTEGER NOT NULL,
    PRIMARY KEY (id_hash, case_id)
);

DELETE FROM caseload_rollup;
DELETE FROM case_history;
DELETE FROM case_status;
-- The figures view replays too: a suggestion no longer has a handling deadline (R4).
DELETE FROM figures_cell_cases;
DELETE FROM figures_cells;
DELETE FROM figures_cases;
DELETE FROM figures_holdings;
DELETE FROM figures_visits;
DELETE FROM figures_repeats;
UPDATE view_positions SET position = 0, error = NULL, error_position = NULL
    WHERE view IN ('case_status', 'figures');
