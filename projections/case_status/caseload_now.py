"""Every leader's current caseload, kept as counts, so the read does not grow with the cases a
leader ever held.

Read from `case_status`, a leader's caseload now visits every case the leader holds, closed and
archived ones included (the counts "answered", "closed" are all time), so it grew with the
leader's whole record (bench/RESULTS.md: 812 ms p99 at 1M cases). Here the current rows' shares
of the counts (the same shares as the rollup's, projections/case_status/caseload_rollup.py) are summed per
leader, holding unit, receiving unit and `next_due`: "overdue" depends on the day asked, and a
case's next due date only while an office deadline runs, so a leader's rows are one per due
date of the cases still running plus one for the rest.

The case status view keeps it in the transaction that writes `case_status`, in SQL: the
touched cases' current rows are staged with sign -1 before the upsert and +1 after it, and
summed into the table in one statement; a row whose count comes to zero is deleted, so the
table is a function of `case_status` alone and a rebuild gives the same rows. Read-your-writes
(`min_position`) holds as for `case_status`: both move in one transaction.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from domain.vocabulary import OPEN_STATUSES
from projections.case_status.caseload_rollup import probe_the_key
from projections.engine.database import Tx
from projections.engine.sqltypes import db_date

NOW = "caseload_now"
KEY = ("leader_id", "unit_path", "received_path", "next_due")
MEASURES = (
    "present", "open", "answered", "closed", "backlog", "handling_sum", "handling_n", "satisfied", "visits",
)  # fmt: skip
# Not a date any deadline has: a case with no running deadline (a key column cannot be NULL).
NO_DUE = date(9999, 12, 31)
# TEMP scratch tables of one transaction (names no view table has: projections/rebuild.py).
CASES, CHANGES = "caseload_now_cases", "caseload_now_changes"

_OPEN = ", ".join(f"'{s.value}'" for s in sorted(OPEN_STATUSES))
_HANDLED = "s.answered_on IS NOT NULL AND s.handling_days IS NOT NULL"
_RATED = "s.visited_on IS NOT NULL AND s.satisfaction IS NOT NULL"


def _flag(condition: str) -> str:
    return f"CASE WHEN {condition} THEN 1 ELSE 0 END"


# A current row's counts, as projections/case_status/caseload.py counts a state (and the rollup its rows).
_SHARE = {
    "present": "1",
    "open": _flag(f"s.status IN ({_OPEN})"),
    "answered": _flag("s.answered_on IS NOT NULL"),
    "closed": _flag("s.closed_on IS NOT NULL"),
    "backlog": _flag("s.backlog"),
    "handling_sum": f"CASE WHEN {_HANDLED} THEN s.handling_days ELSE 0 END",
    "handling_n": _flag(_HANDLED),
    "satisfied": _flag(f"{_RATED} AND s.satisfied"),
    "visits": _flag(_RATED),
}


def _scratch(tx: Tx) -> None:
    pg = tx.postgres
    keep = " ON COMMIT DELETE ROWS" if pg else ""
    due = "date" if pg else "TEXT"
    measures = ", ".join(f"{m} INTEGER" for m in MEASURES)
    tx.execute(f"CREATE TEMP TABLE IF NOT EXISTS {CASES} (case_id TEXT){keep}")
    tx.execute(
        f"CREATE TEMP TABLE IF NOT EXISTS {CHANGES} (leader_id TEXT, unit_path TEXT, received_path TEXT, "
        f"next_due {due}, {measures}){keep}"
    )


def _stage(tx: Tx, status: str, sign: int) -> None:
    shares = ", ".join(f"{sign} * ({expression})" for expression in _SHARE.values())
    tx.execute(
        f"INSERT INTO {CHANGES} ({', '.join((*KEY, *MEASURES))}) "
        "SELECT s.leader_id, COALESCE(s.unit_path, ''), COALESCE(s.received_path, ''), "
        f"COALESCE(s.next_due, ?), {shares} FROM {CASES} c JOIN {status} s ON s.case_id = c.case_id "
        "WHERE s.leader_id IS NOT NULL",
        [db_date(tx.postgres, NO_DUE)],
    )


def take_back(tx: Tx, status: str, case_ids: list[str]) -> None:
    """Stage the counts of these cases' current rows (`status`) to be taken back; `put_back`
    follows once the new rows are written."""
    _scratch(tx)
    # One probe of case_status's key per case, not a hash of the whole table (caseload_rollup).
    probe_the_key(tx, True)
    tx.insert_rows(CASES, ("case_id",), [(c,) for c in case_ids])
    _stage(tx, status, -1)


def put_back(tx: Tx, status: str) -> None:
    """Stage the staged cases' current rows' counts, add every staged change to the table, drop
    the rows that came to zero and empty the scratch tables."""
    _stage(tx, status, 1)
    probe_the_key(tx, False)
    key = ", ".join(KEY)
    sums = ", ".join(f"CAST(SUM({m}) AS BIGINT) AS {m}" for m in MEASURES)
    nonzero = " OR ".join(f"{m} <> 0" for m in MEASURES)
    updates = ", ".join(f"{m} = {NOW}.{m} + excluded.{m}" for m in MEASURES)
    # WHERE: SQLite's parser needs one before an upsert's ON CONFLICT. Sorted: one order of locks.
    tx.execute(
        f"INSERT INTO {NOW} ({key}, {', '.join(MEASURES)}) SELECT * FROM "
        f"(SELECT {key}, {sums} FROM {CHANGES} GROUP BY {key}) AS c WHERE {nonzero} "
        f"ORDER BY {key} ON CONFLICT ({key}) DO UPDATE SET {updates}"
    )
    # A row counts its cases (`present`): at zero, every other count is zero too.
    tx.execute(f"DELETE FROM {NOW} WHERE present = 0")
    tx.execute(f"DELETE FROM {CHANGES}")
    tx.execute(f"DELETE FROM {CASES}")


def counts_now(tx: Tx, where: str, params: list[Any], keyset: str, key_params: list[Any], *, today: date,
               limit: int) -> list[tuple[Any, ...]]:  # fmt: skip
    """(leader_id, open, overdue, answered, closed, backlog, handling_sum, handling_n, satisfied,
    visits) per leader whose current rows match `where` (on leader_id, unit_path, received_path)."""
    sums = [f"SUM({m})" for m in ("open",)]
    sums.append("SUM(CASE WHEN next_due < ? THEN present ELSE 0 END)")
    sums += [f"SUM({m})" for m in MEASURES[2:]]
    tx.execute(
        f"SELECT leader_id, {', '.join(sums)} FROM {NOW} WHERE ({where}) AND {keyset} "
        "GROUP BY leader_id HAVING SUM(present) > 0 ORDER BY leader_id LIMIT ?",
        [db_date(tx.postgres, today), *params, *key_params, limit],
    )
    return [tuple(r) for r in tx.fetchall()]
