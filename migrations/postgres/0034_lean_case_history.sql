-- 0034: the case status view's history keeps one row per change of what as-of and known-at reads
-- filter or show, not one per event (projections/case_history_rows.py): steps that changed only a
-- case's version and ledger position are one row, their instants, versions and positions in
-- `marks`. And every leader's current caseload is kept as counts (caseload_now,
-- projections/caseload_now.py), so that read no longer grows with the cases a leader ever held.
-- The history rows are replaced by replaying the view from the start (the runner does, on its
-- next start). View rows are derived data; the ledger is untouched.
TRUNCATE {schema}.case_history, {schema}.caseload_rollup;
ALTER TABLE {schema}.case_history ADD COLUMN IF NOT EXISTS marks text NOT NULL DEFAULT '';

-- One row per leader, holding unit, receiving unit ('' where the case has none) and next due
-- date (9999-12-31 while no office deadline runs) of the current rows, with their counts.
CREATE TABLE IF NOT EXISTS {schema}.caseload_now (
    leader_id text NOT NULL,
    unit_path text NOT NULL,
    received_path text NOT NULL,
    next_due date NOT NULL,
    present bigint NOT NULL,
    open bigint NOT NULL,
    answered bigint NOT NULL,
    closed bigint NOT NULL,
    backlog bigint NOT NULL,
    handling_sum bigint NOT NULL,
    handling_n bigint NOT NULL,
    satisfied bigint NOT NULL,
    visits bigint NOT NULL,
    PRIMARY KEY (leader_id, unit_path, received_path, next_due)
);
-- The rows a batch brought to zero, found without a scan (the view's DELETE has this condition).
CREATE INDEX IF NOT EXISTS caseload_now_zero ON {schema}.caseload_now (leader_id) WHERE present = 0;
GRANT SELECT, INSERT, UPDATE, DELETE ON {schema}.caseload_now TO xinfang_app;

DELETE FROM {schema}.case_identities;
DELETE FROM {schema}.case_status;
UPDATE {schema}.view_positions SET position = 0, error = NULL, error_position = NULL WHERE view = 'case_status';
