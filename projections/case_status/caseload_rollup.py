"""Every leader's caseload as of an instant, read in time that does not grow with the ledger.

Read from `case_history`, "every leader's caseload as of T" visits every state in force at T:
one per case registered before T, so the statement grows with the ledger (35.7 × /healthz at
100k cases, 11.2 × from 10k to 100k: bench/RESULTS.md). Here each history row's share of the
counts is kept as two changes instead, added at its `valid_from` and taken away at its
`valid_to` (and its "overdue" from the start of the China day after `next_due`, when that falls
inside the row), summed per leader, unit and receiving unit into buckets of four grains:

- 'y': changes in one calendar year (UTC),
- 'm': changes in one calendar month (UTC),
- 'd': changes in one calendar day (UTC),
- 'x': the changes at one exact instant.

The counts at T are the sum of the years before T's year, the months of T's year before T's
month, the days of T's month before T's day, and the instants of T's day up to and including T:
one row a year of history plus at most 11 + 30 plus one day's changes per leader and unit,
however many cases there are. (Without years, the months of a long history were most of what
the read summed: at 100,000 cases its p99 was 4.5 × /healthz.)

The rows are integer sums and a bucket whose sums all come to zero is deleted, so the table is a
function of the history rows alone and a rebuild gives the same rows (projections/rebuild.py).

The case status view keeps it in the transaction that writes the history rows, in SQL: the rows
a batch replaces are staged as changes with sign -1 as they are deleted (PostgreSQL: from what
the DELETE returns; SQLite: just before), the rows it writes with sign +1 after they are
inserted, and the staged changes are summed into the buckets in one statement. The history
rows never travel back to Python, and a state that a batch deletes and writes again (the usual
tail row) cancels out before it reaches the table.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from domain.vocabulary import OPEN_STATUSES
from projections.engine.database import Tx
from projections.engine.sqltypes import FAR_FUTURE, db_time

ROLLUP = "caseload_rollup"
KEY = ("timeline", "grain", "bucket", "leader_id", "unit_path", "received_path")
MEASURES = (
    "present", "open", "overdue", "answered", "closed", "backlog",
    "handling_sum", "handling_n", "satisfied", "visits",
)  # fmt: skip
# Scratch tables of one transaction (TEMP, emptied before it ends): the (case, timeline) tails a
# batch replaces, and the changes their rows make. Names of their own: a rebuild shadows the
# view's tables with TEMP tables of the same names (projections/rebuild.py).
TAILS, CHANGES = "caseload_tails", "caseload_changes"
TAIL_COLUMNS = ("case_id", "timeline", "since")

# SQL for each store's time columns (timestamptz; SQLite: UTC text, sqltypes.db_time).
_PG, _SQLITE = True, False
_TIME = {_PG: "timestamptz", _SQLITE: "TEXT"}
_MONTH = {
    _PG: "date_trunc('month', changed_at, 'UTC')",
    _SQLITE: "substr(changed_at, 1, 7) || '-01T00:00:00.000000Z'",
}
_YEAR = {
    _PG: "date_trunc('year', changed_at, 'UTC')",
    _SQLITE: "substr(changed_at, 1, 4) || '-01-01T00:00:00.000000Z'",
}
_DAY = {
    _PG: "date_trunc('day', changed_at, 'UTC')",
    _SQLITE: "substr(changed_at, 1, 10) || 'T00:00:00.000000Z'",
}
# A deadline on `next_due` has run out at the start of the next China day (UTC+8, policy.CHINA_TZ):
# 16:00 UTC on `next_due` itself.
_OVERDUE_FROM = {
    _PG: "((h.next_due + 1)::timestamp AT TIME ZONE 'UTC' - interval '8 hours')",
    _SQLITE: "(h.next_due || 'T16:00:00.000000Z')",
}
_LATER = {_PG: "GREATEST", _SQLITE: "max"}


def _flag(condition: str) -> str:
    return f"CASE WHEN {condition} THEN 1 ELSE 0 END"


_OPEN = ", ".join(f"'{s.value}'" for s in sorted(OPEN_STATUSES))
_HANDLED = "h.answered_on IS NOT NULL AND h.handling_days IS NOT NULL"
_RATED = "h.visited_on IS NOT NULL AND h.satisfaction IS NOT NULL"
# A state's counts, as the caseload counts it (projections/case_status/caseload.py); "overdue" is a change of
# its own, over the part of the state after its deadline ran out.
_SHARE = {
    "present": "1",
    "open": _flag(f"h.status IN ({_OPEN})"),
    "overdue": "0",
    "answered": _flag("h.answered_on IS NOT NULL"),
    "closed": _flag("h.closed_on IS NOT NULL"),
    "backlog": _flag("h.backlog"),
    "handling_sum": f"CASE WHEN {_HANDLED} THEN h.handling_days ELSE 0 END",
    "handling_n": _flag(_HANDLED),
    "satisfied": _flag(f"{_RATED} AND h.satisfied"),
    "visits": _flag(_RATED),
}
_HEAD = ("timeline", "changed_at", "leader_id", "unit_path", "received_path")


# The stored rows of the staged tails, as `h` (history is the view's table, by its bare name).
_IN_TAILS = "h.case_id = t.case_id AND h.timeline = t.timeline AND h.valid_from >= t.since"
_SELECT_TAILS = f"SELECT h.* FROM {TAILS} t JOIN {{history}} h ON {_IN_TAILS}"
# PostgreSQL deletes them and stages what it deleted in one statement (one pass over the rows).
_DELETE_TAILS = f"DELETE FROM {{history}} h USING {TAILS} t WHERE {_IN_TAILS} RETURNING h.*"


def _stage_sql(pg: bool, sign: int, rows: str) -> str:
    """Stage the changes of the history rows `rows` (a SELECT, or a DELETE ... RETURNING on
    PostgreSQL), with `sign` (+1 or -1).

    A row makes up to four: its share at valid_from, taken away at valid_to (if it ends), and
    one overdue from when its deadline ran out (if inside the row), taken away at valid_to.
    """
    shares = ", ".join(f"{expression} AS {m}" for m, expression in _SHARE.items())
    states = (
        f"SELECT h.timeline, h.valid_from, h.valid_to, h.leader_id, COALESCE(h.unit_path, '') AS unit_path, "
        f"COALESCE(h.received_path, '') AS received_path, {shares}, "
        f"CASE WHEN h.next_due IS NULL THEN NULL ELSE {_LATER[pg]}(h.valid_from, {_OVERDUE_FROM[pg]}) END AS late "
        "FROM picked h WHERE h.leader_id IS NOT NULL AND h.valid_from < h.valid_to"
    )

    def part(at: str, factor: int, overdue_only: bool, where: str) -> str:
        head = ", ".join(at if c == "changed_at" else c for c in _HEAD)
        if overdue_only:
            values = ", ".join(f"{factor * sign if m == 'overdue' else 0}" for m in MEASURES)
        else:
            values = ", ".join(f"{factor * sign} * {m}" for m in MEASURES)
        return f"SELECT {head}, {values} FROM states{where}"

    ends = "valid_to < ?"
    late = "late IS NOT NULL AND late < valid_to"
    parts = [
        part("valid_from", 1, False, ""),
        part("valid_to", -1, False, f" WHERE {ends}"),
        part("late", 1, True, f" WHERE {late}"),
        part("valid_to", -1, True, f" WHERE {late} AND {ends}"),
    ]
    return (
        f"WITH picked AS ({rows}), states AS ({states}) "
        f"INSERT INTO {CHANGES} ({', '.join((*_HEAD, *MEASURES))}) " + " UNION ALL ".join(parts)
    )


_SET = ", ".join(f"{m} = {ROLLUP}.{m} + excluded.{m}" for m in MEASURES)
# Matched by the partial index of the same condition (migration 0011): the few zero buckets.
ZERO = " AND ".join(f"{m} = 0" for m in MEASURES)
_NONZERO = " OR ".join(f"{m} <> 0" for m in MEASURES)


def _fold_sql(pg: bool) -> str:
    """Sum the staged changes into the buckets: per exact instant first (where a state a batch
    takes back and writes again cancels out), then the instants into their days, months and
    years."""
    # CAST: PostgreSQL sums bigints into numeric, slow to compare and add.
    sums = ", ".join(f"CAST(SUM({m}) AS BIGINT) AS {m}" for m in MEASURES)
    head = "leader_id, unit_path, received_path"
    coarser = " UNION ALL ".join(
        f"SELECT timeline, '{grain}', {bucket}, {head}, {sums} FROM x GROUP BY timeline, {bucket}, {head}"
        for grain, bucket in (("d", _DAY[pg]), ("m", _MONTH[pg]), ("y", _YEAR[pg]))
    )
    key = ", ".join(KEY)
    # WHERE: SQLite's parser needs one before an upsert's ON CONFLICT. Sorted: one steady order
    # of row locks.
    return (
        f"WITH x AS (SELECT timeline, changed_at, {head}, {sums} FROM {CHANGES} "
        f"GROUP BY timeline, changed_at, {head}), "
        f"buckets ({key}, {', '.join(MEASURES)}) AS (SELECT timeline, 'x', changed_at, {head}, "
        f"{', '.join(MEASURES)} FROM x UNION ALL {coarser}) "
        f"INSERT INTO {ROLLUP} ({key}, {', '.join(MEASURES)}) SELECT * FROM buckets WHERE {_NONZERO} "
        f"ORDER BY {key} ON CONFLICT ({key}) DO UPDATE SET {_SET}"
    )


_COUNT_TAILS = {pg: _stage_sql(pg, 1, _SELECT_TAILS) for pg in (_PG, _SQLITE)}
_UNCOUNT_TAILS = {_PG: _stage_sql(_PG, -1, _DELETE_TAILS), _SQLITE: _stage_sql(_SQLITE, -1, _SELECT_TAILS)}
_FOLD = {pg: _fold_sql(pg) for pg in (_PG, _SQLITE)}


def _scratch(tx: Tx) -> None:
    pg = tx.postgres
    # PostgreSQL: also emptied at every commit, so a transaction never starts with rows in them.
    keep = " ON COMMIT DELETE ROWS" if pg else ""
    changes = ", ".join(
        [f"timeline TEXT, changed_at {_TIME[pg]}, leader_id TEXT, unit_path TEXT, received_path TEXT"]
        # INTEGER: PostgreSQL sums integers in bigint, bigints in numeric (slow).
        + [f"{m} INTEGER" for m in MEASURES]
    )
    tx.execute(
        f"CREATE TEMP TABLE IF NOT EXISTS {TAILS} (case_id TEXT, timeline TEXT, since {_TIME[pg]}){keep}"
    )
    tx.execute(f"CREATE TEMP TABLE IF NOT EXISTS {CHANGES} ({changes}){keep}")


def rows_across(
    tx: Tx, history: str, columns: Sequence[str], tails: Sequence[tuple[str, str, datetime]]
) -> dict[tuple[str, str], tuple[Any, ...]]:
    """The stored `history` rows (`columns`, by (case_id, timeline)) that began before a tail's
    `since` (case_id, timeline, since) and end at or after it: the row it cuts, or the one just
    before it (its state may be the tail's first again). One probe of the key per tail."""
    if not tails:
        return {}
    _scratch(tx)
    pg = tx.postgres
    probe_the_key(tx, True)
    tx.insert_rows(TAILS, TAIL_COLUMNS, [(c, t, db_time(pg, since)) for c, t, since in tails])
    names = ", ".join(f"h.{c}" for c in columns)
    tx.execute(
        f"SELECT {names} FROM {TAILS} t JOIN {history} h ON h.case_id = t.case_id "
        "AND h.timeline = t.timeline AND h.valid_from < t.since AND h.valid_to >= t.since"
    )
    case, timeline = columns.index("case_id"), columns.index("timeline")
    found = {(r[case], r[timeline]): tuple(r) for r in tx.fetchall()}
    tx.execute(f"DELETE FROM {TAILS}")
    return found


def take_back(tx: Tx, history: str, tails: Sequence[tuple[str, str, datetime]]) -> None:
    """Delete the `history` rows of the tails a batch replaces (case_id, timeline, since), and
    stage their counts to be taken back. `put_back` follows, once the new rows are written."""
    _scratch(tx)
    pg = tx.postgres
    probe_the_key(tx, True)
    rows = [(c, t, db_time(pg, since)) for c, t, since in tails]
    tx.insert_rows(TAILS, TAIL_COLUMNS, rows)
    _stage(tx, _UNCOUNT_TAILS[pg].format(history=history))
    if not pg:  # SQLite has no DELETE in a WITH: one statement per tail (no round trip to save)
        tx.executemany(f"DELETE FROM {history} WHERE case_id = ? AND timeline = ? AND valid_from >= ?", rows)


def put_back(tx: Tx, history: str) -> None:
    """Count the `history` rows now stored in the staged tails, add every staged change to the
    buckets, drop the buckets that came to zero, and empty the scratch tables."""
    _stage(tx, _COUNT_TAILS[tx.postgres].format(history=history))
    probe_the_key(tx, False)
    tx.execute(_FOLD[tx.postgres])
    tx.execute(f"DELETE FROM {ROLLUP} WHERE {ZERO}")
    tx.execute(f"DELETE FROM {CHANGES}")
    tx.execute(f"DELETE FROM {TAILS}")


_JOINS_BUT_PROBES = ("enable_hashjoin", "enable_mergejoin")


def probe_the_key(tx: Tx, on: bool) -> None:
    """Have the tails reach their history rows through its primary key, one probe each (between
    `take_back` and `put_back`; PostgreSQL: SQLite does so anyway). Left to itself the planner
    hashes the whole history (it guesses a third of a case's rows are at or after `since`, and
    prices a probe as a disk read: at 100,000 cases 1.8 s a statement against 40 ms)."""
    if tx.postgres:
        value = "off" if on else "on"
        settings = ", ".join(f"set_config('{name}', '{value}', true)" for name in _JOINS_BUT_PROBES)
        tx.execute(f"SELECT {settings}")


def _stage(tx: Tx, statement: str) -> None:
    tx.execute(statement, [db_time(tx.postgres, FAR_FUTURE)] * 2)


def _buckets(instant: datetime) -> tuple[datetime, datetime, datetime, datetime]:
    """The first instants of `instant`'s year, month and day (UTC), and the instant itself."""
    utc = instant.astimezone(UTC)
    day = utc.replace(hour=0, minute=0, second=0, microsecond=0)
    return day.replace(month=1, day=1), day.replace(day=1), day, utc


def counts_at(tx: Tx, timeline: str, instant: datetime) -> tuple[str, list[Any]]:
    """(FROM-and-WHERE fragment, params): the buckets whose sums are the counts at `instant`.

    The caller adds its own conditions on leader_id, unit_path and received_path, groups by
    leader and keeps the groups with SUM(present) > 0 (leaders holding a case at `instant`).
    """
    year, month, day, exact = (db_time(tx.postgres, x) for x in _buckets(instant))
    return (
        f"{ROLLUP} WHERE timeline = ? AND ((grain = 'y' AND bucket < ?) "
        "OR (grain = 'm' AND bucket >= ? AND bucket < ?) OR (grain = 'd' AND bucket >= ? AND bucket < ?) "
        "OR (grain = 'x' AND bucket >= ? AND bucket <= ?))",
        [timeline, year, year, month, month, day, day, exact],
    )
