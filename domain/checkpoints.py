"""Signed checkpoints: a Merkle root over the ledger's event hashes, signed with Ed25519.

A checkpoint commits to the first ``size`` events in ledger (notification) order, the
last of which is at ledger ``position``. Its signature covers the canonical JSON of
``checkpoint_message``, so anyone holding the public key can check it without this
package. The signing key is never stored with the data it vouches for.
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


def checkpoint_message(position: int, size: int, root: str, created_at: datetime) -> bytes:
    return canonical_json(
        {
            "ledger": LEDGER_NAME,
            "position": position,
            "size": size,
            "root": root,
            "created_at": format_time(created_at),
        }
    )


def sign_checkpoint(
    signing_key: SigningKey, position: int, size: int, root: str, created_at: datetime
) -> Checkpoint:
    # Truncate to microseconds once, so the stored time and the signed time agree.
    created_at = parse_time(format_time(created_at))
    message = checkpoint_message(position, size, root, created_at)
    signature = signing_key.sign(message).signature
    return Checkpoint(
        position=position,
        size=size,
        root=root,
        created_at=created_at,
        key_id=key_id(bytes(signing_key.verify_key)),
        signature=bytes(signature).hex(),
    )


def verify_checkpoint(c: Checkpoint, public_key: bytes) -> bool:
    """True when ``c`` was signed by the key ``public_key`` (and names that key)."""
    if c.key_id != key_id(public_key):
        return False
    try:
        signature = bytes.fromhex(c.signature)
        message = checkpoint_message(c.position, c.size, c.root, c.created_at)
        VerifyKey(public_key).verify(message, signature)
    except (BadSignatureError, ValueError, TypeError):
        return False
    return True
