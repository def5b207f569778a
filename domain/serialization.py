"""orjson encoding of events, and the typed decoding that restores their field types.

Events are stored as canonical JSON (see `domain.integrity`). JSON has no UUID, date,
datetime or enum, so decoding converts each field back by the event class's type hints;
the converters are built once per class. A test round-trips every event class exactly.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from functools import cache
from typing import Any
from uuid import UUID

import orjson
from eventsourcing.persistence import Mapper, StoredEvent, Transcoder
from eventsourcing.utils import resolve_topic

from domain.integrity import canonical_json

Convert = Callable[[Any], Any]


def _identity(value: Any) -> Any:
    return value


def _optional(inner: Convert) -> Convert:
    return lambda value: None if value is None else inner(value)


def _tuple_of(inner: Convert) -> Convert:
    return lambda value: tuple(inner(v) for v in value)


def _fixed_tuple(inners: tuple[Convert, ...]) -> Convert:
    return lambda value: tuple(f(v) for f, v in zip(inners, value, strict=True))


def _dataclass(cls: type[Any]) -> Convert:
    fields = {name: converter_for(hint) for name, hint in _hints(cls).items()}

    def convert(value: Any) -> Any:
        return cls(**{k: fields[k](v) if k in fields else v for k, v in value.items()})

    return convert


def _datetime(value: Any) -> datetime:
    return value if isinstance(value, datetime) else datetime.fromisoformat(value)


def _date(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(value)


def _uuid(value: Any) -> UUID:
    return value if isinstance(value, UUID) else UUID(value)


@cache
def converter_for(hint: Any) -> Convert:
    """A function turning the JSON form of a value of type `hint` back into that type."""
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        inner = [a for a in args if a is not type(None)]
        if len(inner) == 1:
            return _optional(converter_for(inner[0]))
        return _identity
    if origin is tuple:
        if len(args) == 2 and args[1] is Ellipsis:
            return _tuple_of(converter_for(args[0]))
        return _fixed_tuple(tuple(converter_for(a) for a in args))
    if hint is datetime:
        return _datetime
    if hint is date:
        return _date
    if hint is UUID:
        return _uuid
    if hint is Decimal:
        return Decimal
    if isinstance(hint, type) and issubclass(hint, Enum):
        return hint
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        return _dataclass(hint)
    return _identity


_HINTS: dict[type[Any], dict[str, Any]] = {}


def _hints(cls: type[Any]) -> dict[str, Any]:
    # Kept per class: classes do not change at run time, and get_type_hints evaluates every
    # annotation again on each call (a correction's typed value asks for one per event).
    hints = _HINTS.get(cls)
    if hints is None:
        hints = _HINTS[cls] = {
            name: hint
            for name, hint in typing.get_type_hints(cls).items()
            if typing.get_origin(hint) is not typing.ClassVar and hint is not typing.ClassVar
        }
    return hints


@cache
def field_converters(cls: type[Any]) -> dict[str, Convert]:
    converters = {name: converter_for(hint) for name, hint in _hints(cls).items()}
    converters.pop("originator_id", None)
    converters.pop("originator_version", None)
    return {k: f for k, f in converters.items() if f is not _identity}


def field_type(cls: type[Any], field: str) -> Any | None:
    return _hints(cls).get(field)


def to_json_value(value: Any) -> Any:
    """The JSON form of a value, as it is stored (used for corrections' old and new values)."""
    return orjson.loads(canonical_json(value))


class CanonicalTranscoder(Transcoder):
    """Encodes to canonical JSON; decodes plain JSON (types are restored by the mapper)."""

    def encode(self, obj: Any) -> bytes:
        return canonical_json(obj)

    def decode(self, data: bytes) -> Any:
        return orjson.loads(data)


class TypedMapper(Mapper[UUID]):
    """eventsourcing's Mapper, restoring field types from the event class's hints."""

    def to_domain_event(self, stored_event: StoredEvent) -> Any:
        event = super().to_domain_event(stored_event)
        state = vars(event)
        for name, convert in field_converters(type(event)).items():
            if name in state:
                state[name] = convert(state[name])
        return event


def decode_state(topic: str, state: bytes) -> tuple[type[Any], dict[str, Any]]:
    """Decode a stored row's state into typed fields, without building the event object."""
    cls = resolve_topic(topic)
    fields: dict[str, Any] = orjson.loads(state)
    for name, convert in field_converters(cls).items():
        if name in fields:
            fields[name] = convert(fields[name])
    return cls, fields
