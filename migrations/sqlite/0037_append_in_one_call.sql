-- 0037 (SQLite): nothing. PostgreSQL gets the group commit's transaction as one server-side
-- function (see migrations/postgres/0037_append_in_one_call.sql); SQLite has no group commit,
-- and the numbering keeps in step.
SELECT 1;
