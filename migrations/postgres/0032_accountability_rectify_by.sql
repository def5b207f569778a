-- 0032: 责令限期整改 (第三十九条) carries its deadline. Earlier measures had none, so the column
-- is NULL on their rows exactly as a replay would write it: no rebuild is needed.
ALTER TABLE {schema}.accountability_records ADD COLUMN IF NOT EXISTS rectify_by text;
