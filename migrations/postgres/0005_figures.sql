-- 0005: the key figures view (projections/figures.py): one row of facts per case, the units
-- and leaders that held each case and when, every return visit, and repeat links.
-- Dates are China-local calendar days; flags are 0/1 integers (the same SQL runs on SQLite).
CREATE TABLE IF NOT EXISTS {schema}.figures_cases (
    case_id uuid PRIMARY KEY,
    registered_on date NOT NULL,
    accepted_on date,
    closed_on date,              -- the final closure, NULL unless the case is closed now
    closure_type text,           -- of that closure (corrected), NULL unless closed now
    handling_due_on date,        -- the handling deadline of the period that was closed
    on_time smallint,            -- closed_on <= handling_due_on; NULL unless closed now
    settle_by date,              -- closed_on + 90 days: a repeat after this does not unsettle
    category text NOT NULL,      -- corrected
    campaigns text NOT NULL,     -- backlog campaigns, each framed by U+001F
    review_requested smallint NOT NULL,
    reopened integer NOT NULL,   -- how many times
    repeat_count integer NOT NULL DEFAULT 0,  -- later cases linked as repeats of this one
    first_repeat_on date,        -- the earliest registration day of those later cases
    received_path text,
    unit_path text,
    leader_id text,
    kind text,
    accused_path text,
    accused_leader text
);
CREATE INDEX IF NOT EXISTS figures_cases_registered ON {schema}.figures_cases (registered_on);
CREATE INDEX IF NOT EXISTS figures_cases_accepted ON {schema}.figures_cases (accepted_on);
CREATE INDEX IF NOT EXISTS figures_cases_closed ON {schema}.figures_cases (closed_on);

-- Who held the case and when: from held_from up to, not including, held_until. Before its first
-- assignment a case is held by the unit that received it, with no leader.
CREATE TABLE IF NOT EXISTS {schema}.figures_holdings (
    case_id uuid NOT NULL,
    seq integer NOT NULL,
    unit_path text,
    leader_id text,
    held_from date NOT NULL,
    held_until date,             -- the day the next holder took over; NULL: holds it still
    PRIMARY KEY (case_id, seq)
);
CREATE INDEX IF NOT EXISTS figures_holdings_leader ON {schema}.figures_holdings (leader_id, case_id);

CREATE TABLE IF NOT EXISTS {schema}.figures_visits (
    case_id uuid NOT NULL,
    seq integer NOT NULL,
    visited_on date NOT NULL,
    satisfaction text NOT NULL,  -- corrected
    PRIMARY KEY (case_id, seq)
);
CREATE INDEX IF NOT EXISTS figures_visits_day ON {schema}.figures_visits (visited_on);

CREATE TABLE IF NOT EXISTS {schema}.figures_repeats (
    later_case_id uuid NOT NULL,
    earlier_case_id uuid NOT NULL,
    repeat_on date NOT NULL,     -- the later case's registration day
    PRIMARY KEY (later_case_id, earlier_case_id)
);
CREATE INDEX IF NOT EXISTS figures_repeats_earlier ON {schema}.figures_repeats (earlier_case_id);

GRANT SELECT, INSERT, UPDATE, DELETE ON {schema}.figures_cases, {schema}.figures_holdings,
    {schema}.figures_visits, {schema}.figures_repeats TO xinfang_app;
