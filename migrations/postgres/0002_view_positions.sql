-- 0002: where each view stands in the ledger. A view's rows and its position are written in
-- one transaction; a view stopped by an event it cannot apply keeps that position and error.
CREATE TABLE IF NOT EXISTS {schema}.view_positions (
    view text PRIMARY KEY,
    position bigint NOT NULL DEFAULT 0,
    updated_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    error text,
    error_position bigint
);
