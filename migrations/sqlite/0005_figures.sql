-- 0005: the key figures view (projections/figures.py): one row of facts per case, the units
-- and leaders that held each case and when, every return visit, and repeat links.
-- Dates are China-local calendar days as ISO text (YYYY-MM-DD); flags are 0/1 integers.
CREATE TABLE IF NOT EXISTS figures_cases (
    case_id TEXT PRIMARY KEY,
    registered_on TEXT NOT NULL,
    accepted_on TEXT,
    closed_on TEXT,              -- the final closure, NULL unless the case is closed now
    closure_type TEXT,           -- of that closure (corrected), NULL unless closed now
    handling_due_on TEXT,        -- the handling deadline of the period that was closed
    on_time INTEGER,             -- closed_on <= handling_due_on; NULL unless closed now
    settle_by TEXT,              -- closed_on + 90 days: a repeat after this does not unsettle
    category TEXT NOT NULL,      -- corrected
    campaigns TEXT NOT NULL,     -- backlog campaigns, each framed by U+001F
    review_requested INTEGER NOT NULL,
    reopened INTEGER NOT NULL,   -- how many times
    repeat_count INTEGER NOT NULL DEFAULT 0,  -- later cases linked as repeats of this one
    first_repeat_on TEXT,        -- the earliest registration day of those later cases
    received_path TEXT,
    unit_path TEXT,
    leader_id TEXT,
    kind TEXT,
    accused_path TEXT,
    accused_leader TEXT
);
CREATE INDEX IF NOT EXISTS figures_cases_registered ON figures_cases (registered_on);
CREATE INDEX IF NOT EXISTS figures_cases_accepted ON figures_cases (accepted_on);
CREATE INDEX IF NOT EXISTS figures_cases_closed ON figures_cases (closed_on);

-- Who held the case and when: from held_from up to, not including, held_until. Before its first
-- assignment a case is held by the unit that received it, with no leader.
CREATE TABLE IF NOT EXISTS figures_holdings (
    case_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    unit_path TEXT,
    leader_id TEXT,
    held_from TEXT NOT NULL,
    held_until TEXT,             -- the day the next holder took over; NULL: holds it still
    PRIMARY KEY (case_id, seq)
);
CREATE INDEX IF NOT EXISTS figures_holdings_leader ON figures_holdings (leader_id, case_id);

CREATE TABLE IF NOT EXISTS figures_visits (
    case_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    visited_on TEXT NOT NULL,
    satisfaction TEXT NOT NULL,  -- corrected
    PRIMARY KEY (case_id, seq)
);
CREATE INDEX IF NOT EXISTS figures_visits_day ON figures_visits (visited_on);

CREATE TABLE IF NOT EXISTS figures_repeats (
    later_case_id TEXT NOT NULL,
    earlier_case_id TEXT NOT NULL,
    repeat_on TEXT NOT NULL,     -- the later case's registration day
    PRIMARY KEY (later_case_id, earlier_case_id)
);
CREATE INDEX IF NOT EXISTS figures_repeats_earlier ON figures_repeats (earlier_case_id);
