-- 0031: recommendations of 第四十条 (improve the work, complete a policy, hold to account) and
-- the target unit's written feedback on adoption, as a view (projections/recommendations.py).
-- A row names no case and no party: what a target unit reads cannot tell it who accused it
-- (第三十条). Filled by the runner from position 0 (a new view starts there).
CREATE TABLE IF NOT EXISTS {schema}.recommendations (
    recommendation_id text PRIMARY KEY,
    position bigint NOT NULL,
    kind text NOT NULL,
    target_unit_code text NOT NULL,
    target_path text,
    issuing_unit text NOT NULL,
    issued_by text NOT NULL,
    issued_at text NOT NULL,
    text text NOT NULL,
    feedback_due text NOT NULL,
    adopted boolean,
    feedback_text text,
    feedback_by text,
    feedback_at text
);
CREATE INDEX IF NOT EXISTS recommendations_issued ON {schema}.recommendations (issued_at, recommendation_id);
CREATE INDEX IF NOT EXISTS recommendations_target_path ON {schema}.recommendations (target_path text_pattern_ops);
GRANT SELECT, INSERT, UPDATE, DELETE ON {schema}.recommendations TO xinfang_app;
