-- 0028 (SQLite): receptions, campaigns, first petitions (see the PostgreSQL file).
CREATE TABLE IF NOT EXISTS ref_receptions (
    aggregate_id text PRIMARY KEY,
    reception_id text NOT NULL UNIQUE,
    leader_id text NOT NULL,
    held_on text NOT NULL,
    place text NOT NULL,
    kind text NOT NULL,
    unit_code text NOT NULL,
    unit_path text NOT NULL,
    unit_codes text NOT NULL,
    recorded_by text NOT NULL,
    recorded_at text NOT NULL
);
CREATE INDEX IF NOT EXISTS ref_receptions_held ON ref_receptions (held_on);
CREATE INDEX IF NOT EXISTS ref_receptions_leader ON ref_receptions (leader_id, held_on);
CREATE TABLE IF NOT EXISTS ref_campaigns (
    aggregate_id text PRIMARY KEY,
    campaign_id text NOT NULL UNIQUE,
    name text NOT NULL,
    starts_on text NOT NULL,
    due_on text NOT NULL,
    unit_code text
);

ALTER TABLE case_status ADD COLUMN reception_id text;
ALTER TABLE case_status ADD COLUMN campaigns_cleared text NOT NULL DEFAULT '[]';
ALTER TABLE case_status ADD COLUMN first_petition INTEGER NOT NULL DEFAULT 0;
ALTER TABLE case_history ADD COLUMN reception_id text;
ALTER TABLE case_history ADD COLUMN campaigns_cleared text NOT NULL DEFAULT '[]';
CREATE INDEX IF NOT EXISTS case_status_reception ON case_status (reception_id) WHERE reception_id IS NOT NULL;

ALTER TABLE figures_cases ADD COLUMN first_petition INTEGER NOT NULL DEFAULT 0;
CREATE TABLE IF NOT EXISTS figures_identities (
    id_hash text NOT NULL,
    case_id text NOT NULL,
    PRIMARY KEY (id_hash, case_id)
);
CREATE TABLE IF NOT EXISTS figures_petitions (
    case_id text PRIMARY KEY,
    first_petition INTEGER NOT NULL
);

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
