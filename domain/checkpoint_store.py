"""The `checkpoints` table (migrations 0006, 0015) and its case heads on both stores: append and read."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID

import orjson
from eventsourcing.persistence import ApplicationRecorder
from psycopg.sql import SQL, Identifier

from domain.case_heads import Heads
from domain.checkpoints import Checkpoint, format_time, parse_time
from domain.persistence import PostgresLedgerRecorder, SQLiteLedgerRecorder

_COLUMNS = (
    "id, position, size, root, created_at, key_id, signature, public_key, frontier, "
    "heads_root, heads_size, heads_since"
)
_INSERT = (
    "INSERT INTO {table} (position, size, root, created_at, key_id, signature, public_key, frontier, "
    "heads_root, heads_size, heads_since) VALUES ({marks})"
)


@dataclass(frozen=True)
class CheckpointRecord:
    """A stored checkpoint with the public key it names, its tree frontier and its heads' base.

    ``public_key`` is only what the row claims; verification trusts configured keys.
    ``heads_since`` names the checkpoint whose heads this one's stored heads extend (None:
    stored in full, or no heads at all on a version 1 checkpoint).
    """

    id: int
    checkpoint: Checkpoint
    public_key: str  # hex
    frontier: list[str]  # hex subtree roots, largest first
    heads_since: int | None = None


def _record(r: Any, created_at: Any) -> CheckpointRecord:
    heads_size = r["heads_size"]
    return CheckpointRecord(
        id=int(r["id"]),
        checkpoint=Checkpoint(
            position=int(r["position"]),
            size=int(r["size"]),
            root=r["root"],
            created_at=created_at,
            key_id=r["key_id"],
            signature=r["signature"],
            heads_root=r["heads_root"],
            heads_size=None if heads_size is None else int(heads_size),
        ),
        public_key=r["public_key"],
        frontier=list(orjson.loads(r["frontier"])),
        heads_since=None if r["heads_since"] is None else int(r["heads_since"]),
    )


class CheckpointStore:
    def __init__(self, recorder: ApplicationRecorder) -> None:
        if not isinstance(recorder, (SQLiteLedgerRecorder, PostgresLedgerRecorder)):
            raise TypeError(f"unsupported recorder {type(recorder).__name__}")
        self.recorder = recorder

    def add(
        self,
        checkpoint: Checkpoint,
        public_key: bytes,
        frontier: list[bytes],
        heads: Heads | None = None,
        heads_since: int | None = None,
    ) -> int:
        """Store a checkpoint and, in the same transaction, its heads (all, or those since ``heads_since``)."""
        c = checkpoint
        frontier_json = orjson.dumps([f.hex() for f in frontier]).decode()
        heads = heads or {}
        if isinstance(self.recorder, SQLiteLedgerRecorder):
            with self.recorder.datastore.transaction(commit=True) as cur:
                cur.execute(
                    _INSERT.format(table="checkpoints", marks=",".join("?" * 11)),
                    (c.position, c.size, c.root, format_time(c.created_at), c.key_id, c.signature,
                     public_key.hex(), frontier_json, c.heads_root, c.heads_size, heads_since),
                )  # fmt: skip
                new_id = int(cur.lastrowid or 0)
                cur.executemany(
                    "INSERT INTO checkpoint_heads (checkpoint_id, originator_id, version, head_hash) "
                    "VALUES (?,?,?,?)",
                    [(new_id, str(a), v, h) for a, (v, h) in heads.items()],
                )
                return new_id
        schema = Identifier(self.recorder.datastore.schema)
        statement = SQL(_INSERT.format(table="{}.checkpoints", marks=",".join(["%s"] * 11)) + " RETURNING id")
        with self.recorder.datastore.transaction(commit=True) as pcur:
            pcur.execute(
                statement.format(schema),
                (c.position, c.size, c.root, c.created_at, c.key_id, c.signature,
                 public_key.hex(), frontier_json, c.heads_root, c.heads_size, heads_since),
            )  # fmt: skip
            row = pcur.fetchone()
            new_id = int(row["id"]) if row else 0
            if heads:
                ids, versions, hashes = zip(*((a, v, h) for a, (v, h) in heads.items()), strict=True)
                pcur.execute(
                    SQL(
                        "INSERT INTO {}.checkpoint_heads (checkpoint_id, originator_id, version, head_hash) "
                        "SELECT %s, * FROM unnest(%s::uuid[], %s::bigint[], %s::text[])"
                    ).format(schema),
                    (new_id, list(ids), list(versions), list(hashes)),
                )
            return new_id

    def _query(self, text: str, params: tuple[Any, ...]) -> list[Any]:
        """Rows of one SELECT written for PostgreSQL (``{schema}.`` before each table, ``%s``)."""
        if isinstance(self.recorder, SQLiteLedgerRecorder):
            with self.recorder.datastore.transaction(commit=False) as cur:
                cur.execute(text.replace("{schema}.", "").replace("%s", "?"), params)
                return list(cur.fetchall())
        statement = SQL(text).format(schema=Identifier(self.recorder.datastore.schema))
        with self.recorder.datastore.get_connection() as conn, conn.cursor() as pcur:
            pcur.execute(statement, params)
            return list(pcur.fetchall())

    def _select(self, tail: str, params: tuple[Any, ...] = ()) -> list[CheckpointRecord]:
        rows = self._query(f"SELECT {_COLUMNS} FROM {{schema}}.checkpoints {tail}", params)
        if isinstance(self.recorder, SQLiteLedgerRecorder):
            return [_record(r, parse_time(r["created_at"])) for r in rows]
        return [_record(r, r["created_at"]) for r in rows]

    def newest_first(self, limit: int = 1000) -> list[CheckpointRecord]:
        return self._select("ORDER BY size DESC, id DESC LIMIT %s", (limit,))

    def by_size(self) -> list[CheckpointRecord]:
        """Every checkpoint, smallest tree first (the order a streaming verifier meets them)."""
        return self._select("ORDER BY size, id")

    def latest(self) -> CheckpointRecord | None:
        found = self.newest_first(limit=1)
        return found[0] if found else None

    def latest_with_heads(self) -> CheckpointRecord | None:
        found = self._select("WHERE heads_root IS NOT NULL ORDER BY position DESC, id DESC LIMIT 1")
        return found[0] if found else None

    def heads_delta(self, checkpoint_id: int) -> Heads:
        """The heads stored with one checkpoint (all of them, or those since its ``heads_since``)."""
        rows = self._query(
            "SELECT originator_id, version, head_hash FROM {schema}.checkpoint_heads WHERE checkpoint_id=%s",
            (checkpoint_id,),
        )
        return {_uuid(r["originator_id"]): (int(r["version"]), r["head_hash"]) for r in rows}

    def chain(self, record: CheckpointRecord) -> list[int]:
        """The ids whose stored heads make up ``record``'s, oldest first (``record`` last)."""
        return [int(r["id"]) for r in self._query(_CHAIN + "SELECT id FROM chain ORDER BY id", (record.id,))]

    def heads_at(self, record: CheckpointRecord) -> Heads:
        """Every head stored for ``record``, its bases' applied first (not yet checked against its root)."""
        heads: Heads = {}
        for checkpoint_id in self.chain(record):
            heads.update(self.heads_delta(checkpoint_id))
        return heads

    def head_of(self, record: CheckpointRecord, aggregate_id: UUID) -> tuple[int, str] | None:
        """One case's head as ``record`` stored it: its newest entry along the chain (index probes)."""
        key = str(aggregate_id) if isinstance(self.recorder, SQLiteLedgerRecorder) else aggregate_id
        rows = self._query(
            _CHAIN + "SELECT h.version, h.head_hash FROM {schema}.checkpoint_heads h "
            "JOIN chain ON h.checkpoint_id = chain.id WHERE h.originator_id = %s "
            "ORDER BY h.checkpoint_id DESC LIMIT 1",
            (record.id, key),
        )
        return (int(rows[0]["version"]), rows[0]["head_hash"]) if rows else None


# A checkpoint's heads are its own stored rows over those of the checkpoints it extends.
_CHAIN = (
    "WITH RECURSIVE chain(id, since) AS (SELECT id, heads_since FROM {schema}.checkpoints WHERE id = %s "
    "UNION ALL SELECT c.id, c.heads_since FROM {schema}.checkpoints c JOIN chain ON c.id = chain.since) "
)
# A full set at 1M cases is 1M small rows; storing one every FULL_HEADS_EVERY checkpoints bounds
# what `heads_at` reads (one full set plus that many deltas) without a full copy per checkpoint.
FULL_HEADS_EVERY = 64


def _uuid(value: Any) -> UUID:
    return value if isinstance(value, UUID) else UUID(str(value))
