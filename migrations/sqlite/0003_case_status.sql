-- 0003: the case status view. One row per case (case_status, the case as the ledger knows
-- it now) and its history on both timelines (case_history), so "the cases / a leader's caseload
-- as of T" is an indexed query. Rows never hold the petitioners or the content (第三十条).
-- Columns unit_path / received_path / accused_path are unit paths ("/county/town/"), so a
-- subtree is a LIKE prefix (api/scope.py).
CREATE TABLE IF NOT EXISTS case_status (
    case_id TEXT PRIMARY KEY,
    version INTEGER,
    position INTEGER,
    status TEXT,
    kind TEXT,
    channel TEXT,
    category TEXT,
    subject TEXT,
    received_unit TEXT,
    received_path TEXT,
    unit_code TEXT,
    unit_path TEXT,
    leader_id TEXT,
    officer_id TEXT,
    accused_unit TEXT,
    accused_path TEXT,
    accused_leader TEXT,
    policy_version TEXT,
    registered_at TEXT,
    registered_on TEXT,
    recorded_at TEXT,
    accepted_at TEXT,
    answered_at TEXT,
    answered_on TEXT,
    closed_at TEXT,
    closed_on TEXT,
    handling_days INTEGER,
    visited_on TEXT,
    satisfaction TEXT,
    satisfied INTEGER NOT NULL,
    closure_type TEXT,
    screening_due TEXT,
    handling_due TEXT,
    review_decision_due TEXT,
    re_review_decision_due TEXT,
    next_due TEXT,
    next_clock TEXT,
    next_article TEXT,
    late_entry INTEGER NOT NULL,
    backlog INTEGER NOT NULL,
    campaigns TEXT NOT NULL,
    repeat_of TEXT NOT NULL,
    repeated INTEGER NOT NULL DEFAULT 0  -- a later case is linked as a repeat of this one
);
CREATE INDEX IF NOT EXISTS case_status_registered ON case_status (registered_at, case_id);
CREATE INDEX IF NOT EXISTS case_status_next_due ON case_status (next_due, case_id);
CREATE INDEX IF NOT EXISTS case_status_leader ON case_status (leader_id);
CREATE INDEX IF NOT EXISTS case_status_unit_path ON case_status (unit_path);
CREATE INDEX IF NOT EXISTS case_status_received_path ON case_status (received_path);

-- timeline 'recorded' (known_at) or 'occurred' (as_of); a state is valid over [valid_from, valid_to),
-- valid_to = 9999-12-31 for the state still in force (a value, not NULL, so both bounds index).
CREATE TABLE IF NOT EXISTS case_history (
    timeline TEXT NOT NULL,
    valid_from TEXT NOT NULL,
    valid_to TEXT NOT NULL,
    case_id TEXT,
    version INTEGER,
    position INTEGER,
    status TEXT,
    kind TEXT,
    channel TEXT,
    category TEXT,
    subject TEXT,
    received_unit TEXT,
    received_path TEXT,
    unit_code TEXT,
    unit_path TEXT,
    leader_id TEXT,
    officer_id TEXT,
    accused_unit TEXT,
    accused_path TEXT,
    accused_leader TEXT,
    policy_version TEXT,
    registered_at TEXT,
    registered_on TEXT,
    recorded_at TEXT,
    accepted_at TEXT,
    answered_at TEXT,
    answered_on TEXT,
    closed_at TEXT,
    closed_on TEXT,
    handling_days INTEGER,
    visited_on TEXT,
    satisfaction TEXT,
    satisfied INTEGER NOT NULL,
    closure_type TEXT,
    screening_due TEXT,
    handling_due TEXT,
    review_decision_due TEXT,
    re_review_decision_due TEXT,
    next_due TEXT,
    next_clock TEXT,
    next_article TEXT,
    late_entry INTEGER NOT NULL,
    backlog INTEGER NOT NULL,
    campaigns TEXT NOT NULL,
    repeat_of TEXT NOT NULL,
    PRIMARY KEY (case_id, timeline, valid_from)
);
CREATE INDEX IF NOT EXISTS case_history_at ON case_history (timeline, valid_from, valid_to);
CREATE INDEX IF NOT EXISTS case_history_leader_at ON case_history (timeline, leader_id, valid_from);
CREATE INDEX IF NOT EXISTS case_history_until ON case_history (timeline, valid_to);
