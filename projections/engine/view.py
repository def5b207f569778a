"""What a view is: tables it owns and a set-based `apply` of a batch of ledger events."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar, Protocol
from uuid import UUID

from projections.engine.database import Tx


@dataclass(frozen=True)
class ViewEvent:
    """A ledger event as views receive it: its position, database recorded time and typed event."""

    position: int
    recorded_at: datetime
    originator_id: UUID
    version: int
    type: str  # the event class name, e.g. "Assigned"
    event: Any  # the typed domain event (domain.case_events / domain.reference)


class View(Protocol):
    """A view: one module in projections/, its tables created by migrations/.

    Constructed as `ViewClass(ledger)` (the LedgerApplication, for reference look-ups such as
    unit paths or a case's earlier events). `apply` must not commit: the runner writes the
    batch and the view's position in one transaction, so a view never applies an event twice
    or skips one, across crashes and restarts.
    """

    name: ClassVar[str]
    tables: ClassVar[tuple[str, ...]]  # every table it owns, for rebuild and drift checks

    def apply(self, tx: Tx, batch: list[ViewEvent]) -> None:
        """Apply a batch (in ledger order) with set-based writes, inside the caller's transaction."""
        ...
