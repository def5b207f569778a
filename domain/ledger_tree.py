"""The ledger's Merkle tree: streaming its leaves, making checkpoints, consistency proofs.

Leaves are the event hashes re-derived from the stored rows (``hash_stored``) in
notification order — never a hash some column claims — so a checkpoint commits to what
is actually stored.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from eventsourcing.persistence import ApplicationRecorder
from nacl.signing import SigningKey

from domain import merkle
from domain.checkpoint_store import CheckpointRecord, CheckpointStore
from domain.checkpoints import Checkpoint, sign_checkpoint, verify_checkpoint
from domain.integrity import hash_stored
from domain.persistence import LedgerReads, LedgerRow

BATCH = 2000


def ledger_head(recorder: ApplicationRecorder) -> int:
    return recorder.max_notification_id() or 0


def iter_rows(reads: LedgerReads, start: int, stop: int, batch: int = BATCH) -> Iterator[LedgerRow]:
    """Stored rows with start <= position <= stop, in ledger order, ``batch`` at a time."""
    while start <= stop:
        page = reads.rows_between(start, stop, batch)
        yield from page
        if len(page) < batch:
            return
        start = page[-1].position + 1


def row_leaf(row: LedgerRow) -> bytes:
    return merkle.event_leaf(hash_stored(row.originator_id, row.version, row.topic, row.state))


def iter_leaves(reads: LedgerReads, stop: int, start: int = 1) -> Iterator[bytes]:
    return (row_leaf(row) for row in iter_rows(reads, start, stop))


def _resumable(record: CheckpointRecord | None, public_key: bytes) -> merkle.MerkleAccumulator | None:
    """The tree of an earlier checkpoint of ours, if its stored frontier proves its signed root.

    The frontier column is not signed, so it is only trusted after folding it back to the
    root that *is* signed; otherwise the new checkpoint starts from the first event.
    """
    if record is None or not verify_checkpoint(record.checkpoint, public_key):
        return None
    try:
        acc = merkle.MerkleAccumulator.resume(
            record.checkpoint.size, [bytes.fromhex(f) for f in record.frontier]
        )
    except ValueError:
        return None
    return acc if acc.root().hex() == record.checkpoint.root else None


def make_checkpoint(
    recorder: ApplicationRecorder,
    reads: LedgerReads,
    signing_key: SigningKey,
    now: datetime,
    *,
    only_if_grown: bool = False,
) -> Checkpoint | None:
    """Sign and store a checkpoint over the whole ledger as it stands; None if skipped.

    With ``only_if_grown`` (the schedule), nothing is written when the newest checkpoint
    already covers the ledger head.
    """
    store = CheckpointStore(recorder)
    public_key = bytes(signing_key.verify_key)
    head = ledger_head(recorder)
    latest = store.latest()
    if only_if_grown and latest is not None and latest.checkpoint.position >= head:
        return None
    acc = _resumable(latest, public_key)
    position = 0
    if acc is not None and latest is not None and latest.checkpoint.position <= head:
        position = latest.checkpoint.position  # continue the tree after the covered events
    else:
        acc = merkle.MerkleAccumulator()
    start = position + 1
    for row in iter_rows(reads, start, head):
        acc.add(row_leaf(row))
        position = row.position
    checkpoint = sign_checkpoint(signing_key, position, acc.size, acc.root().hex(), now)
    store.add(checkpoint, public_key, acc.frontier())
    return checkpoint


@dataclass(frozen=True)
class ConsistencyProof:
    old_size: int
    new_size: int
    old_root: str
    new_root: str
    proof: list[str]


def consistency(reads: LedgerReads, head: int, old_size: int, new_size: int) -> ConsistencyProof:
    """The proof that the ledger's first ``old_size`` events are a prefix of its first ``new_size``."""
    old_root, new_root, proof = merkle.streaming_consistency_proof(
        old_size, new_size, iter_leaves(reads, head)
    )
    return ConsistencyProof(old_size, new_size, old_root.hex(), new_root.hex(), [p.hex() for p in proof])
