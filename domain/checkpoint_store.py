"""The `checkpoints` table (migration 0006) on both stores: append and read, nothing else."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import orjson
from eventsourcing.persistence import ApplicationRecorder
from psycopg.sql import SQL, Identifier

from domain.checkpoints import Checkpoint, format_time, parse_time
from domain.persistence import PostgresLedgerRecorder, SQLiteLedgerRecorder

_COLUMNS = "id, position, size, root, created_at, key_id, signature, public_key, frontier"


@dataclass(frozen=True)
class CheckpointRecord:
    """A stored checkpoint with the public key it names and its tree frontier.

    ``public_key`` is only what the row claims; verification trusts configured keys.
    """

    id: int
    checkpoint: Checkpoint
    public_key: str  # hex
    frontier: list[str]  # hex subtree roots, largest first


def _record(r: Any, created_at: Any) -> CheckpointRecord:
    return CheckpointRecord(
        id=int(r["id"]),
        checkpoint=Checkpoint(
            position=int(r["position"]),
            size=int(r["size"]),
            root=r["root"],
            created_at=created_at,
            key_id=r["key_id"],
            signature=r["signature"],
        ),
        public_key=r["public_key"],
        frontier=list(orjson.loads(r["frontier"])),
    )


class CheckpointStore:
    def __init__(self, recorder: ApplicationRecorder) -> None:
        if not isinstance(recorder, (SQLiteLedgerRecorder, PostgresLedgerRecorder)):
            raise TypeError(f"unsupported recorder {type(recorder).__name__}")
        self.recorder = recorder

    def add(self, checkpoint: Checkpoint, public_key: bytes, frontier: list[bytes]) -> int:
        c = checkpoint
        frontier_json = orjson.dumps([f.hex() for f in frontier]).decode()
        if isinstance(self.recorder, SQLiteLedgerRecorder):
            with self.recorder.datastore.transaction(commit=True) as cur:
                cur.execute(
                    "INSERT INTO checkpoints (position, size, root, created_at, key_id, signature, "
                    "public_key, frontier) VALUES (?,?,?,?,?,?,?,?)",
                    (c.position, c.size, c.root, format_time(c.created_at), c.key_id, c.signature,
                     public_key.hex(), frontier_json),
                )  # fmt: skip
                return int(cur.lastrowid or 0)
        statement = SQL(
            "INSERT INTO {}.checkpoints (position, size, root, created_at, key_id, signature, "
            "public_key, frontier) VALUES (%s,%s,%s,%s,%s,%s,%s,%s) RETURNING id"
        ).format(Identifier(self.recorder.datastore.schema))
        with self.recorder.datastore.transaction(commit=True) as pcur:
            pcur.execute(
                statement,
                (c.position, c.size, c.root, c.created_at, c.key_id, c.signature,
                 public_key.hex(), frontier_json),
            )  # fmt: skip
            row = pcur.fetchone()
            return int(row["id"]) if row else 0

    def _select(self, tail: str, params: tuple[Any, ...] = ()) -> list[CheckpointRecord]:
        if isinstance(self.recorder, SQLiteLedgerRecorder):
            with self.recorder.datastore.transaction(commit=False) as cur:
                cur.execute(f"SELECT {_COLUMNS} FROM checkpoints {tail.replace('%s', '?')}", params)
                return [_record(r, parse_time(r["created_at"])) for r in cur.fetchall()]
        statement = SQL("SELECT " + _COLUMNS + " FROM {}.checkpoints " + tail).format(
            Identifier(self.recorder.datastore.schema)
        )
        with self.recorder.datastore.get_connection() as conn, conn.cursor() as pcur:
            pcur.execute(statement, params)
            return [_record(r, r["created_at"]) for r in pcur.fetchall()]

    def newest_first(self, limit: int = 1000) -> list[CheckpointRecord]:
        return self._select("ORDER BY size DESC, id DESC LIMIT %s", (limit,))

    def by_size(self) -> list[CheckpointRecord]:
        """Every checkpoint, smallest tree first (the order a streaming verifier meets them)."""
        return self._select("ORDER BY size, id")

    def latest(self) -> CheckpointRecord | None:
        found = self.newest_first(limit=1)
        return found[0] if found else None
