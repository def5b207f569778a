"""Per-case context a view needs at each event: who holds the case, its category, its scope columns.

Each view keeps this in a table of its own (views are independent and rebuilt one by one).
A batch loads the rows of the cases it touches once, advances them event by event in memory
(so a visit after a reassignment in the same batch sees the new leader), and writes the changed
rows back with one `executemany`.
"""

from __future__ import annotations

from dataclasses import astuple, dataclass, fields
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from domain import case_events as ev
from domain.corrections import typed_value
from domain.policy import local_date
from projections.engine.database import Tx
from projections.engine.view import ViewEvent
from projections.reference_data.units import UnitPaths

CHUNK = 500  # ids per IN (...) list, well under either store's parameter limit


@dataclass
class CaseContext:
    category: str
    received_path: str | None
    kind: str | None
    accused_path: str | None
    accused_leader: str | None
    registered_at: str | None  # utc_text: when the matter arose (the accused side counts from it)
    registered_by: str | None
    unit_code: str | None = None
    unit_path: str | None = None
    leader_id: str | None = None

    def scope(self) -> tuple[str | None, ...]:
        """The reader-access columns of api/access.py, in the order views store them."""
        return tuple(getattr(self, name) for name in SCOPE_COLUMNS)


# The reader-access columns (api/access.py) every per-case view row carries, in INSERT order.
SCOPE_COLUMNS = (
    "received_path", "unit_path", "leader_id", "kind", "accused_path", "accused_leader",
    "registered_at", "registered_by",
)  # fmt: skip


COLUMNS = tuple(f.name for f in fields(CaseContext))
CONTEXT_EVENTS = (ev.Registered, ev.Assigned, ev.Corrected)  # Reassigned is an Assigned
# Issue 18: 交还 (an upheld objection) and 回流 (a returned diversion) leave no holder.
RELEASE_EVENTS = (ev.ObjectionDecided, ev.DiversionOutcomeRecorded)


class MissingContext(RuntimeError):
    """An event for a case whose registration the view never saw: the view must stop, not guess."""


class CaseContexts:
    """The context rows of one batch, read once and written back once."""

    def __init__(self, table: str, paths: UnitPaths) -> None:
        self._table = table
        self._paths = paths
        self._rows: dict[UUID, CaseContext] = {}
        self._dirty: set[UUID] = set()

    def load(self, tx: Tx, case_ids: set[UUID]) -> None:
        ids = sorted(str(i) for i in case_ids - self._rows.keys())
        for start in range(0, len(ids), CHUNK):
            chunk = ids[start : start + CHUNK]
            tx.execute(
                f"SELECT case_id, {', '.join(COLUMNS)} FROM {tx.table(self._table)} "
                f"WHERE case_id IN ({', '.join('?' * len(chunk))})",
                chunk,
            )
            for case_id, *values in tx.fetchall():
                self._rows[UUID(case_id)] = CaseContext(*values)

    def get(self, case_id: UUID) -> CaseContext:
        try:
            return self._rows[case_id]
        except KeyError:
            raise MissingContext(f"no registration seen for case {case_id}") from None

    def advance(self, e: ViewEvent) -> None:
        """Move a case's context past one event (only registration, assignment and category change it)."""
        event = e.event
        if isinstance(event, ev.Registered):
            self._rows[e.originator_id] = CaseContext(
                category=event.category,
                received_path=self._paths.path(event.received_unit),
                kind=str(event.kind),
                accused_path=self._paths.path(event.accused_unit),
                accused_leader=event.accused_leader,
                registered_at=utc_text(event.occurred_at),
                registered_by=event.actor.user_id,
            )
        elif isinstance(event, ev.Assigned):
            context = self.get(e.originator_id)
            context.unit_code, context.leader_id = event.unit_code, event.leader_id
            context.unit_path = self._paths.path(event.unit_code)
        elif isinstance(event, RELEASE_EVENTS) and releases_holder(event):
            context = self.get(e.originator_id)
            context.unit_code = context.leader_id = context.unit_path = None
        elif isinstance(event, ev.Corrected) and event.target_type == "Registered":
            context = self.get(e.originator_id)
            if event.field == "category":
                context.category = str(event.new_value)
            elif event.field == "occurred_at":
                context.registered_at = utc_text(_typed_time(event.new_value))
            else:
                return
        else:
            return
        self._dirty.add(e.originator_id)

    def save(self, tx: Tx) -> None:
        updates = ", ".join(f"{c} = excluded.{c}" for c in COLUMNS)
        tx.executemany(
            f"INSERT INTO {tx.table(self._table)} (case_id, {', '.join(COLUMNS)}) "
            f"VALUES ({', '.join('?' * (len(COLUMNS) + 1))}) "
            f"ON CONFLICT (case_id) DO UPDATE SET {updates}",
            [(str(i), *astuple(self._rows[i])) for i in sorted(self._dirty)],
        )
        self._dirty.clear()


# A correction of when the matter arose moves it on every row of the case (values: time, case id).
SET_REGISTERED_AT = "UPDATE {t} SET registered_at = ? WHERE case_id = ?"


def registration_moved(e: ViewEvent) -> tuple[str, str] | None:
    """(new registered_at, case id) when the event corrects when the case's matter arose."""
    event = e.event
    if isinstance(event, ev.Corrected) and (event.target_type, event.field) == ("Registered", "occurred_at"):
        return utc_text(_typed_time(event.new_value)), str(e.originator_id)
    return None


def _typed_time(json_value: Any) -> datetime:
    value = typed_value(ev.Registered, "occurred_at", json_value)
    assert isinstance(value, datetime)
    return value


def touched_cases(batch: list[ViewEvent], kinds: tuple[type[object], ...]) -> set[UUID]:
    """Cases in the batch with an event of these kinds (or a context change)."""
    return {e.originator_id for e in batch if isinstance(e.event, (*CONTEXT_EVENTS, *RELEASE_EVENTS, *kinds))}


def releases_holder(event: ev.CaseEvent) -> bool:
    """The case comes back without a holding unit: 交还 (R6) or 回流 from a legal pathway (R7)."""
    if isinstance(event, ev.ObjectionDecided):
        return event.upheld
    return isinstance(event, ev.DiversionOutcomeRecorded) and event.outcome == "returned"


def utc_text(moment: datetime) -> str:
    """Fixed-width UTC ISO 8601, so text order is time order on both stores."""
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def local_day(moment: datetime) -> str:
    """The China-time date of an instant (periods and months are the office's days)."""
    return local_date(moment).isoformat()


def keyset_after(after: tuple[str, int] | None) -> tuple[str, tuple[Any, ...]]:
    """The condition for rows after (older than) the last row of a newest-first page."""
    if after is None:
        return "1=1", ()
    return "(occurred_at < ? OR (occurred_at = ? AND position < ?))", (after[0], after[0], after[1])
