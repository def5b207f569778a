"""The audit context of the command being executed.

The API sets it from the authenticated request; events read it when they are triggered,
so actor, occurred_at, reason and request id never come from a request body.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

from domain.values import SYSTEM_ACTOR, Actor


def utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class CommandContext:
    actor: Actor = SYSTEM_ACTOR
    occurred_at: datetime | None = None
    reason: str | None = None
    request_id: str | None = None
    now: datetime = field(default_factory=utcnow)
    # Set by the 台账 import alone: the steps transcribe what others decided on paper (its reason
    # names the file and row), so rules about which role may decide a step live do not apply;
    # every rule about the case, its parties and the accused side still does.
    transcribed: bool = False

    def effective_occurred_at(self) -> datetime:
        return self.occurred_at or self.now


_current: ContextVar[CommandContext | None] = ContextVar("xinfang_command_context", default=None)


def current_context() -> CommandContext:
    return _current.get() or CommandContext()


@contextmanager
def command_context(**overrides: object) -> Iterator[CommandContext]:
    """Run a block with the given audit context (nested blocks inherit and override)."""
    base = _current.get() or CommandContext()
    ctx = replace(base, **overrides)  # type: ignore[arg-type]
    token = _current.set(ctx)
    try:
        yield ctx
    finally:
        _current.reset(token)
