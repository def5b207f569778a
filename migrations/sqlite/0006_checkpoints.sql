-- 0006: signed checkpoints (SQLite); see migrations/postgres/0006_checkpoints.sql.
-- created_at is the canonical signed text (YYYY-MM-DDTHH:MM:SS.ffffffZ), so it reads back
-- exactly as it was signed.

CREATE TABLE IF NOT EXISTS checkpoints (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    position INTEGER NOT NULL,
    size INTEGER NOT NULL CHECK (size >= 0),
    root TEXT NOT NULL,
    created_at TEXT NOT NULL,
    key_id TEXT NOT NULL,
    signature TEXT NOT NULL,
    public_key TEXT NOT NULL,
    frontier TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS checkpoints_size ON checkpoints (size);

CREATE TRIGGER IF NOT EXISTS checkpoints_no_update
BEFORE UPDATE ON checkpoints
BEGIN
    SELECT RAISE(ABORT, 'append-only: UPDATE on checkpoints is not allowed');
END;

CREATE TRIGGER IF NOT EXISTS checkpoints_no_delete
BEFORE DELETE ON checkpoints
BEGIN
    SELECT RAISE(ABORT, 'append-only: DELETE on checkpoints is not allowed');
END;
