-- 0023: failed public look-ups of a query code (POST /api/v1/public/lookup, /rating, page /q), so
-- the limit of failures per client address and per case holds whichever API process answers
-- (`serve --workers N`) and across a restart (api/public_limit.py). Operational state, not the
-- ledger: rows older than the window are deleted. A subject is the SHA-256 of "address:..." or
-- "case:...", so no client address is kept in clear.
CREATE TABLE IF NOT EXISTS {schema}.public_lookup_failures (
    subject text NOT NULL,
    failed_at double precision NOT NULL
);
CREATE INDEX IF NOT EXISTS public_lookup_failures_subject ON {schema}.public_lookup_failures (subject, failed_at);
CREATE INDEX IF NOT EXISTS public_lookup_failures_time ON {schema}.public_lookup_failures (failed_at);
GRANT SELECT, INSERT, DELETE ON {schema}.public_lookup_failures TO xinfang_app;
