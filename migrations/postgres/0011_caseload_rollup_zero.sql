-- 0011: the caseload rollup's buckets whose sums came to zero, found without a scan: after
-- summing a batch's changes the case status view deletes them (projections/caseload_rollup.py),
-- and there are only ever the few the batch made. The condition must stay the same text as the
-- view's DELETE, so the planner can match it to this index.
CREATE INDEX IF NOT EXISTS caseload_rollup_zero ON {schema}.caseload_rollup (timeline)
    WHERE present = 0 AND open = 0 AND overdue = 0 AND answered = 0 AND closed = 0 AND backlog = 0 AND handling_sum = 0 AND handling_n = 0 AND satisfied = 0 AND visits = 0;
