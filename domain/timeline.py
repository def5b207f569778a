"""A case's timeline from its stored rows, with the hash chain and its signed head re-checked on every read."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol
from uuid import UUID

import orjson

from domain.case_heads import describe_mismatch
from domain.checkpoint_store import CheckpointRecord
from domain.checkpoints import describe_checkpoint
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


class SignedHeads(Protocol):
    """The newest signed case heads (`domain.checkpoint_store.CheckpointStore`)."""

    def latest_with_heads(self) -> CheckpointRecord | None: ...
    def head_of(self, record: CheckpointRecord, aggregate_id: UUID) -> tuple[int, str] | None: ...


def check_head(timeline: Timeline, case_id: UUID, signed: SignedHeads) -> Timeline:
    """The timeline with its chain status also checked against the case's head in the newest
    checkpoint that covers it: a case rewritten and re-chained, or cut short, fails here
    although its own chain holds.

    Two index probes per read: the stored head row is trusted as it is (`verify` is what
    folds the stored heads back to the signed root and checks the signature).
    """
    record = signed.latest_with_heads()
    if record is None or not timeline.entries or timeline.entries[0].position > record.checkpoint.position:
        return timeline  # no checkpoint with heads covers this case yet
    covered = [e for e in timeline.entries if e.position <= record.checkpoint.position]
    found = (covered[-1].version, covered[-1].hash) if covered else None
    head = signed.head_of(record, case_id)
    if head == found:
        return timeline
    problem = describe_mismatch(case_id, head, found, describe_checkpoint(record.checkpoint))
    first_bad = head[0] if head is not None else timeline.entries[0].version
    if not timeline.chain_ok and timeline.first_bad_version is not None:
        first_bad, problem = timeline.first_bad_version, f"{timeline.problem}; {problem}"
    return Timeline(timeline.entries, False, first_bad, problem)
