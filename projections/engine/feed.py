"""The ledger as views read it: positions, and stored rows decoded into `ViewEvent`s."""

from __future__ import annotations

from eventsourcing.persistence import StoredEvent

from domain.application import LedgerApplication
from domain.persistence import LedgerRow
from projections.engine.view import ViewEvent


def ledger_position(ledger: LedgerApplication) -> int:
    """The ledger's last position (0 when empty)."""
    return int(ledger.recorder.max_notification_id() or 0)


def decode(ledger: LedgerApplication, row: LedgerRow) -> ViewEvent:
    stored = StoredEvent(
        originator_id=row.originator_id,
        originator_version=row.version,
        topic=row.topic,
        state=row.state,
    )
    event = ledger.mapper.to_domain_event(stored)
    return ViewEvent(
        position=row.position,
        recorded_at=row.recorded_at,
        originator_id=row.originator_id,
        version=row.version,
        type=type(event).__name__,
        event=event,
    )


class DecodeFailed(Exception):
    """A stored event that cannot be decoded: a poison event for every view that reaches it."""

    def __init__(self, position: int, cause: Exception) -> None:
        super().__init__(f"{type(cause).__name__}: {cause}")
        self.position, self.cause = position, cause


def fetch(
    ledger: LedgerApplication, after: int, until: int, limit: int
) -> tuple[list[ViewEvent], DecodeFailed | None]:
    """Up to `limit` events after position `after` (up to `until`), and the decode failure that cut the batch short."""
    events: list[ViewEvent] = []
    for row in ledger.reads.rows_between(after + 1, until, limit):
        try:
            events.append(decode(ledger, row))
        except Exception as exc:  # any decode error makes this row a poison event
            return events, DecodeFailed(row.position, exc)
    return events, None
