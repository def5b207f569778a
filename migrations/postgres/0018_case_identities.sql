-- 0018: petitioners' identity numbers as SHA-256 hashes (never the numbers), per case, for the
-- repeat look-up at registration (重信重访, DOMAIN.md R10; domain/identity.py). A table of the
-- case status view, so a look-up joins case_status at the same position.
CREATE TABLE IF NOT EXISTS {schema}.case_identities (
    id_hash text NOT NULL,
    case_id text NOT NULL,
    terminated boolean NOT NULL,
    PRIMARY KEY (id_hash, case_id)
);

GRANT SELECT, INSERT, UPDATE, DELETE ON {schema}.case_identities TO xinfang_app;

-- Filled by replaying the case status view from the start (the runner does, on its next start),
-- not by a second copy of its logic in SQL. The figures view replays too: a suggestion no longer
-- has a handling deadline (R4), so its facts change. View rows are derived data; the ledger is
-- untouched.
DELETE FROM {schema}.caseload_rollup;
DELETE FROM {schema}.case_history;
DELETE FROM {schema}.case_status;
DELETE FROM {schema}.figures_cell_cases;
DELETE FROM {schema}.figures_cells;
DELETE FROM {schema}.figures_cases;
DELETE FROM {schema}.figures_holdings;
DELETE FROM {schema}.figures_visits;
DELETE FROM {schema}.figures_repeats;
UPDATE {schema}.view_positions SET position = 0, error = NULL, error_position = NULL
    WHERE view IN ('case_status', 'figures');
