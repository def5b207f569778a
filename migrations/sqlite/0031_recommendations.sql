-- 0031 (SQLite): recommendations of 第四十条 and the unit's feedback (see the PostgreSQL file).
CREATE TABLE IF NOT EXISTS recommendations (
    recommendation_id text PRIMARY KEY,
    position INTEGER NOT NULL,
    kind text NOT NULL,
    target_unit_code text NOT NULL,
    target_path text,
    issuing_unit text NOT NULL,
    issued_by text NOT NULL,
    issued_at text NOT NULL,
    text text NOT NULL,
    feedback_due text NOT NULL,
    adopted INTEGER,
    feedback_text text,
    feedback_by text,
    feedback_at text
);
CREATE INDEX IF NOT EXISTS recommendations_issued ON recommendations (issued_at, recommendation_id);
CREATE INDEX IF NOT EXISTS recommendations_target_path ON recommendations (target_path);
