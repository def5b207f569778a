-- 0007: indexes for the read queries under load (issue 6).
-- "The cases as of T" asks for the states with valid_from <= T < valid_to: a B-tree on either
-- bound reads every state that began before T (or ended after it), most of the table for a
-- date in the past. A GiST index on the interval finds the states containing T directly; one
-- per timeline (partial: the queries name the timeline as a constant). greatest() keeps the
-- range well formed; a state with valid_to <= valid_from contains no instant either way.
CREATE INDEX IF NOT EXISTS case_history_occurred_span ON {schema}.case_history
    USING gist (tstzrange(valid_from, greatest(valid_from, valid_to), '[)')) WHERE timeline = 'occurred';
CREATE INDEX IF NOT EXISTS case_history_recorded_span ON {schema}.case_history
    USING gist (tstzrange(valid_from, greatest(valid_from, valid_to), '[)')) WHERE timeline = 'recorded';
-- The case listing filtered by status (the usual filter), newest registration first.
CREATE INDEX IF NOT EXISTS case_status_status_registered ON {schema}.case_status (status, registered_at, case_id);
