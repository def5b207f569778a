-- 0019: page sessions and the secret that signs their cookies live in the database, so a session
-- (and the login form's CSRF cookie) works whichever API process (`serve --workers N`) answers,
-- and outlives a restart (api/pages/session.py). Operational state, not the ledger: a logout
-- deletes its row. Neither column holds a credential: sessions are keyed by the SHA-256 of the
-- session id the cookie carries, and name their user by the SHA-256 of the bearer token.
CREATE TABLE IF NOT EXISTS {schema}.page_sessions (
    session_hash text PRIMARY KEY,
    token_hash text NOT NULL,
    csrf text NOT NULL,
    expires_at double precision NOT NULL
);
CREATE INDEX IF NOT EXISTS page_sessions_expires ON {schema}.page_sessions (expires_at);
CREATE TABLE IF NOT EXISTS {schema}.service_secrets (
    name text PRIMARY KEY,
    value text NOT NULL
);
GRANT SELECT, INSERT, DELETE ON {schema}.page_sessions TO xinfang_app;
GRANT SELECT, INSERT ON {schema}.service_secrets TO xinfang_app;
