"""Command arguments checked against the command's type hints before any rule runs.

The API validates its bodies, but the domain is also driven from the CLI, the demo loader,
tests and future callers: a wrong type must be a clear domain error, never a crash and never
an event that cannot be loaded again (e.g. an unknown enum value stored in the ledger).
"""

from __future__ import annotations

import dataclasses
import functools
import types
import typing
from collections.abc import Callable
from datetime import date, datetime
from enum import Enum
from typing import Any, TypeVar
from uuid import UUID

from domain.errors import InvalidInput
from domain.plausible import check_day

F = TypeVar("F", bound=Callable[..., Any])
MAX_INT = 2**53  # beyond this JSON readers lose precision


def _fail(name: str, expected: str) -> InvalidInput:
    return InvalidInput(f"{name} must be {expected}", field=name)


def coerce(name: str, hint: Any, value: Any) -> Any:  # noqa: PLR0912 - one branch per kind of type
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if hint is Any:
        return value
    if origin in (typing.Union, types.UnionType):
        if value is None and type(None) in args:
            return None
        inner = [a for a in args if a is not type(None)]
        return coerce(name, inner[0], value) if len(inner) == 1 else value
    if origin is tuple:
        if not isinstance(value, (list, tuple)):
            raise _fail(name, "a list")
        return tuple(coerce(name, args[0], v) for v in value)
    if isinstance(hint, type) and issubclass(hint, Enum):
        try:
            return hint(value)
        except (ValueError, TypeError):
            raise _fail(name, "one of " + ", ".join(str(m.value) for m in hint)) from None
    if hint is bool:
        if not isinstance(value, bool):
            raise _fail(name, "true or false")
        return value
    if hint is int:
        if isinstance(value, bool) or not isinstance(value, int) or abs(value) > MAX_INT:
            raise _fail(name, "a whole number")
        return value
    if hint is str:
        if not isinstance(value, str):
            raise _fail(name, "text")
        return value
    if hint is datetime:
        if not isinstance(value, datetime) or value.tzinfo is None:
            raise _fail(name, "a date and time with a UTC offset")
        return value
    if hint is date:
        if isinstance(value, datetime) or not isinstance(value, (date, str)):
            raise _fail(name, "a date (YYYY-MM-DD)")
        try:
            return value if isinstance(value, date) else date.fromisoformat(value)
        except ValueError:
            raise _fail(name, "a date (YYYY-MM-DD)") from None
    if hint is UUID:
        try:
            return value if isinstance(value, UUID) else UUID(str(value))
        except ValueError:
            raise _fail(name, "a UUID") from None
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        if isinstance(value, hint):
            return value
        if isinstance(value, dict):
            hints = typing.get_type_hints(hint)
            unknown = set(value) - set(hints)
            if unknown:
                raise _fail(name, f"without unknown fields {sorted(unknown)}")
            return hint(**{k: coerce(f"{name}.{k}", hints[k], v) for k, v in value.items()})
        raise _fail(name, f"a {hint.__name__}")
    return value


def checked(method: F) -> F:
    """Decorate a keyword-only command: each argument is coerced to its hint or refused, and each
    date must be plausible (domain/plausible.py)."""

    @functools.wraps(method)
    def wrapper(self: Any, **kwargs: Any) -> Any:
        hints = _hints(method)
        unknown = set(kwargs) - set(hints)
        if unknown:
            raise InvalidInput(f"unknown arguments {sorted(unknown)}", field=sorted(unknown)[0])
        coerced = {k: coerce(k, hints[k], v) for k, v in kwargs.items()}
        for name, value in coerced.items():  # every date a command records is plausible (R12)
            if isinstance(value, date) and not isinstance(value, datetime):
                check_day(name, value)
        return method(self, **coerced)

    return typing.cast(F, wrapper)


@functools.cache
def _hints(method: Callable[..., Any]) -> dict[str, Any]:
    hints = typing.get_type_hints(method)
    hints.pop("return", None)
    return hints
