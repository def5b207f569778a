-- 0025 (SQLite): the case status rows carry the answer's outcome (答复意见), the region code of
-- the matter and the last return visit's time and method, so a 台账 exported from the case list
-- holds what its import needs (the Excel round trip of issue 22). The view is replayed from the start to fill them (as 0016 did).
ALTER TABLE case_status ADD COLUMN answer_outcome text;
ALTER TABLE case_status ADD COLUMN region_code text;
ALTER TABLE case_status ADD COLUMN visited_at TEXT;
ALTER TABLE case_status ADD COLUMN visit_method text;
ALTER TABLE case_history ADD COLUMN answer_outcome text;
ALTER TABLE case_history ADD COLUMN region_code text;
ALTER TABLE case_history ADD COLUMN visited_at TEXT;
ALTER TABLE case_history ADD COLUMN visit_method text;

DELETE FROM caseload_rollup;
DELETE FROM case_history;
DELETE FROM case_status;
DELETE FROM case_identities;  -- the replay inserts them again (0018)
UPDATE view_positions SET position = 0, error = NULL, error_position = NULL WHERE view = 'case_status';
