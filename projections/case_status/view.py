"""The case status view: one row per case now (`case_status`) and its history on both
timelines (`case_history`), for the case listing, the overdue list and leader caseloads.

Per batch: one read of the touched cases' events (projections/case_status/ledger_rows.py), then deletes
and bulk inserts/upserts. Only the history rows the batch's events change are derived and
rewritten (projections/case_status/history.py `recorded_tail`, `occurred_tail`): on the recorded
timeline, from the last version before them; on the occurred timeline, from the last instant
before the earliest thing they say happened (a late entry reaches back that far), or whole
when a correction can have moved an earlier event.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Sequence
from datetime import datetime
from typing import Any, ClassVar
from uuid import UUID

from domain import case_events as ev
from domain.application import LedgerApplication
from projections.case_status import caseload_now, identities
from projections.case_status import caseload_rollup as rollup
from projections.case_status.history import (
    OCCURRED,
    RECORDED,
    Interval,
    Replayed,
    occurred_as_recorded,
    occurred_tail,
    recorded_tail,
)
from projections.case_status.history_rows import HISTORY_COLUMNS, Step, lean_rows, steps_before
from projections.case_status.log import case_log
from projections.case_status.rows import BOOL_COLUMNS, COLUMNS, DATE_COLUMNS, TIME_COLUMNS, LoggedEvent
from projections.engine.database import Tx
from projections.engine.sqltypes import FAR_PAST, db_bool, db_date, db_time
from projections.engine.view import ViewEvent
from projections.reference_data.units import UnitPaths

STATUS, HISTORY = "case_status", "case_history"
# Events held by the cases replayed between batches: about 40 MB of events (and a few thousand
# cases' state), more than a 10,000-event batch of a rebuild or a live office's open cases touch.
REPLAYED_EVENTS = 40_000


# Where the converted columns are in COLUMNS order, so a row is converted by position.
_TIMES = tuple(i for i, name in enumerate(COLUMNS) if name in TIME_COLUMNS)
_DATES = tuple(i for i, name in enumerate(COLUMNS) if name in DATE_COLUMNS)
_BOOLS = tuple(i for i, name in enumerate(COLUMNS) if name in BOOL_COLUMNS)


def db_values(postgres: bool, row: dict[str, Any]) -> list[Any]:
    """A row's values in COLUMNS order, as the store keeps them (sqltypes)."""
    out = [row[name] for name in COLUMNS]
    for i in _BOOLS:
        out[i] = db_bool(postgres, bool(out[i]))
    if not postgres:  # PostgreSQL takes times and dates as they are
        for i in _TIMES:
            out[i] = db_time(False, out[i])
        for i in _DATES:
            out[i] = db_date(False, out[i])
    return out


def _upsert(table: str) -> str:
    names = ", ".join(COLUMNS)
    marks = ", ".join("?" * len(COLUMNS))
    # `repeated` and `first_petition` are not among COLUMNS: they are set by other cases' events
    # (a later case's link; an earlier registration of the same identity), not this case's own.
    updates = ", ".join(f"{c} = excluded.{c}" for c in COLUMNS if c != "case_id")
    return f"INSERT INTO {table} ({names}) VALUES ({marks}) ON CONFLICT (case_id) DO UPDATE SET {updates}"


def _corrects_registration(logged: Sequence[LoggedEvent]) -> bool:
    return any(isinstance(x.event, ev.Corrected) and x.event.target_type == "Registered" for x in logged)


# A (case, timeline)'s tail to write: case_id, timeline, from when its rows are replaced (None:
# all), its steps, and the case's current row (COLUMNS order: its constant columns).
_Tail = tuple[str, str, datetime | None, list[Step], list[Any]]


