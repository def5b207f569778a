-- 0013 (SQLite): nothing. PostgreSQL drops two B-tree interval indexes its GiST indexes made
-- unused; here they answer "the states at T" (see 0003), and the numbering keeps in step.
SELECT 1;
