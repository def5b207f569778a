-- 0004: satisfaction records and the accountability register (projections/satisfaction.py,
-- projections/accountability.py). Each view keeps its own per-case context (who held the case,
-- its category and the reader-scope columns) so views never read each other's tables.
-- Times are UTC ISO 8601 text of fixed width, so text order is time order on both stores;
-- `day` and `month` are the China-time date of the event, for period filters and grouping.
CREATE TABLE IF NOT EXISTS satisfaction_case_context (
    case_id text PRIMARY KEY,
    category text NOT NULL,
    received_path text,
    kind text,
    accused_path text,
    accused_leader text,
    unit_code text,
    unit_path text,
    leader_id text
);
CREATE TABLE IF NOT EXISTS satisfaction_records (
    case_id text NOT NULL,
    version integer NOT NULL,
    position INTEGER NOT NULL UNIQUE,
    occurred_at text NOT NULL,
    day text NOT NULL,
    month text NOT NULL,
    satisfaction text NOT NULL,
    signed INTEGER NOT NULL,
    method text NOT NULL,
    comment text,
    leader_id text,
    unit_code text,
    unit_path text,
    category text NOT NULL,
    received_path text,
    kind text,
    accused_path text,
    accused_leader text,
    PRIMARY KEY (case_id, version)
);
CREATE INDEX IF NOT EXISTS satisfaction_records_newest ON satisfaction_records (occurred_at DESC, position DESC);
CREATE INDEX IF NOT EXISTS satisfaction_records_day ON satisfaction_records (day);
CREATE INDEX IF NOT EXISTS satisfaction_records_leader ON satisfaction_records (leader_id, day);
CREATE INDEX IF NOT EXISTS satisfaction_records_unit ON satisfaction_records (unit_path);

CREATE TABLE IF NOT EXISTS accountability_case_context (
    case_id text PRIMARY KEY,
    category text NOT NULL,
    received_path text,
    kind text,
    accused_path text,
    accused_leader text,
    unit_code text,
    unit_path text,
    leader_id text
);
CREATE TABLE IF NOT EXISTS accountability_records (
    case_id text NOT NULL,
    version integer NOT NULL,
    position INTEGER NOT NULL UNIQUE,
    occurred_at text NOT NULL,
    day text NOT NULL,
    measure text NOT NULL,
    basis text NOT NULL,
    decided_by text NOT NULL,
    target_leader_id text,
    target_unit_code text,
    target_unit_path text,
    received_path text,
    unit_path text,
    leader_id text,
    kind text,
    accused_path text,
    accused_leader text,
    PRIMARY KEY (case_id, version)
);
CREATE INDEX IF NOT EXISTS accountability_records_newest ON accountability_records (occurred_at DESC, position DESC);
CREATE INDEX IF NOT EXISTS accountability_records_target_leader ON accountability_records (target_leader_id);
CREATE INDEX IF NOT EXISTS accountability_records_target_unit ON accountability_records (target_unit_path);
