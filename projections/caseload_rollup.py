"""Every leader's caseload as of an instant, read in time that does not grow with the ledger.

Read from `case_history`, "every leader's caseload as of T" visits every state in force at T:
one per case registered before T, so the statement grows with the ledger (35.7 × /healthz at
100k cases, 11.2 × from 10k to 100k: bench/RESULTS.md). Here each history row's share of the
counts is kept as two changes instead, added at its `valid_from` and taken away at its
`valid_to` (and its "overdue" from the start of the China day after `next_due`, when that falls
inside the row), summed per leader, unit and receiving unit into buckets of three grains:

- 'm': changes in one calendar month (UTC),
- 'd': changes in one calendar day (UTC),
- 'x': the changes at one exact instant.

The counts at T are the sum of the months before T's month, the days of T's month before T's
day, and the instants of T's day up to and including T: at most a dozen rows a year of history
plus 31 plus one day's changes per leader and unit, however many cases there are.

The rows are integer sums and a bucket whose sums all come to zero is deleted, so the table is a
function of the history rows alone and a rebuild gives the same rows (projections/rebuild.py).
The case status view keeps it in the transaction that writes the history rows.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from domain.policy import CHINA_TZ
from domain.vocabulary import OPEN_STATUSES
from projections.database import Tx
from projections.sqltypes import FAR_FUTURE, db_time, py_date, py_time

ROLLUP = "caseload_rollup"
KEY = ("timeline", "grain", "bucket", "leader_id", "unit_path", "received_path")
MEASURES = (
    "present", "open", "overdue", "answered", "closed", "backlog",
    "handling_sum", "handling_n", "satisfied", "visits",
)  # fmt: skip
# The history columns a row's share is computed from, as `uncount_stored` reads them back.
SOURCE_COLUMNS = (
    "timeline", "valid_from", "valid_to", "leader_id", "unit_path", "received_path", "status",
    "next_due", "answered_on", "closed_on", "backlog", "handling_days", "visited_on", "satisfaction",
    "satisfied",
)  # fmt: skip
_OPEN = frozenset(s.value for s in OPEN_STATUSES)
_OVERDUE = MEASURES.index("overdue")

Key = tuple[str, str, datetime, str, str, str]
Sums = dict[Key, list[int]]


def _share(row: dict[str, Any]) -> list[int]:
    """A state's counts, in MEASURES order, as the caseload counts it (projections/caseload.py)."""
    answered = row["answered_on"] is not None
    handled = answered and row["handling_days"] is not None
    rated = row["visited_on"] is not None and row["satisfaction"] is not None
    return [
        1,
        int(row["status"] in _OPEN),
        0,  # overdue: its own interval (`add_state`)
        int(answered),
        int(row["closed_on"] is not None),
        int(bool(row["backlog"])),
        int(row["handling_days"]) if handled else 0,
        int(handled),
        int(rated and bool(row["satisfied"])),
        int(rated),
    ]


def _overdue_from(next_due: date) -> datetime:
    """The first instant at which a deadline on `next_due` has run out (the next China day)."""
    return datetime.combine(next_due + timedelta(days=1), time(), CHINA_TZ).astimezone(UTC)


def _buckets(instant: datetime) -> tuple[datetime, datetime, datetime]:
    utc = instant.astimezone(UTC)
    day = utc.replace(hour=0, minute=0, second=0, microsecond=0)
    return day.replace(day=1), day, utc


def _add(
    sums: Sums, head: tuple[str, str, str, str], instant: datetime, values: list[int], sign: int
) -> None:
    timeline, leader, unit, received = head
    for grain, bucket in zip("mdx", _buckets(instant), strict=True):
        key = (timeline, grain, bucket, leader, unit, received)
        kept = sums.get(key)
        if kept is None:
            sums[key] = [sign * v for v in values]
        else:
            for i, v in enumerate(values):
                kept[i] += sign * v


def add_state(
    sums: Sums, timeline: str, start: datetime, end: datetime, row: dict[str, Any], sign: int
) -> None:
    """Count (sign +1) or uncount (-1) one history row: a state valid over [start, end)."""
    if row["leader_id"] is None or start >= end:
        return  # held by no leader, or empty: in no caseload at any instant
    head = (timeline, row["leader_id"], row["unit_path"] or "", row["received_path"] or "")
    _add_interval(sums, head, start, end, _share(row), sign)
    if row["next_due"] is not None:
        late = max(start, _overdue_from(row["next_due"]))
        if late < end:
            one = [0] * len(MEASURES)
            one[_OVERDUE] = 1
            _add_interval(sums, head, late, end, one, sign)


