"""The stored events of several cases in one query, read inside the view's own transaction.

A view batch touches many cases and needs each one's earlier events; one query for all of
them (not one per case or per event) keeps a batch to a few statements. Reading through the
view's transaction also pins the snapshot: only events up to the batch's last position are
used, so an incremental run and a rebuild see the same history.
"""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

from eventsourcing.persistence import Mapper, StoredEvent

from domain.case_events import CaseEvent
from domain.store import EVENTS_TABLE_POSTGRES, EVENTS_TABLE_SQLITE
from projections.case_status.rows import LoggedEvent
from projections.engine.database import Tx
from projections.engine.sqltypes import py_time

_CHUNK = 500  # ids per statement: well under SQLite's bound-parameter limit

_SQLITE = (
    "SELECT e.rowid, e.originator_id, e.originator_version, e.topic, e.state, r.recorded_at "
    f"FROM {EVENTS_TABLE_SQLITE} e JOIN stored_event_recorded_at r ON r.notification_id = e.rowid "
    "WHERE e.originator_id IN ({ids}) AND e.rowid <= ? ORDER BY e.originator_id, e.originator_version"
)
_POSTGRES = (
    "SELECT notification_id, originator_id, originator_version, topic, state, recorded_at "
    f"FROM {EVENTS_TABLE_POSTGRES} WHERE originator_id = ANY(?) AND notification_id <= ? "
    "ORDER BY originator_id, originator_version"
)


def case_histories(
    tx: Tx, mapper: Mapper[UUID], case_ids: Sequence[UUID], upto: int
) -> dict[UUID, list[LoggedEvent]]:
    """Every event (position <= `upto`) of each case, decoded, in version order."""
    found: dict[UUID, list[LoggedEvent]] = {}
    for i in range(0, len(case_ids), _CHUNK):
        chunk = list(case_ids[i : i + _CHUNK])
        if tx.postgres:
            tx.execute(_POSTGRES, (chunk, upto))
        else:
            marks = ",".join("?" * len(chunk))
            tx.execute(_SQLITE.format(ids=marks), (*[c.hex for c in chunk], upto))
        for position, originator, version, topic, state, recorded in tx.fetchall():
            case_id = originator if isinstance(originator, UUID) else UUID(originator)
            stored = StoredEvent(
                originator_id=case_id, originator_version=version, topic=topic, state=bytes(state)
            )
            event = mapper.to_domain_event(stored)
            if not isinstance(event, CaseEvent):
                raise TypeError(f"event {position} of {case_id} is not a case event")
            recorded_at = py_time(recorded)
            assert recorded_at is not None
            found.setdefault(case_id, []).append(LoggedEvent(int(position), recorded_at, event))
    return found
