-- 0012 (SQLite): nothing. The PostgreSQL migration narrows the as-of interval indexes of its
-- 0009 back to 0007's; SQLite has no interval index (see its 0007), and keeps the numbering in step.
SELECT 1;
