-- 0002: where each view stands in the ledger. A view's rows and its position are written in
-- one transaction; a view stopped by an event it cannot apply keeps that position and error.
CREATE TABLE IF NOT EXISTS view_positions (
    view TEXT PRIMARY KEY,
    position INTEGER NOT NULL DEFAULT 0,
    updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    error TEXT,
    error_position INTEGER
);
