-- 0013: drop the two B-tree indexes on case_history's interval columns that PostgreSQL never
-- reads. "The states at T" goes through the GiST interval indexes (0007, 0012), and the view's
-- own rewrites through the primary key; the leader index stays for a leader's states. Each
-- history row written maintained them all the same: with six indexes on the table, a
-- rebuild's COPY of history rows was its largest statement (36 s of 266 at 100,000 cases). SQLite
-- has no interval index and keeps them (its 0003): there they answer "the states at T".
DROP INDEX IF EXISTS {schema}.case_history_at;
DROP INDEX IF EXISTS {schema}.case_history_until;
