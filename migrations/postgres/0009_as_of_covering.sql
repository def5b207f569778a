-- 0009: the as-of interval indexes of 0007 carry the columns the caseload reads (INCLUDE), so
-- "every leader's caseload as of T" is an index-only scan: EXPLAIN ANALYZE at 10k cases, 2,800
-- states containing T spread over 1,500-2,600 heap pages; the heap visits were half the
-- statement's time (7.5 -> 3.5 ms). Pages not yet all-visible (rows written since the last
-- vacuum) are still read from the heap, as before. Each replaces its 0007 index (same key and
-- predicate), so a view write still maintains one interval index per timeline.
CREATE INDEX IF NOT EXISTS case_history_occurred_span_covering ON {schema}.case_history
    USING gist (tstzrange(valid_from, greatest(valid_from, valid_to), '[)'))
    INCLUDE (leader_id, status, next_due, answered_on, closed_on, backlog, handling_days, visited_on,
             satisfaction, satisfied, received_path, unit_path, valid_from, valid_to)
    WHERE timeline = 'occurred';
CREATE INDEX IF NOT EXISTS case_history_recorded_span_covering ON {schema}.case_history
    USING gist (tstzrange(valid_from, greatest(valid_from, valid_to), '[)'))
    INCLUDE (leader_id, status, next_due, answered_on, closed_on, backlog, handling_days, visited_on,
             satisfaction, satisfied, received_path, unit_path, valid_from, valid_to)
    WHERE timeline = 'recorded';
DROP INDEX IF EXISTS {schema}.case_history_occurred_span;
DROP INDEX IF EXISTS {schema}.case_history_recorded_span;
