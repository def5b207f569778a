"""Signed checkpoints: a Merkle root over the ledger's event hashes, signed with Ed25519.

A checkpoint commits to the first ``size`` events in ledger (notification) order, the
last of which is at ledger ``position``. Since payload version 2 it also commits to the
case heads as of ``position`` (``domain.case_heads``): ``heads_size`` heads under
``heads_root``, so a case rewritten and re-chained, or cut short, is named by its head.
Its signature covers the canonical JSON of ``checkpoint_message``, so anyone holding the
public key can check it without this package. Version 1 payloads (no heads) are still
verified as they were signed. The signing key is never stored with the data it vouches for.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime

from nacl.exceptions import BadSignatureError
from nacl.signing import SigningKey, VerifyKey

from domain.integrity import canonical_json

LEDGER_NAME = "xinfang"


@dataclass(frozen=True)
class Checkpoint:
    position: int
    size: int
    root: str  # hex
    created_at: datetime
    key_id: str
    signature: str  # hex
    heads_root: str | None = None  # hex; None on version 1 checkpoints (made before heads)
    heads_size: int | None = None


def key_id(public_key: bytes) -> str:
    """First 16 hex characters of SHA-256 of the raw 32-byte public key."""
    return hashlib.sha256(public_key).hexdigest()[:16]


def format_time(created_at: datetime) -> str:
    """The canonical UTC form of a checkpoint time, to the microsecond.

    Fixed here rather than left to a JSON library so that a time read back from either
    store (PostgreSQL timestamptz, SQLite text) signs to the same bytes.
    """
    if created_at.tzinfo is None:
        raise ValueError("checkpoint times must be timezone-aware")
    return created_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_time(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)


def checkpoint_message(
    position: int,
    size: int,
    root: str,
    created_at: datetime,
    heads: tuple[str, int] | None = None,
) -> bytes:
    """The signed bytes: version 1 without ``heads`` (byte for byte as before), else version 2."""
    body: dict[str, object] = {
        "ledger": LEDGER_NAME,
        "position": position,
        "size": size,
        "root": root,
        "created_at": format_time(created_at),
    }
    if heads is not None:
        body |= {"version": 2, "heads_root": heads[0], "heads_size": heads[1]}
    return canonical_json(body)


def describe_checkpoint(c: Checkpoint) -> str:
    """How a problem names a checkpoint: its size, position and signing time."""
    return f"the checkpoint at size {c.size} (position {c.position}, {format_time(c.created_at)})"


def signed_heads(c: Checkpoint) -> tuple[str, int] | None:
    """(heads root, heads size) of a version 2 checkpoint; None for version 1."""
    if c.heads_root is None:
        return None
    return c.heads_root, c.heads_size if c.heads_size is not None else -1


def sign_checkpoint(
    signing_key: SigningKey,
    position: int,
    size: int,
    root: str,
    created_at: datetime,
    heads: tuple[str, int] | None = None,
) -> Checkpoint:
    """Sign a version 2 checkpoint when ``heads`` (root, size) is given, else a version 1 one."""
    # Truncate to microseconds once, so the stored time and the signed time agree.
    created_at = parse_time(format_time(created_at))
    message = checkpoint_message(position, size, root, created_at, heads)
    signature = signing_key.sign(message).signature
    return Checkpoint(
        position=position,
        size=size,
        root=root,
        created_at=created_at,
        key_id=key_id(bytes(signing_key.verify_key)),
        signature=bytes(signature).hex(),
        heads_root=None if heads is None else heads[0],
        heads_size=None if heads is None else heads[1],
    )


def verify_checkpoint(c: Checkpoint, public_key: bytes) -> bool:
    """True when ``c`` was signed by the key ``public_key`` (and names that key)."""
    if c.key_id != key_id(public_key):
        return False
    try:
        signature = bytes.fromhex(c.signature)
        message = checkpoint_message(c.position, c.size, c.root, c.created_at, signed_heads(c))
        VerifyKey(public_key).verify(message, signature)
    except (BadSignatureError, ValueError, TypeError):
        return False
    return True
