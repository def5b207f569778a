"""The case-heads half of `domain.verify`: name every case whose head differs from a signed one.

Fed by the verifier's one pass: at each version 2 checkpoint's position it compares the
ledger's heads with the stored, signed ones. Only the heads that can have changed since the
previous such checkpoint are compared (those the ledger or the checkpoint's stored rows
touched), so the pass stays O(events + stored heads). The stored heads are not signed
themselves: before a case is named from them, and always at the newest checkpoint, they are
folded back to the signed heads root (O(cases), on the tamper path and once at the end).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol
from uuid import UUID

from domain.case_heads import Heads, describe_mismatch, heads_root
from domain.checkpoint_store import CheckpointRecord
from domain.checkpoints import describe_checkpoint


class HeadsSource(Protocol):
    """Where the stored heads of the checkpoints are read (`domain.checkpoint_store.CheckpointStore`)."""

    def heads_delta(self, checkpoint_id: int) -> Heads: ...
    def heads_at(self, record: CheckpointRecord) -> Heads: ...


Report = Callable[[int | None, str | None, int | None, str, int], None]  # Problem's fields


def describe(record: CheckpointRecord) -> str:
    return describe_checkpoint(record.checkpoint)


class HeadsCheck:
    def __init__(self, source: HeadsSource, newest: CheckpointRecord | None, report: Report) -> None:
        self.source, self.newest, self.report = source, newest, report
        self.signed: Heads = {}
        self.signed_id: int | None = None  # the checkpoint ``signed`` is the heads of
        self.touched: set[UUID] = set()  # aggregates with events since that checkpoint
        self.named: set[UUID] = set()

    def event(self, aggregate_id: UUID) -> None:
        self.touched.add(aggregate_id)

    def checkpoint(self, record: CheckpointRecord, ledger: Heads) -> None:
        """Compare the ledger's heads (as of ``record``'s position) with the ones it signed."""
        if record.heads_since is not None and record.heads_since == self.signed_id:
            delta = self.source.heads_delta(record.id)
            candidates = self.touched | delta.keys()
            self.signed.update(delta)
        else:  # stored in full, or extending a checkpoint this pass did not follow
            self.signed = self.source.heads_at(record)
            candidates = self.signed.keys() | ledger.keys()
        self.signed_id, self.touched = record.id, set()
        wrong = [a for a in candidates if a not in self.named and self.signed.get(a) != ledger.get(a)]
        if (wrong or record is self.newest) and not self._authentic(record):
            self.signed_id = None  # the next checkpoint reads its heads afresh
            return
        for aggregate_id in sorted(wrong, key=str):
            self.named.add(aggregate_id)
            found = ledger.get(aggregate_id)
            c = record.checkpoint
            self.report(
                c.position, str(aggregate_id), None if found is None else found[0],
                describe_mismatch(aggregate_id, self.signed.get(aggregate_id), found, describe(record)),
                c.size,
            )  # fmt: skip

    def _authentic(self, record: CheckpointRecord) -> bool:
        c = record.checkpoint
        if heads_root(self.signed) == (c.heads_root, c.heads_size):
            return True
        self.report(
            c.position, None, None,
            f"the stored case heads of {describe(record)} do not fold to its signed heads root: "
            "the checkpoint_heads table was changed, so no case can be named from it",
            c.size,
        )  # fmt: skip
        return False
