-- 0025: the case status rows carry the answer's outcome (答复意见), the region code of the
-- matter and the last return visit's time and method, so a 台账 exported from the case list
-- holds what its import needs (the Excel round trip of issue 22).
ALTER TABLE {schema}.case_status
    ADD COLUMN IF NOT EXISTS answer_outcome text, ADD COLUMN IF NOT EXISTS region_code text,
    ADD COLUMN IF NOT EXISTS visited_at timestamptz, ADD COLUMN IF NOT EXISTS visit_method text;
ALTER TABLE {schema}.case_history
    ADD COLUMN IF NOT EXISTS answer_outcome text, ADD COLUMN IF NOT EXISTS region_code text,
    ADD COLUMN IF NOT EXISTS visited_at timestamptz, ADD COLUMN IF NOT EXISTS visit_method text;

-- Filled by replaying the view from the start (the runner does, on its next start), not by a
-- second copy of its logic in SQL. View rows are derived data; the ledger is untouched.
DELETE FROM {schema}.caseload_rollup;
DELETE FROM {schema}.case_history;
DELETE FROM {schema}.case_status;
DELETE FROM {schema}.case_identities;  -- the replay inserts them again (0018)
UPDATE {schema}.view_positions SET position = 0, error = NULL, error_position = NULL
    WHERE view = 'case_status';