class CaseStatusView:
    name: ClassVar[str] = "case_status"
    # The caseload rollup sums the history rows' changes (projections/case_status/caseload_rollup.py).
    # case_identities: the petitioners' id-number hashes, for the repeat look-up (R10).
    # caseload_now: the current caseload counts per leader (projections/case_status/caseload_now.py).
    tables: ClassVar[tuple[str, ...]] = (
        STATUS, HISTORY, rollup.ROLLUP, identities.IDENTITIES, caseload_now.NOW,
    )  # fmt: skip

    def __init__(self, ledger: LedgerApplication) -> None:
        self.ledger = ledger
        self.paths = UnitPaths(ledger)
        self.log = case_log(ledger)
        # Each recent case replayed to its last event on each timeline, so the next batch
        # advances it. Only ever the ledger's truth, never the view's: a rolled-back batch
        # leaves them ahead of the view, and the tails then replay from scratch. Bounded by the
        # events they hold (a replayed case keeps its events alive after the case log lets
        # them go), so memory does not grow with the ledger.
        self._replayed: OrderedDict[tuple[str, UUID], tuple[Replayed, int]] = OrderedDict()
        self._replayed_events = 0

    def _resume(self, key: tuple[str, UUID]) -> Replayed | None:
        kept = self._replayed.get(key)
        return None if kept is None else kept[0]

    def _keep(self, key: tuple[str, UUID], replayed: Replayed | None) -> None:
        kept = self._replayed.pop(key, None)
        if kept is not None:
            self._replayed_events -= kept[1]
        if replayed is None:
            return
        self._replayed[key] = (replayed, len(replayed.events))
        self._replayed_events += len(replayed.events)
        while self._replayed_events > REPLAYED_EVENTS and len(self._replayed) > 1:
            _, (_, held) = self._replayed.popitem(last=False)
            self._replayed_events -= held

    def apply(self, tx: Tx, batch: list[ViewEvent]) -> None:
        touched = list(dict.fromkeys(e.originator_id for e in batch if isinstance(e.event, ev.CaseEvent)))
        if not touched:
            return  # reference data only (units, users): nothing of a case changed
        logs = self.log.histories(tx, batch, touched)
        current: list[list[Any]] = []
        tails: list[_Tail] = []
        pg = tx.postgres
        # The view holds every event before the batch: only what the batch's events change is derived.
        new_from = batch[0].position
        for case_id in touched:
            logged = logs.get(case_id)
            if not logged:
                raise LookupError(f"case {case_id} has events in the batch but none in the ledger")
            first_new = next(i for i, x in enumerate(logged) if x.position >= new_from)
            if _corrects_registration(logged[first_new:]):
                # Its registration's columns change in the current row, which the stored rows'
                # NULLs stand for (projections/case_status/history_rows.py): every row is written again.
                first_new = 0
            recorded = recorded_tail(logged, self.paths, first_new, self._resume((RECORDED, case_id)))
            self._keep((RECORDED, case_id), recorded.replayed)
            # Most cases pass through the same states on both timelines: derived once, then.
            occurred = occurred_as_recorded(logged, first_new, recorded)
            if occurred is None:
                occurred = occurred_tail(logged, self.paths, first_new, self._resume((OCCURRED, case_id)))
                self._keep((OCCURRED, case_id), occurred.replayed)
            current.append(db_values(pg, recorded.intervals[-1][2]))
            for timeline, tail in ((RECORDED, recorded), (OCCURRED, occurred)):
                tails.append(
                    (str(case_id), timeline, tail.since, self._steps(pg, tail.intervals), current[-1])
                )
        history, replaced = self._rows(tx, tails)
        # Each case's rows on a timeline from `since` on are replaced. The caseload rollup takes
        # back the counts of the rows deleted and adds those of the rows written, in SQL.
        rollup.take_back(tx, tx.table(HISTORY), replaced)
        tx.insert_rows(tx.table(HISTORY), HISTORY_COLUMNS, history)
        rollup.put_back(tx, tx.table(HISTORY))
        # The current caseloads take back the touched cases' current rows and add the new ones.
        caseload_now.take_back(tx, tx.table(STATUS), [c for c, *_ in current])
        tx.executemany(_upsert(tx.table(STATUS)), current)
        caseload_now.put_back(tx, tx.table(STATUS))
        first = identities.apply(tx, batch)
        tx.executemany(
            f"UPDATE {tx.table(STATUS)} SET first_petition = ? WHERE case_id = ?",
            [(db_bool(pg, True), case_id) for case_id in first],
        )
        repeated = {(str(e.event.earlier_case_id),) for e in batch if isinstance(e.event, ev.RepeatLinked)}
        tx.executemany(
            f"UPDATE {tx.table(STATUS)} SET repeated = ? WHERE case_id = ?",
            [(db_bool(pg, True), *r) for r in sorted(repeated)],
        )

    @staticmethod
    def _steps(pg: bool, intervals: Sequence[Interval]) -> list[Step]:
        return [(start, end, db_values(pg, row)) for start, end, row in intervals]

    @staticmethod
    def _rows(tx: Tx, tails: list[_Tail]) -> tuple[list[list[Any]], list[tuple[str, str, datetime]]]:
        """The stored rows of the tails, and from when each (case, timeline)'s rows are replaced.

        A tail's `since` may fall inside a stored row (steps that changed only the version and
        position were kept as one row), or end the row before it, whose state the tail's first
        step may have again: that row is replaced from its own start, its steps before `since`
        written again ahead of the tail's, so the rows are those the whole timeline's steps
        give (`lean_rows`)."""
        straddling = rollup.rows_across(
            tx,
            tx.table(HISTORY),
            HISTORY_COLUMNS,
            [(c, t, since) for c, t, since, *_ in tails if since is not None],
        )
        rows: list[list[Any]] = []
        replaced: list[tuple[str, str, datetime]] = []
        for case_id, timeline, tail_since, tail_steps, case in tails:
            since, steps = tail_since, tail_steps
            stored = None if since is None else straddling.get((case_id, timeline))
            if stored is not None and since is not None:
                kept = steps_before(stored, since, case)
                steps = [*kept, *steps]
                since = kept[0][0] if kept else since
            # The whole timeline is the tail from the earliest instant there is.
            replaced.append((case_id, timeline, since or FAR_PAST))
            rows += lean_rows(tx.postgres, timeline, steps, case)
        return rows, replaced

    @staticmethod
    def _history(
        pg: bool, timeline: str, intervals: Sequence[Interval], now: dict[str, Any]
    ) -> list[list[Any]]:
        """The stored rows of a whole timeline's states (as `apply` leaves them); `now`: the current row."""
        return lean_rows(pg, timeline, CaseStatusView._steps(pg, intervals), db_values(pg, now))
