-- 0023 (SQLite): failed public look-ups of a query code (see the PostgreSQL file).
CREATE TABLE IF NOT EXISTS public_lookup_failures (
    subject text NOT NULL,
    failed_at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS public_lookup_failures_subject ON public_lookup_failures (subject, failed_at);
CREATE INDEX IF NOT EXISTS public_lookup_failures_time ON public_lookup_failures (failed_at);
