"""Verify the whole ledger from its stored rows: every chain, every checkpoint root and signature.

One streaming pass in ledger order, in batches, holding only the last (version, hash) of each
aggregate and the Merkle frontier. Chain checks catch an edited, removed or reordered event
inside one aggregate; the signed checkpoint roots catch what a chain cannot: a whole aggregate
rewritten consistently, events moved between positions across aggregates, or the newest events
of an aggregate removed. The case heads signed by version 2 checkpoints
(`domain.verify_heads`) name which case was rewritten or cut short.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any
from uuid import UUID

import orjson
from eventsourcing.persistence import ApplicationRecorder

from domain import merkle
from domain.checkpoint_store import CheckpointRecord, CheckpointStore
from domain.checkpoints import verify_checkpoint
from domain.integrity import GENESIS_HASH, hash_stored
from domain.ledger_tree import iter_rows, ledger_head
from domain.persistence import LedgerReads, ledger_reads
from domain.verify_heads import HeadsCheck, HeadsSource

Progress = Callable[[int, int], None]  # (position reached, head position)


@dataclass(frozen=True)
class Problem:
    position: int | None
    originator_id: str | None
    version: int | None
    problem: str
    checkpoint_size: int | None = None


@dataclass(frozen=True)
class VerifyReport:
    ok: bool
    events_checked: int
    checkpoints_checked: int
    first_bad: Problem | None
    problems: int
    cases: list[Problem] = field(default_factory=list)  # each case whose head a checkpoint contradicts

    def as_dict(self) -> dict[str, Any]:
        first = None if self.first_bad is None else asdict(self.first_bad)
        return {
            "ok": self.ok,
            "events_checked": self.events_checked,
            "checkpoints_checked": self.checkpoints_checked,
            "first_bad": first,
            "problems": self.problems,
            "cases": [asdict(p) for p in self.cases],
        }


def _signature_problem(record: CheckpointRecord, trusted: Mapping[str, bytes]) -> str | None:
    c = record.checkpoint
    key = trusted.get(c.key_id)
    if key is None:
        return f"checkpoint at size {c.size} is signed by key {c.key_id}, which is not a trusted key"
    if record.public_key != key.hex():
        return f"checkpoint at size {c.size} names key {c.key_id} but stores a different public key"
    if not verify_checkpoint(c, key):
        return f"checkpoint at size {c.size} has a signature that does not verify with key {c.key_id}"
    return None


class _Verifier:
    def __init__(
        self, checkpoints: list[CheckpointRecord], trusted: Mapping[str, bytes], heads: HeadsSource | None
    ) -> None:
        self.heads: dict[UUID, tuple[int, str]] = {}
        self.tree = merkle.MerkleAccumulator()
        self.pending = sorted(checkpoints, key=lambda r: r.checkpoint.size)
        self.trusted = trusted
        self.first_bad: Problem | None = None
        self.problems = 0
        self.checkpoints_checked = 0
        self.last_good_position = 0  # the position of the newest checkpoint that matched
        self.cases: list[Problem] = []
        # Version 2 checkpoints whose signature holds, by position: their heads are compared there.
        self.pending_heads = sorted(
            (r for r in checkpoints
             if r.checkpoint.heads_root is not None and _signature_problem(r, trusted) is None),
            key=lambda r: (r.checkpoint.position, r.id),
        )  # fmt: skip
        newest = self.pending_heads[-1] if self.pending_heads else None
        self.heads_check = None if heads is None else HeadsCheck(heads, newest, self.report_case)

    def report(self, problem: Problem) -> None:
        self.problems += 1
        if self.first_bad is None:
            self.first_bad = problem

    def report_case(
        self, position: int | None, originator_id: str | None, version: int | None, text: str, size: int
    ) -> None:
        problem = Problem(position, originator_id, version, text, size)
        self.report(problem)
        if originator_id is not None:
            self.cases.append(problem)

    def heads_until(self, position: int | None) -> None:
        """Compare heads at every version 2 checkpoint before ``position`` (None: all that remain)."""
        while self.pending_heads and (
            position is None or self.pending_heads[0].checkpoint.position < position
        ):
            record = self.pending_heads.pop(0)
            if self.heads_check is not None:
                self.heads_check.checkpoint(record, self.heads)

    def event(self, position: int, originator_id: UUID, version: int, topic: str, state: bytes) -> None:
        self.heads_until(position)
        if self.heads_check is not None:
            self.heads_check.event(originator_id)
        digest = hash_stored(originator_id, version, topic, state)
        last_version, last_hash = self.heads.get(originator_id, (0, GENESIS_HASH))
        where = (position, str(originator_id), version)
        if version != last_version + 1:
            missing = "before it" if version > last_version + 1 else "out of order"
            self.report(
                Problem(*where, f"version {version} follows version {last_version}: events {missing}")
            )
        else:
            try:
                prev = orjson.loads(state).get("prev_hash")
            except (orjson.JSONDecodeError, AttributeError):
                prev = None
            if prev != last_hash:
                self.report(
                    Problem(
                        *where,
                        f"prev_hash does not match the hash of the stored event {last_version}: "
                        f"event {last_version} was changed, or this link was",
                    )
                )
        # Carry on from what is stored, so one bad event is reported once, not for every successor.
        self.heads[originator_id] = (max(version, last_version), digest)
        self.tree.add(merkle.event_leaf(digest))
        while self.pending and self.pending[0].checkpoint.size == self.tree.size:
            self.checkpoint(self.pending.pop(0), position)

    def checkpoint(self, record: CheckpointRecord, position: int | None) -> None:
        c = record.checkpoint
        self.checkpoints_checked += 1
        signature = _signature_problem(record, self.trusted)
        if signature is not None:
            self.report(Problem(c.position, None, None, signature, c.size))
            return
        if position is None:
            self.report(
                Problem(
                    c.position, None, None,
                    f"the signed checkpoint covers {c.size} events but the ledger now holds only "
                    f"{self.tree.size}: events after position {self.last_good_position} were removed",
                    c.size,
                )
            )  # fmt: skip
        elif self.tree.root().hex() != c.root:
            self.report(
                Problem(
                    c.position, None, None,
                    f"the ledger's first {c.size} events no longer match the signed checkpoint root: "
                    f"an event between positions {self.last_good_position + 1} and {c.position} was "
                    "changed, removed, inserted or moved (each case's own chain may still look intact)",
                    c.size,
                )
            )  # fmt: skip
        elif position != c.position:
            self.report(
                Problem(
                    c.position, None, None,
                    f"the signed checkpoint's {c.size}th event was at position {c.position}, "
                    f"it is now at {position}",
                    c.size,
                )
            )  # fmt: skip
        else:
            self.last_good_position = c.position


def verify_ledger(
    reads: LedgerReads,
    head: int,
    checkpoints: list[CheckpointRecord],
    trusted: Mapping[str, bytes],
    progress: Progress | None = None,
    heads: HeadsSource | None = None,
    counted: Callable[[int], None] | None = None,
) -> VerifyReport:
    """Re-derive every chain up to ``head`` and check every checkpoint against the rows.

    ``trusted`` maps key id → public key; a checkpoint signed by any other key is a problem,
    since anyone with database access can write a row signed by a key of their own. With
    ``heads`` (the checkpoint store), every case whose head differs from one a version 2
    checkpoint signed is named in ``cases``. ``counted`` hears the number of events checked.
    """
    v = _Verifier(checkpoints, trusted, heads)
    while v.pending and v.pending[0].checkpoint.size == 0:  # made on an empty ledger
        v.checkpoint(v.pending.pop(0), 0)
    for row in iter_rows(reads, 1, head):
        v.event(row.position, row.originator_id, row.version, row.topic, row.state)
        if v.tree.size % 1000 == 0:
            if progress is not None:
                progress(row.position, head)
            if counted is not None:
                counted(v.tree.size)
    # What is still pending covers more events than the ledger now holds.
    v.heads_until(None)
    for record in v.pending:
        v.checkpoint(record, None)
    if progress is not None:
        progress(head, head)
    return VerifyReport(
        v.first_bad is None, v.tree.size, v.checkpoints_checked, v.first_bad, v.problems, v.cases
    )


def verify_stored(
    recorder: ApplicationRecorder,
    trusted: Mapping[str, bytes],
    progress: Progress | None = None,
    counted: Callable[[int], None] | None = None,
    head: int | None = None,
) -> VerifyReport:
    """`verify_ledger` over a store up to ``head`` (default: as it stands), its checkpoints and case heads."""
    store = CheckpointStore(recorder)
    stop = ledger_head(recorder) if head is None else head
    return verify_ledger(
        ledger_reads(recorder), stop, store.by_size(), trusted, progress, heads=store, counted=counted
    )
