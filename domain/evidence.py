"""A case's evidence bundle (一案一卷宗): stored rows, hashes, clocks, documents and proofs.

The bundle is one JSON object that `domain.bundle_check` verifies offline. Each event is
its stored row exactly as stored (the state is the stored bytes as UTF-8 text, or base64
if they ever were not text), so the checker re-derives every hash from those bytes. When a
signed checkpoint covers the case's last event, every event carries its leaf index in the
ledger's Merkle tree and its RFC 9162 inclusion proof under the checkpoint root.
"""

from __future__ import annotations

import base64
import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol
from uuid import UUID

import orjson

from domain.case_heads import HeadProof, Heads, heads_root, prove_head
from domain.checkpoints import Checkpoint, format_time, verify_checkpoint
from domain.clocks import Clock
from domain.integrity import hash_stored
from domain.ledger_tree import iter_rows
from domain.merkle import event_leaf, path_from_levels, tree_levels
from domain.persistence import LedgerReads, LedgerRow

FORMAT = "xinfang-evidence/2"  # 2: the case's head and its proof under the signed heads root
# Event fields that hold a document's SHA-256, by event type.
DOCUMENT_FIELDS = {
    "DocumentAttached": ("sha256", "attachment"),
    "Answered": ("document_sha256", "answer_opinion"),
    "MediationRecorded": ("document_sha256", "mediation_document"),
    "ReturnVisitRecorded": ("answer_sha256", "answer_rated"),
}


class LedgerChanged(Exception):
    """The ledger no longer hashes to a checkpoint it signed: it was changed after the fact."""


@dataclass(frozen=True)
class Proofs:
    checkpoint: Checkpoint
    public_key: bytes
    leaf_index: dict[int, int]  # ledger position → leaf index
    paths: dict[int, list[bytes]]  # ledger position → inclusion proof
    head: HeadProof | None = None  # the case's head under the heads root (version 2 checkpoints)


class CheckpointSource(Protocol):
    """Where the export finds a signed checkpoint (the service's checkpoints table and keys)."""

    def latest(self) -> Checkpoint | None: ...
    def public_key_for(self, key_id: str) -> bytes | None:
        """The trusted public key with this id (configured, never read from the database)."""
        ...

    def make(self) -> Checkpoint | None:
        """Sign a new checkpoint over the whole ledger, or None when no signing key is set."""
        ...


# ---- proofs -----------------------------------------------------------------------------


def prove(reads: LedgerReads, case_id: UUID, checkpoint: Checkpoint, public_key: bytes) -> Proofs:
    """Leaf index and inclusion proof of each of the case's events under `checkpoint`, and its
    head's under the heads root, from one pass over the ledger."""
    leaves, index, heads = list[bytes](), dict[int, int](), Heads()
    for row in iter_rows(reads, 1, checkpoint.position):
        digest = hash_stored(row.originator_id, row.version, row.topic, row.state)
        if row.originator_id == case_id:
            index[row.position] = len(leaves)
        leaves.append(event_leaf(digest))
        heads[row.originator_id] = (row.version, digest)
    levels = tree_levels(leaves)
    root = levels[-1][0].hex() if leaves else ""
    if len(leaves) != checkpoint.size or root != checkpoint.root:
        raise LedgerChanged(
            f"the ledger up to position {checkpoint.position} has {len(leaves)} events and root {root}; "
            f"the signed checkpoint says {checkpoint.size} and {checkpoint.root}"
        )
    head = None
    if checkpoint.heads_root is not None:
        if heads_root(heads) != (checkpoint.heads_root, checkpoint.heads_size):
            raise LedgerChanged(
                f"the case heads up to position {checkpoint.position} no longer match the signed ones"
            )
        head = prove_head(heads, case_id)
    paths = {p: path_from_levels(levels, i) for p, i in index.items()}
    return Proofs(checkpoint, public_key, index, paths, head)


