-- 0012: the as-of interval indexes carry the interval alone again, as 0007 made them. 0009 had
-- them carry fourteen caseload columns, so "every leader's caseload as of T" was an index-only
-- scan; the caseload rollup (0010) now answers that question, and what stayed was the cost of
-- writing the fourteen columns into two GiST indexes with every history row (at 100,000 cases,
-- 20,000 history rows took 420 ms to insert with them, 280 ms without). The caseload over a
-- period as of T still reads states through these indexes, and their rows from the heap.
CREATE INDEX IF NOT EXISTS case_history_occurred_span ON {schema}.case_history
    USING gist (tstzrange(valid_from, greatest(valid_from, valid_to), '[)')) WHERE timeline = 'occurred';
CREATE INDEX IF NOT EXISTS case_history_recorded_span ON {schema}.case_history
    USING gist (tstzrange(valid_from, greatest(valid_from, valid_to), '[)')) WHERE timeline = 'recorded';
DROP INDEX IF EXISTS {schema}.case_history_occurred_span_covering;
DROP INDEX IF EXISTS {schema}.case_history_recorded_span_covering;
