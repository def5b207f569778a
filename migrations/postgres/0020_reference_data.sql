-- 0020: reference data as a view (projections/reference_data.py): units with their path and
-- level, leaders with every post held over time, users. The lists of units, leaders and users
-- and the pages' names read these tables instead of replaying the ledger's reference events
-- on each request. Filled by the runner from position 0 (a new view starts there).
CREATE TABLE IF NOT EXISTS {schema}.ref_units (
    aggregate_id text PRIMARY KEY,
    code text NOT NULL UNIQUE,
    name text NOT NULL,
    parent_code text,
    path text NOT NULL,
    level integer NOT NULL
);
CREATE TABLE IF NOT EXISTS {schema}.ref_leaders (
    aggregate_id text PRIMARY KEY,
    leader_id text NOT NULL UNIQUE,
    name text NOT NULL,
    unit_code text NOT NULL,
    post text NOT NULL,
    active boolean NOT NULL,
    posts integer NOT NULL
);
CREATE TABLE IF NOT EXISTS {schema}.ref_leader_posts (
    leader_id text NOT NULL,
    seq integer NOT NULL,
    unit_code text NOT NULL,
    post text NOT NULL,
    started_at text NOT NULL,
    ended_at text,
    PRIMARY KEY (leader_id, seq)
);
CREATE INDEX IF NOT EXISTS ref_leader_posts_unit ON {schema}.ref_leader_posts (unit_code);
CREATE TABLE IF NOT EXISTS {schema}.ref_users (
    aggregate_id text PRIMARY KEY,
    user_id text NOT NULL UNIQUE,
    name text NOT NULL,
    role text NOT NULL,
    unit_code text,
    leader_id text,
    active boolean NOT NULL
);
GRANT SELECT, INSERT, UPDATE, DELETE ON {schema}.ref_units, {schema}.ref_leaders,
    {schema}.ref_leader_posts, {schema}.ref_users TO xinfang_app;