def find_proofs(
    reads: LedgerReads, rows: Sequence[LedgerRow], source: CheckpointSource
) -> tuple[Proofs | None, str]:
    """Proofs under the latest checkpoint if it covers the case's last event; else a new one if a key is set."""
    checkpoint = source.latest()
    if checkpoint is None or checkpoint.position < rows[-1].position:
        checkpoint = source.make()
    if checkpoint is None:
        return None, (
            "no signed checkpoint covers this case's last event and no signing key is configured: "
            "the bundle carries the hash chain only, which does not show the ledger was not rewritten"
        )
    key = source.public_key_for(checkpoint.key_id)
    if key is None:
        return None, f"the checkpoint's key {checkpoint.key_id} is not a configured, trusted key"
    if not verify_checkpoint(checkpoint, key):
        raise LedgerChanged(f"the stored checkpoint at position {checkpoint.position} does not verify")
    proofs = prove(reads, rows[0].originator_id, checkpoint, key)
    missing = {r.position for r in rows} - proofs.leaf_index.keys()
    if missing:
        raise LedgerChanged(f"positions {sorted(missing)} are not in the ledger up to the checkpoint")
    return proofs, "proved"


# ---- the bundle -------------------------------------------------------------------------


def stored_state(state: bytes) -> dict[str, str]:
    """The stored bytes as text when they round-trip exactly (they do: canonical JSON is UTF-8)."""
    try:
        text = state.decode("utf-8")
    except UnicodeDecodeError:
        return {"state_base64": base64.b64encode(state).decode()}
    return {"state": text}


def documents(rows: Sequence[LedgerRow]) -> list[dict[str, Any]]:
    """Every document hash the case's events name, with the event that names it."""
    found = []
    for row in rows:
        type_name = row.topic.rsplit(":", 1)[-1]
        if type_name not in DOCUMENT_FIELDS:
            continue
        name, kind = DOCUMENT_FIELDS[type_name]
        state = orjson.loads(row.state)
        if not state.get(name):
            continue
        found.append({
            "sha256": state[name], "kind": kind, "file_name": state.get("file_name"),
            "media_type": state.get("media_type"), "event_version": row.version, "event_type": type_name,
            "occurred_at": state.get("occurred_at"),
        })  # fmt: skip
    return found


def _event(row: LedgerRow, proofs: Proofs | None) -> dict[str, Any]:
    state = orjson.loads(row.state)
    entry: dict[str, Any] = {
        "version": row.version,
        "type": row.topic.rsplit(":", 1)[-1],
        "topic": row.topic,
        "position": row.position,
        "recorded_at": row.recorded_at.isoformat(),
        **stored_state(row.state),
        "hash": hash_stored(row.originator_id, row.version, row.topic, row.state),
        "prev_hash": state.get("prev_hash"),
    }
    if proofs is not None:
        entry["leaf_index"] = proofs.leaf_index[row.position]
        entry["inclusion_proof"] = [p.hex() for p in proofs.paths[row.position]]
    return entry


def _head(last: LedgerRow, proofs: Proofs | None) -> dict[str, Any]:
    """The case's last event; with a version 2 checkpoint, as the signed head with its proof."""
    head: dict[str, Any] = {"version": last.version, "position": last.position}
    if proofs is not None and proofs.head is not None:
        h = proofs.head
        head |= {"hash": h.hash, "heads_index": h.index, "heads_size": h.size, "heads_proof": h.proof}
    return head


def checkpoint_json(c: Checkpoint) -> dict[str, Any]:
    """A checkpoint as published: the signed fields, with the heads only on version 2 ones."""
    out: dict[str, Any] = {
        "position": c.position, "size": c.size, "root": c.root, "created_at": format_time(c.created_at),
        "key_id": c.key_id, "signature": c.signature,
    }  # fmt: skip
    if c.heads_root is not None:
        out |= {"version": 2, "heads_root": c.heads_root, "heads_size": c.heads_size}
    return out


def build_bundle(
    case_id: UUID,
    rows: Sequence[LedgerRow],
    clocks: Sequence[Clock],
    *,
    exported_at: datetime,
    exported_by: dict[str, Any],
    proofs: Proofs | None,
    proof_status: str,
) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "case_id": str(case_id),
        "exported_at": exported_at.isoformat(),
        "exported_by": exported_by,
        "head": _head(rows[-1], proofs),
        "events": [_event(row, proofs) for row in rows],
        "documents": documents(rows),
        "clocks": [dataclasses.asdict(c) for c in clocks],
        "clocks_note": "computed by the service at export time from these events; not covered by the proof",
        "checkpoint": None if proofs is None else checkpoint_json(proofs.checkpoint),
        "public_key": None if proofs is None else proofs.public_key.hex(),
        "proof_status": proof_status,
    }


def encode(bundle: dict[str, Any]) -> bytes:
    return orjson.dumps(bundle, option=orjson.OPT_INDENT_2)
