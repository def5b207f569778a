-- 0015: case heads under signed checkpoints (SQLite); see migrations/postgres/0015_checkpoint_heads.sql.
-- originator_id is the hyphenated UUID text.

ALTER TABLE checkpoints ADD COLUMN heads_root TEXT;
ALTER TABLE checkpoints ADD COLUMN heads_size INTEGER;
ALTER TABLE checkpoints ADD COLUMN heads_since INTEGER;

CREATE TABLE IF NOT EXISTS checkpoint_heads (
    checkpoint_id INTEGER NOT NULL,
    originator_id TEXT NOT NULL,
    version INTEGER NOT NULL,
    head_hash TEXT NOT NULL,
    PRIMARY KEY (checkpoint_id, originator_id)
);
CREATE INDEX IF NOT EXISTS checkpoint_heads_case ON checkpoint_heads (originator_id, checkpoint_id);

CREATE TRIGGER IF NOT EXISTS checkpoint_heads_no_update
BEFORE UPDATE ON checkpoint_heads
BEGIN
    SELECT RAISE(ABORT, 'append-only: UPDATE on checkpoint_heads is not allowed');
END;

CREATE TRIGGER IF NOT EXISTS checkpoint_heads_no_delete
BEFORE DELETE ON checkpoint_heads
BEGIN
    SELECT RAISE(ABORT, 'append-only: DELETE on checkpoint_heads is not allowed');
END;
