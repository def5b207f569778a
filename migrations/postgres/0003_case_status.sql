-- 0003: the case status view. One row per case (case_status, the case as the ledger knows
-- it now) and its history on both timelines (case_history), so "the cases / a leader's caseload
-- as of T" is an indexed query. Rows never hold the petitioners or the content (第三十条).
-- Columns unit_path / received_path / accused_path are unit paths ("/county/town/"), so a
-- subtree is a LIKE prefix (api/scope.py).
CREATE TABLE IF NOT EXISTS {schema}.case_status (
    case_id text PRIMARY KEY,
    version integer,
    position bigint,
    status text,
    kind text,
    channel text,
    category text,
    subject text,
    received_unit text,
    received_path text,
    unit_code text,
    unit_path text,
    leader_id text,
    officer_id text,
    accused_unit text,
    accused_path text,
    accused_leader text,
    policy_version text,
    registered_at timestamptz,
    registered_on date,
    recorded_at timestamptz,
    accepted_at timestamptz,
    answered_at timestamptz,
    answered_on date,
    closed_at timestamptz,
    closed_on date,
    handling_days integer,
    visited_on date,
    satisfaction text,
    satisfied boolean NOT NULL,
    closure_type text,
    screening_due date,
    handling_due date,
    review_decision_due date,
    re_review_decision_due date,
    next_due date,
    next_clock text,
    next_article text,
    late_entry boolean NOT NULL,
    backlog boolean NOT NULL,
    campaigns text NOT NULL,
    repeat_of text NOT NULL,
    repeated boolean NOT NULL DEFAULT false  -- a later case is linked as a repeat of this one
);
CREATE INDEX IF NOT EXISTS case_status_registered ON {schema}.case_status (registered_at, case_id);
CREATE INDEX IF NOT EXISTS case_status_next_due ON {schema}.case_status (next_due, case_id);
CREATE INDEX IF NOT EXISTS case_status_leader ON {schema}.case_status (leader_id);
CREATE INDEX IF NOT EXISTS case_status_unit_path ON {schema}.case_status (unit_path text_pattern_ops);
CREATE INDEX IF NOT EXISTS case_status_received_path ON {schema}.case_status (received_path text_pattern_ops);

-- timeline 'recorded' (known_at) or 'occurred' (as_of); a state is valid over [valid_from, valid_to),
-- valid_to = 9999-12-31 for the state still in force (a value, not NULL, so both bounds index).
CREATE TABLE IF NOT EXISTS {schema}.case_history (
    timeline text NOT NULL,
    valid_from timestamptz NOT NULL,
    valid_to timestamptz NOT NULL,
    case_id text,
    version integer,
    position bigint,
    status text,
    kind text,
    channel text,
    category text,
    subject text,
    received_unit text,
    received_path text,
    unit_code text,
    unit_path text,
    leader_id text,
    officer_id text,
    accused_unit text,
    accused_path text,
    accused_leader text,
    policy_version text,
    registered_at timestamptz,
    registered_on date,
    recorded_at timestamptz,
    accepted_at timestamptz,
    answered_at timestamptz,
    answered_on date,
    closed_at timestamptz,
    closed_on date,
    handling_days integer,
    visited_on date,
    satisfaction text,
    satisfied boolean NOT NULL,
    closure_type text,
    screening_due date,
    handling_due date,
    review_decision_due date,
    re_review_decision_due date,
    next_due date,
    next_clock text,
    next_article text,
    late_entry boolean NOT NULL,
    backlog boolean NOT NULL,
    campaigns text NOT NULL,
    repeat_of text NOT NULL,
    PRIMARY KEY (case_id, timeline, valid_from)
);
CREATE INDEX IF NOT EXISTS case_history_at ON {schema}.case_history (timeline, valid_from, valid_to);
CREATE INDEX IF NOT EXISTS case_history_leader_at ON {schema}.case_history (timeline, leader_id, valid_from);
CREATE INDEX IF NOT EXISTS case_history_until ON {schema}.case_history (timeline, valid_to);
