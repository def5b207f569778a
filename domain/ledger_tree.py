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
from domain.case_heads import Heads, heads_root
from domain.checkpoint_store import FULL_HEADS_EVERY, CheckpointRecord, CheckpointStore
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


class StoredHeadsChanged(Exception):
    """The newest checkpoint's stored heads no longer fold to the heads root it signed."""


def _resumable_heads(store: CheckpointStore, record: CheckpointRecord) -> tuple[Heads, int] | None:
    """The heads of an earlier checkpoint with their stored chain's length; None on a version 1 one.

    Heads that do not fold to the signed root are refused rather than recomputed from the
    ledger: a recomputation would sign whatever the ledger holds now, a rewrite included.
    """
    c = record.checkpoint
    if c.heads_root is None:
        return None
    heads = store.heads_at(record)
    if heads_root(heads) != (c.heads_root, c.heads_size):
        raise StoredHeadsChanged(
            f"the stored case heads of checkpoint {record.id} do not fold to its signed heads root: "
            "run `xinfang verify` before signing another checkpoint"
        )
    return heads, len(store.chain(record))


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

    The case heads are kept incrementally: the previous checkpoint's heads (checked against
    its signed heads root) updated from the same rows the tree reads, so the events table is
    read only after the previous checkpoint; the heads cost O(cases) to fold, not O(events).
    Only the heads that changed are stored, with a full set every FULL_HEADS_EVERY checkpoints.
    """
    store = CheckpointStore(recorder)
    public_key = bytes(signing_key.verify_key)
    head = ledger_head(recorder)
    latest = store.latest()
    if only_if_grown and latest is not None and latest.checkpoint.position >= head:
        return None
    acc = _resumable(latest, public_key)
    previous = None if acc is None or latest is None else _resumable_heads(store, latest)
    position, since = 0, None
    heads: Heads = {}
    if acc is not None and latest is not None and previous is not None and latest.checkpoint.position <= head:
        position = latest.checkpoint.position  # continue the tree and the heads after the covered events
        heads, depth = previous
        since = latest.id if depth < FULL_HEADS_EVERY else None
    else:
        acc = merkle.MerkleAccumulator()
    changed: Heads = {}
    for row in iter_rows(reads, position + 1, head):
        digest = hash_stored(row.originator_id, row.version, row.topic, row.state)
        acc.add(merkle.event_leaf(digest))
        changed[row.originator_id] = (row.version, digest)
        position = row.position
    heads.update(changed)
    checkpoint = sign_checkpoint(signing_key, position, acc.size, acc.root().hex(), now, heads_root(heads))
    store.add(checkpoint, public_key, acc.frontier(), changed if since is not None else heads, since)
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
