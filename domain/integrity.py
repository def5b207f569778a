"""Canonical encoding and the per-aggregate hash chain (ARCHITECTURE.md, "Integrity").

An event's hash is SHA-256 over its aggregate id, version, topic and the canonical
(sorted-key) JSON of its fields, which include the previous event's hash. The stored
bytes of an event *are* that canonical JSON, so a verifier can re-derive every hash
from the stored rows alone, without this package's classes.
"""

from __future__ import annotations

import dataclasses
import hashlib
from decimal import Decimal
from typing import Any
from uuid import UUID

import orjson

GENESIS_HASH = "0" * 64
_OPTIONS = orjson.OPT_SORT_KEYS | orjson.OPT_PASSTHROUGH_DATACLASS


def _default(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: getattr(value, f.name) for f in dataclasses.fields(value)}
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (set, frozenset)):
        return sorted(value)
    raise TypeError(f"cannot encode {type(value).__name__} canonically")


def canonical_json(value: Any) -> bytes:
    """Deterministic JSON: sorted keys, dataclasses as sorted objects, no whitespace."""
    return orjson.dumps(value, default=_default, option=_OPTIONS)


def hash_stored(originator_id: UUID | str, version: int, topic: str, state: bytes) -> str:
    """The event hash, from the stored row's columns."""
    header = f"xinfang-event-v1\n{originator_id}\n{version}\n{topic}\n".encode()
    return hashlib.sha256(header + state).hexdigest()


def event_state(event: Any) -> dict[str, Any]:
    """The fields the mapper stores for an event (mirrors eventsourcing's Mapper)."""
    state = dict(vars(event))
    state.pop("originator_id", None)
    state.pop("originator_version", None)
    class_version = getattr(type(event), "class_version", 1)
    if class_version > 1:
        state["class_version"] = class_version
    return state


def event_hash(event: Any, topic: str) -> str:
    return hash_stored(
        event.originator_id, event.originator_version, topic, canonical_json(event_state(event))
    )


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