def _add_interval(
    sums: Sums, head: tuple[str, str, str, str], start: datetime, end: datetime, values: list[int], sign: int
) -> None:
    """`values` in force over [start, end): added at its start, taken away at its end (if it has one)."""
    _add(sums, head, start, values, sign)
    if end < FAR_FUTURE:
        _add(sums, head, end, values, -sign)


def uncount_stored(sums: Sums, pg: bool, rows: Iterable[Sequence[Any]]) -> None:
    """Uncount history rows as read back from the store (SOURCE_COLUMNS, in store types)."""
    for values in rows:
        row = dict(zip(SOURCE_COLUMNS, values, strict=True))
        if not pg:
            for name in ("valid_from", "valid_to"):
                row[name] = py_time(row[name])
            for name in ("next_due", "answered_on", "closed_on", "visited_on"):
                row[name] = py_date(row[name])
        add_state(sums, row["timeline"], row["valid_from"], row["valid_to"], row, -1)


def _changed(sums: Sums) -> list[tuple[Key, list[int]]]:
    return sorted((k, v) for k, v in sums.items() if any(v))  # sorted: a steady lock order


_SET = ", ".join(f"{m} = {ROLLUP}.{m} + excluded.{m}" for m in MEASURES)
_ZERO = " AND ".join(f"{m} = 0" for m in MEASURES)
_PG_TYPES = ("text", "text", "timestamptz", "text", "text", "text", *("bigint",) * len(MEASURES))


def apply_sums(tx: Tx, sums: Sums) -> None:
    """Add the summed changes to the stored buckets, and drop the buckets that come to zero."""
    changed = _changed(sums)
    if not changed:
        return
    pg = tx.postgres
    rows = [[*k[:2], db_time(pg, k[2]), *k[3:], *v] for k, v in changed]
    names = ", ".join((*KEY, *MEASURES))
    on_key = " AND ".join(f"r.{c} = z.{c}" for c in KEY)
    if pg:  # one statement each, the rows as arrays
        columns = [list(c) for c in zip(*rows, strict=True)]
        arrays = ", ".join(f"?::{t}[]" for t in _PG_TYPES)
        tx.execute(
            f"INSERT INTO {ROLLUP} ({names}) SELECT * FROM unnest({arrays}) "
            f"ON CONFLICT ({', '.join(KEY)}) DO UPDATE SET {_SET}",
            columns,
        )
        keys = ", ".join(f"?::{t}[]" for t in _PG_TYPES[: len(KEY)])
        tx.execute(
            f"DELETE FROM {ROLLUP} r USING unnest({keys}) AS z({', '.join(KEY)}) WHERE {on_key} AND {_ZERO}",
            columns[: len(KEY)],
        )
        return
    marks = ", ".join("?" * (len(KEY) + len(MEASURES)))
    tx.executemany(
        f"INSERT INTO {ROLLUP} ({names}) VALUES ({marks}) ON CONFLICT ({', '.join(KEY)}) DO UPDATE SET {_SET}",
        rows,
    )
    match = " AND ".join(f"{c} = ?" for c in KEY)
    tx.executemany(f"DELETE FROM {ROLLUP} WHERE {match} AND {_ZERO}", [r[: len(KEY)] for r in rows])


def counts_at(tx: Tx, timeline: str, instant: datetime) -> tuple[str, list[Any]]:
    """(FROM-and-WHERE fragment, params): the buckets whose sums are the counts at `instant`.

    The caller adds its own conditions on leader_id, unit_path and received_path, groups by
    leader and keeps the groups with SUM(present) > 0 (leaders holding a case at `instant`).
    """
    month, day, exact = _buckets(instant)
    pg = tx.postgres
    t = [db_time(pg, x) for x in (month, day, exact)]
    return (
        f"{ROLLUP} WHERE timeline = ? AND ((grain = 'm' AND bucket < ?) "
        "OR (grain = 'd' AND bucket >= ? AND bucket < ?) OR (grain = 'x' AND bucket >= ? AND bucket <= ?))",
        [timeline, t[0], t[0], t[1], t[1], t[2]],
    )
