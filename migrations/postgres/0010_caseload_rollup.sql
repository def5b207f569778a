-- 0010: every leader's caseload as of an instant from summed changes (projections/caseload_rollup.py),
-- so the statement reads a number of buckets bounded by leaders x units x (months + 31 days +
-- one day's instants), not one history row per case registered before the instant.
-- A bucket sums the changes to the caseload counts of one leader, holding unit and receiving
-- unit ('' where the case has none, as in figures_cells) on one timeline, in one month ('m',
-- bucket = its first instant, UTC), one day ('d') or at one exact instant ('x').
CREATE TABLE IF NOT EXISTS {schema}.caseload_rollup (
    timeline text NOT NULL,
    grain text NOT NULL,
    bucket timestamptz NOT NULL,
    leader_id text NOT NULL,
    unit_path text NOT NULL,
    received_path text NOT NULL,
    present bigint NOT NULL,
    open bigint NOT NULL,
    overdue bigint NOT NULL,
    answered bigint NOT NULL,
    closed bigint NOT NULL,
    backlog bigint NOT NULL,
    handling_sum bigint NOT NULL,
    handling_n bigint NOT NULL,
    satisfied bigint NOT NULL,
    visits bigint NOT NULL,
    PRIMARY KEY (timeline, grain, bucket, leader_id, unit_path, received_path)
);

GRANT SELECT, INSERT, UPDATE, DELETE ON {schema}.caseload_rollup TO xinfang_app;

-- A new table of the case status view: replay the view from the start (the runner does, on its
-- next start) rather than fill it here with a second copy of the view's logic in SQL.
-- View rows are derived data; the ledger is untouched.
DELETE FROM {schema}.case_history;
DELETE FROM {schema}.case_status;
UPDATE {schema}.view_positions SET position = 0, error = NULL, error_position = NULL WHERE view = 'case_status';
