"""The case status view: one row per case now (`case_status`) and its history on both
timelines (`case_history`), for the case listing, the overdue list and leader caseloads.

Per batch: one read of the touched cases' events (projections/ledger_rows.py), then a
delete and bulk inserts/upserts. A touched case's history is rebuilt whole, because a late
entry or a correction can change the past of the occurred timeline, not only its end.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar
from uuid import UUID

from domain import case_events as ev
from domain.application import LedgerApplication
from projections.case_history import OCCURRED, RECORDED, Interval, occurred_states, recorded_states
from projections.case_rows import BOOL_COLUMNS, COLUMNS, DATE_COLUMNS, TIME_COLUMNS
from projections.database import Tx
from projections.ledger_rows import case_histories
from projections.sqltypes import db_bool, db_date, db_time
from projections.units import UnitPaths
from projections.view import ViewEvent

STATUS, HISTORY = "case_status", "case_history"
_CHUNK = 500


def db_values(postgres: bool, row: dict[str, Any]) -> list[Any]:
    """A row's values in COLUMNS order, as the store keeps them."""
    out = []
    for name in COLUMNS:
        value = row[name]
        if name in TIME_COLUMNS:
            value = db_time(postgres, value)
        elif name in DATE_COLUMNS:
            value = db_date(postgres, value)
        elif name in BOOL_COLUMNS:
            value = db_bool(postgres, bool(value))
        out.append(value)
    return out


def _upsert(table: str) -> str:
    names = ", ".join(COLUMNS)
    marks = ", ".join("?" * len(COLUMNS))
    # `repeated` is left out: it is set by later cases' links, not by this case's own events.
    updates = ", ".join(f"{c} = excluded.{c}" for c in COLUMNS if c != "case_id")
    return f"INSERT INTO {table} ({names}) VALUES ({marks}) ON CONFLICT (case_id) DO UPDATE SET {updates}"


def _insert_history(table: str) -> str:
    names = ", ".join(("timeline", "valid_from", "valid_to", *COLUMNS))
    marks = ", ".join("?" * (len(COLUMNS) + 3))
    return f"INSERT INTO {table} ({names}) VALUES ({marks})"


class CaseStatusView:
    name: ClassVar[str] = "case_status"
    tables: ClassVar[tuple[str, ...]] = (STATUS, HISTORY)

    def __init__(self, ledger: LedgerApplication) -> None:
        self.ledger = ledger
        self.paths = UnitPaths(ledger)

    def apply(self, tx: Tx, batch: list[ViewEvent]) -> None:
        touched = list(dict.fromkeys(e.originator_id for e in batch if isinstance(e.event, ev.CaseEvent)))
        if not touched:
            return  # reference data only (units, users): nothing of a case changed
        logs = case_histories(tx, self.ledger.mapper, touched, batch[-1].position)
        current: list[list[Any]] = []
        history: list[list[Any]] = []
        pg = tx.postgres
        for case_id in touched:
            logged = logs.get(case_id)
            if not logged:
                raise LookupError(f"case {case_id} has events in the batch but none in the ledger")
            recorded = recorded_states(logged, self.paths)
            current.append(db_values(pg, recorded[-1][2]))
            history += self._history(pg, RECORDED, recorded)
            history += self._history(pg, OCCURRED, occurred_states(logged, self.paths))
        self._delete_history(tx, touched)
        tx.executemany(_insert_history(tx.table(HISTORY)), history)
        tx.executemany(_upsert(tx.table(STATUS)), current)
        repeated = {(str(e.event.earlier_case_id),) for e in batch if isinstance(e.event, ev.RepeatLinked)}
        tx.executemany(
            f"UPDATE {tx.table(STATUS)} SET repeated = ? WHERE case_id = ?",
            [(db_bool(pg, True), *r) for r in sorted(repeated)],
        )

    @staticmethod
    def _history(pg: bool, timeline: str, intervals: Sequence[Interval]) -> list[list[Any]]:
        return [
            [timeline, db_time(pg, start), db_time(pg, end), *db_values(pg, row)]
            for start, end, row in intervals
        ]

    @staticmethod
    def _delete_history(tx: Tx, touched: Sequence[UUID]) -> None:
        for i in range(0, len(touched), _CHUNK):
            chunk = [str(c) for c in touched[i : i + _CHUNK]]
            marks = ",".join("?" * len(chunk))
            tx.execute(f"DELETE FROM {tx.table(HISTORY)} WHERE case_id IN ({marks})", chunk)
