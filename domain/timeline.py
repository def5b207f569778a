"""A case's timeline from its stored rows, with the hash chain re-checked on every read."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import orjson

from domain.integrity import GENESIS_HASH, hash_stored
from domain.persistence import LedgerRow

AUDIT_FIELDS = ("actor", "occurred_at", "reason", "request_id", "prev_hash", "timestamp", "originator_topic")
DEFAULT_LATE_ENTRY_HOURS = 24


@dataclass
class TimelineEntry:
    version: int
    type: str
    position: int
    actor: dict[str, Any]
    occurred_at: str
    recorded_at: datetime
    timestamp: str
    reason: str | None
    request_id: str | None
    fields: dict[str, Any]
    hash: str
    prev_hash: str
    chain_ok: bool
    late_entry: bool
    corrected_by: list[int] = field(default_factory=list)


@dataclass
class Timeline:
    entries: list[TimelineEntry]
    chain_ok: bool
    first_bad_version: int | None
    problem: str | None


def _late(occurred_at: str, recorded: datetime, hours: int) -> bool:
    return recorded - datetime.fromisoformat(occurred_at) > timedelta(hours=hours)


def build_timeline(rows: list[LedgerRow]) -> Timeline:
    entries: list[TimelineEntry] = []
    previous = GENESIS_HASH
    first_bad: int | None = None
    problem: str | None = None
    late_hours = DEFAULT_LATE_ENTRY_HOURS
    for expected_version, row in enumerate(rows, start=1):
        state: dict[str, Any] = orjson.loads(row.state)
        digest = hash_stored(row.originator_id, row.version, row.topic, row.state)
        linked = state.get("prev_hash") == previous
        if first_bad is None and row.version != expected_version:
            first_bad, problem = row.version, f"event {expected_version} is missing"
        elif first_bad is None and not linked:
            first_bad = row.version
            problem = f"event {row.version} does not link to the stored event {row.version - 1}"
        type_name = row.topic.rsplit(":", 1)[-1]
        if type_name == "Registered":
            late_hours = _policy_late_hours(state.get("policy_version"))
        entries.append(
            TimelineEntry(
                version=row.version,
                type=type_name,
                position=row.position,
                actor=state.get("actor") or {},
                occurred_at=state["occurred_at"],
                recorded_at=row.recorded_at,
                timestamp=state["timestamp"],
                reason=state.get("reason"),
                request_id=state.get("request_id"),
                fields={k: v for k, v in state.items() if k not in AUDIT_FIELDS},
                hash=digest,
                prev_hash=state.get("prev_hash", ""),
                chain_ok=linked,
                late_entry=_late(state["occurred_at"], row.recorded_at, late_hours),
            )
        )
        previous = digest
    by_version = {e.version: e for e in entries}
    for entry in entries:
        if entry.type == "Corrected":
            target = by_version.get(int(entry.fields["target_version"]))
            if target is not None:
                target.corrected_by.append(entry.version)
    return Timeline(entries, first_bad is None, first_bad, problem)


def _policy_late_hours(version: str | None) -> int:
    from domain.policy import get_policy

    try:
        return get_policy(version or "").late_entry_hours
    except Exception:
        return DEFAULT_LATE_ENTRY_HOURS
