-- 0019 (SQLite): page sessions and their cookie secret in the database (see the PostgreSQL file).
CREATE TABLE IF NOT EXISTS page_sessions (
    session_hash text PRIMARY KEY,
    token_hash text NOT NULL,
    csrf text NOT NULL,
    expires_at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS page_sessions_expires ON page_sessions (expires_at);
CREATE TABLE IF NOT EXISTS service_secrets (
    name text PRIMARY KEY,
    value text NOT NULL
);
