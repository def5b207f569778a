"""Base classes for every aggregate in the ledger: audit fields and the hash chain."""

from __future__ import annotations

from datetime import datetime
from typing import Any, TypeVar
from uuid import UUID

from eventsourcing.domain import Aggregate
from eventsourcing.utils import get_topic

from domain.context import current_context
from domain.integrity import GENESIS_HASH, event_hash
from domain.values import Actor

T = TypeVar("T", bound="LedgerAggregate")


class LedgerEvent(Aggregate.Event):
    """Every ledger event: who, when in the world, why, which request, and the chain link."""

    actor: Actor
    occurred_at: datetime
    reason: str | None
    request_id: str | None
    prev_hash: str

    def mutate(self, aggregate: Any) -> Any:
        # Hash first: an event that cannot be encoded must fail before it changes any state.
        digest = event_hash(self, get_topic(type(self)))
        aggregate = super().mutate(aggregate)
        aggregate.chain_head = digest
        return aggregate


class LedgerCreated(LedgerEvent, Aggregate.Created):
    """The first event of an aggregate: its chain starts from the genesis hash."""


def audit_fields() -> dict[str, Any]:
    ctx = current_context()
    return {
        "actor": ctx.actor,
        "occurred_at": ctx.effective_occurred_at(),
        "reason": ctx.reason,
        "request_id": ctx.request_id,
    }


class LedgerAggregate(Aggregate):
    """An aggregate whose events carry the audit context and chain to each other."""

    def __init__(self) -> None:
        # No annotations on aggregate classes: eventsourcing would turn them into dataclasses.
        self.chain_head = GENESIS_HASH

    @classmethod
    def _start(cls: type[T], event_class: type[LedgerCreated], id: UUID, **kwargs: Any) -> T:
        return cls._create(event_class, id=id, prev_hash=GENESIS_HASH, **audit_fields(), **kwargs)

    def trigger_event(self, event_class: Any, **kwargs: Any) -> None:
        fields = audit_fields()
        fields.update(kwargs)
        super().trigger_event(event_class, prev_hash=self.chain_head, **fields)
