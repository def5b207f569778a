-- 0009 (SQLite): nothing. The PostgreSQL migration widens the as-of interval indexes of its
-- 0007; SQLite has no interval index (see its 0007), and keeps the numbering in step.
SELECT 1;
