"""Decoded case histories kept between view batches, shared by every view of one ledger.

A view row is derived from all of a case's events, so each batch needs the whole history of
every case it touches. Reading and decoding those histories from the ledger for every batch
made a rebuild decode each event several times over (a case's events fall in several batches)
and once more for each view that asks. A stored event never changes, so a history read once
stays true: this keeps the recent cases' decoded events in memory (least recently used out
first, bounded by a count of events) and extends them with the batch's own, already decoded
events. Only a case it does not hold, and that was registered before the batch, is read from
the ledger, in one query for all of them.

A held history is never missing an event: a batch is every ledger event after the view's
position, in order, and the log extends what it holds with every batch at its frontier.
"""

from __future__ import annotations

import threading
import weakref
from collections import OrderedDict
from collections.abc import Sequence
from uuid import UUID

from domain.application import LedgerApplication
from domain.case_events import CaseEvent
from projections.case_status.ledger_rows import case_histories
from projections.case_status.rows import LoggedEvent
from projections.engine.database import Tx
from projections.engine.view import ViewEvent

# About 1.7 KB a decoded event: the bound keeps the log near 70 MB, and holds the working set
# of a live office (its open cases) or of a rebuild (the cases registered in the same months).
MAX_EVENTS = 40_000


class CaseLog:
    """Recent cases' decoded events, each list complete through `through`, the ledger position
    up to which this log has seen every batch.

    Only a batch at the frontier (it starts at or before `through` and reaches at least that
    far) updates what is held: it extends every held case it has events of, so a case it has
    none of is still complete through its end. A reader behind the frontier (a rebuild beside
    the live views) is answered from what is held, cut at its batch, and changes nothing; a
    batch past the frontier (a gap the log did not see) starts the log afresh.
    """

    def __init__(self, ledger: LedgerApplication, max_events: int = MAX_EVENTS) -> None:
        # Not the ledger itself: the registry below holds logs by weak reference to their ledger.
        self._mapper = ledger.mapper
        self._max_events = max_events
        self._held: OrderedDict[UUID, list[LoggedEvent]] = OrderedDict()
        self._count = 0
        self._through = 0
        self._lock = threading.Lock()  # a rebuild and the live runner may share one ledger

    def histories(
        self, tx: Tx, batch: Sequence[ViewEvent], case_ids: Sequence[UUID]
    ) -> dict[UUID, list[LoggedEvent]]:
        """Every event (up to the batch's last) of each case, decoded, in version order."""
        upto, before = batch[-1].position, batch[0].position - 1
        new: dict[UUID, list[LoggedEvent]] = {}
        for e in batch:
            if isinstance(e.event, CaseEvent):
                new.setdefault(e.originator_id, []).append(LoggedEvent(e.position, e.recorded_at, e.event))
        with self._lock:
            if before > self._through:  # events between were never seen: nothing held is complete
                self._held.clear()
                self._count, self._through = 0, before
            frontier = upto >= self._through
            found: dict[UUID, list[LoggedEvent]] = {}
            missing: list[UUID] = []
            for case_id in case_ids:
                held = self._held.get(case_id)
                batch_events = new.get(case_id, [])
                if held is not None:
                    if frontier:
                        found[case_id] = _extended(held, batch_events)
                    else:
                        found[case_id] = [x for x in held if x.position <= upto]
                elif batch_events and batch_events[0].event.originator_version == 1:
                    found[case_id] = batch_events  # registered in this batch: all there is
                else:
                    missing.append(case_id)
            if missing:
                found.update(case_histories(tx, self._mapper, missing, upto))
            if frontier:
                self._advance(found, new, upto)
        return found

    def _advance(
        self, found: dict[UUID, list[LoggedEvent]], new: dict[UUID, list[LoggedEvent]], upto: int
    ) -> None:
        """Hold what a frontier batch found, and extend every held case it has events of."""
        for case_id, events in new.items():
            if case_id not in found and (held := self._held.get(case_id)) is not None:
                self._keep(case_id, _extended(held, events))
        for case_id, events in found.items():
            self._keep(case_id, events)
        self._through = upto

    def _keep(self, case_id: UUID, events: list[LoggedEvent]) -> None:
        held = self._held.get(case_id)
        if held is not None:
            self._count -= len(held)
        self._held[case_id] = events
        self._held.move_to_end(case_id)
        self._count += len(events)
        while self._count > self._max_events and len(self._held) > 1:
            _, dropped = self._held.popitem(last=False)
            self._count -= len(dropped)


def _extended(held: list[LoggedEvent], batch_events: list[LoggedEvent]) -> list[LoggedEvent]:
    """A held history and the batch's events of that case it does not have yet."""
    last = held[-1].position
    return held + [x for x in batch_events if x.position > last]


_LOGS: weakref.WeakKeyDictionary[LedgerApplication, CaseLog] = weakref.WeakKeyDictionary()
_LOGS_LOCK = threading.Lock()


def case_log(ledger: LedgerApplication) -> CaseLog:
    """The one CaseLog of this ledger, so every view (and a rebuild's) shares what was decoded."""
    with _LOGS_LOCK:
        log = _LOGS.get(ledger)
        if log is None:
            log = _LOGS[ledger] = CaseLog(ledger)
        return log
