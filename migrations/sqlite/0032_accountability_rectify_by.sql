-- 0032 (SQLite): the deadline of an ordered rectification (see the PostgreSQL file).
ALTER TABLE accountability_records ADD COLUMN rectify_by text;
