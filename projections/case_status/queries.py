"""Reading the case status view: now, or as of an instant on either timeline, one keyset page.

Callers pass the reader's scope and their filters as one SQL condition (`?` placeholders),
so this module knows nothing of users; it chooses the table, the ordering and the page.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

import orjson

from projections.case_status.history import OCCURRED, RECORDED
from projections.case_status.history_rows import HISTORY_COLUMNS, at_instant
from projections.case_status.rows import (
    BOOL_COLUMNS,
    COLUMNS,
    CONSTANT_COLUMNS,
    DATE_COLUMNS,
    REGISTERED_COLUMNS,
    TIME_COLUMNS,
)
from projections.case_status.view import HISTORY, STATUS
from projections.engine.database import Tx
from projections.engine.sqltypes import db_date, db_time, py_date, py_time

Order = Literal["registered", "due"]


@dataclass(frozen=True)
class At:
    """Which state of the cases: now (`timeline` None), or at `instant` on a timeline."""

    timeline: str | None = None
    instant: datetime | None = None

    @classmethod
    def of(cls, as_of: datetime | None, known_at: datetime | None) -> At:
        if as_of is not None:
            return cls(OCCURRED, as_of)
        if known_at is not None:
            return cls(RECORDED, known_at)
        return cls()


def history(tx: Tx) -> str:
    """The history rows with the case's constant columns (kept in its current row, not in every
    state: projections/case_status/history_rows.py), its registration's columns where the row holds
    NULL (they are the current row's), and its `first_petition` (set from its registration on:
    the current row says, at any time), as a table named `case_history`."""
    stored = [
        f"COALESCE(h.{c}, s.{c}) AS {c}" if c in REGISTERED_COLUMNS else f"h.{c}" for c in HISTORY_COLUMNS
    ]
    constants = [f"s.{c}" for c in (*CONSTANT_COLUMNS, "first_petition")]
    return (
        f"(SELECT {', '.join([*stored, *constants])} FROM {tx.table(HISTORY)} h "
        f"JOIN {tx.table(STATUS)} s ON s.case_id = h.case_id) {HISTORY}"
    )


def source(tx: Tx, at: At) -> tuple[str, str, list[Any]]:
    """(table, condition, params) selecting each case's state at `at`."""
    if at.timeline is None:
        return tx.table(STATUS), "1=1", []
    t = db_time(tx.postgres, at.instant)
    if tx.postgres and at.timeline in (OCCURRED, RECORDED):
        # The same states (valid_from <= t < valid_to), found through the timeline's GiST index
        # on the interval (migrations/postgres/0007, again since 0012):
        # the expression and the timeline constant must match the index's for the planner to use it.
        span = "tstzrange(valid_from, greatest(valid_from, valid_to), '[)')"
        return history(tx), f"timeline = '{at.timeline}' AND {span} @> ?::timestamptz", [t]
    return history(tx), "timeline = ? AND valid_from <= ? AND valid_to > ?", [at.timeline, t, t]


def decode(names: list[str], values: tuple[Any, ...]) -> dict[str, Any]:
    row = dict(zip(names, values, strict=True))
    for name in names:
        if name in TIME_COLUMNS:
            row[name] = py_time(row[name])
        elif name in DATE_COLUMNS:
            row[name] = py_date(row[name])
        elif name in BOOL_COLUMNS or name in ("repeated", "first_petition"):
            row[name] = None if row[name] is None else bool(row[name])
    for name in ("campaigns", "repeat_of", "campaigns_cleared"):
        row[name] = orjson.loads(row[name])
    return row


def _keyset(tx: Tx, order: Order, after: tuple[str, str] | None) -> tuple[str, list[Any], str]:
    """(condition after the cursor, its params, ORDER BY) for the listing order."""
    if order == "registered":  # newest registrations first
        sort = "registered_at DESC, case_id DESC"
        if after is None:
            return "1=1", [], sort
        t = db_time(tx.postgres, py_time(after[0]))
        return "(registered_at < ? OR (registered_at = ? AND case_id < ?))", [t, t, after[1]], sort
    sort = "next_due ASC, case_id ASC"  # the longest overdue first
    if after is None:
        return "1=1", [], sort
    d = db_date(tx.postgres, py_date(after[0]))
    return "(next_due > ? OR (next_due = ? AND case_id > ?))", [d, d, after[1]], sort


def cursor_key(row: dict[str, Any], order: Order) -> tuple[str, str]:
    value = row["registered_at"] if order == "registered" else row["next_due"]
    return value.isoformat(), row["case_id"]


def select_cases(
    tx: Tx,
    at: At,
    where: str,
    params: list[Any],
    *,
    order: Order,
    limit: int,
    after: tuple[str, str] | None,
) -> list[dict[str, Any]]:
    """Up to `limit` rows at `at` matching `where`, after the cursor key, in listing order."""
    table, when, when_params = source(tx, at)
    keyset, key_params, sort = _keyset(tx, order, after)
    names = [*COLUMNS, "repeated", "first_petition"]
    repeated = "repeated" if at.timeline is None else "NULL AS repeated"  # known only for now
    # A history row holds the version and position from its start, and those of its later
    # steps in `marks` (projections/case_status/history_rows.py).
    marks = "NULL AS marks" if at.timeline is None else "marks"
    columns = ", ".join([*COLUMNS, repeated, "first_petition", marks])  # marks last: read apart below
    tx.execute(
        f"SELECT {columns} FROM {table} WHERE {when} AND ({where}) AND {keyset} ORDER BY {sort} LIMIT ?",
        [*when_params, *params, *key_params, limit],
    )
    rows = []
    for *values, marked in tx.fetchall():
        row = decode(names, tuple(values))
        if at.instant is not None:
            at_instant(row, marked, at.instant)
        rows.append(row)
    return rows
