-- 0028: practices of the county reports (issue 21). Leaders' receptions (领导接访) and backlog
-- campaigns (积案专项) in the reference-data view; on each case, the reception it was registered
-- at, the campaigns it was struck off (销号) and whether it is a first petition (初信初访: no case
-- of the same identity number was registered before it in the ledger).
CREATE TABLE IF NOT EXISTS {schema}.ref_receptions (
    aggregate_id text PRIMARY KEY,
    reception_id text NOT NULL UNIQUE,
    leader_id text NOT NULL,
    held_on date NOT NULL,
    place text NOT NULL,
    kind text NOT NULL,
    unit_code text NOT NULL,      -- the unit of the leader's post that day
    unit_path text NOT NULL,
    unit_codes text NOT NULL,     -- a joint reception's units present, a JSON list
    recorded_by text NOT NULL,
    recorded_at timestamptz NOT NULL
);
CREATE INDEX IF NOT EXISTS ref_receptions_held ON {schema}.ref_receptions (held_on);
CREATE INDEX IF NOT EXISTS ref_receptions_leader ON {schema}.ref_receptions (leader_id, held_on);
CREATE TABLE IF NOT EXISTS {schema}.ref_campaigns (
    aggregate_id text PRIMARY KEY,
    campaign_id text NOT NULL UNIQUE,
    name text NOT NULL,
    starts_on date NOT NULL,
    due_on date NOT NULL,
    unit_code text
);

ALTER TABLE {schema}.case_status
    ADD COLUMN IF NOT EXISTS reception_id text,
    ADD COLUMN IF NOT EXISTS campaigns_cleared text NOT NULL DEFAULT '[]',
    ADD COLUMN IF NOT EXISTS first_petition boolean NOT NULL DEFAULT false;
ALTER TABLE {schema}.case_history
    ADD COLUMN IF NOT EXISTS reception_id text,
    ADD COLUMN IF NOT EXISTS campaigns_cleared text NOT NULL DEFAULT '[]';
CREATE INDEX IF NOT EXISTS case_status_reception ON {schema}.case_status (reception_id)
    WHERE reception_id IS NOT NULL;

-- The figures view's own identity index (views are independent): which cases are first petitions.
ALTER TABLE {schema}.figures_cases ADD COLUMN IF NOT EXISTS first_petition smallint NOT NULL DEFAULT 0;
CREATE TABLE IF NOT EXISTS {schema}.figures_identities (
    id_hash text NOT NULL,
    case_id uuid NOT NULL,
    PRIMARY KEY (id_hash, case_id)
);
CREATE TABLE IF NOT EXISTS {schema}.figures_petitions (
    case_id uuid PRIMARY KEY,
    first_petition smallint NOT NULL
);

GRANT SELECT, INSERT, UPDATE, DELETE ON {schema}.ref_receptions, {schema}.ref_campaigns,
    {schema}.figures_identities, {schema}.figures_petitions TO xinfang_app;

-- Filled by replaying the case status and figures views from the start (the runner does, on its
-- next start). View rows are derived data; the ledger is untouched.
DELETE FROM {schema}.caseload_rollup;
DELETE FROM {schema}.case_history;
DELETE FROM {schema}.case_status;
DELETE FROM {schema}.case_identities;
DELETE FROM {schema}.figures_cell_cases;
DELETE FROM {schema}.figures_cells;
DELETE FROM {schema}.figures_cases;
DELETE FROM {schema}.figures_holdings;
DELETE FROM {schema}.figures_visits;
DELETE FROM {schema}.figures_repeats;
UPDATE {schema}.view_positions SET position = 0, error = NULL, error_position = NULL
    WHERE view IN ('case_status', 'figures');
