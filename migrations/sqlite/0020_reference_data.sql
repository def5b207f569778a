-- 0020 (SQLite): reference data as a view (see the PostgreSQL file).
CREATE TABLE IF NOT EXISTS ref_units (
    aggregate_id text PRIMARY KEY,
    code text NOT NULL UNIQUE,
    name text NOT NULL,
    parent_code text,
    path text NOT NULL,
    level INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS ref_leaders (
    aggregate_id text PRIMARY KEY,
    leader_id text NOT NULL UNIQUE,
    name text NOT NULL,
    unit_code text NOT NULL,
    post text NOT NULL,
    active INTEGER NOT NULL,
    posts INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS ref_leader_posts (
    leader_id text NOT NULL,
    seq INTEGER NOT NULL,
    unit_code text NOT NULL,
    post text NOT NULL,
    started_at text NOT NULL,
    ended_at text,
    PRIMARY KEY (leader_id, seq)
);
CREATE INDEX IF NOT EXISTS ref_leader_posts_unit ON ref_leader_posts (unit_code);
CREATE TABLE IF NOT EXISTS ref_users (
    aggregate_id text PRIMARY KEY,
    user_id text NOT NULL UNIQUE,
    name text NOT NULL,
    role text NOT NULL,
    unit_code text,
    leader_id text,
    active INTEGER NOT NULL
);
