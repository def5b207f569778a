"""Checkpoint signing and the signing key's sources."""

from __future__ import annotations

import base64
import hashlib
import stat
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import orjson
import pytest
from nacl.signing import SigningKey

from api.signing import SigningKeys, SigningKeyUnavailable, dev_key_path, parse_seed
from domain.checkpoints import checkpoint_message, key_id, sign_checkpoint, verify_checkpoint
from domain.store import parse_database_url

SEED = bytes(range(32))
KEY = SigningKey(SEED)
PUBLIC = bytes(KEY.verify_key)
WHEN = datetime(2026, 6, 1, 8, 30, 15, 123456, tzinfo=timezone(timedelta(hours=8)))


def test_a_checkpoint_verifies_with_its_key_and_not_another() -> None:
    c = sign_checkpoint(KEY, 42, 40, "ab" * 32, WHEN)
    assert c.key_id == key_id(PUBLIC) == hashlib.sha256(PUBLIC).hexdigest()[:16]
    assert verify_checkpoint(c, PUBLIC)
    other = bytes(SigningKey(bytes(range(1, 33))).verify_key)
    assert not verify_checkpoint(c, other)
    assert not verify_checkpoint(replace(c, key_id=key_id(other)), other)


@pytest.mark.parametrize(
    "change",
    [{"position": 43}, {"size": 41}, {"root": "cd" * 32}, {"created_at": WHEN + timedelta(microseconds=1)},
     {"signature": "00" * 64}, {"signature": "not hex"}],
)  # fmt: skip
def test_any_changed_field_fails_verification(change: dict[str, object]) -> None:
    c = sign_checkpoint(KEY, 42, 40, "ab" * 32, WHEN)
    assert not verify_checkpoint(replace(c, **change), PUBLIC)  # type: ignore[arg-type]


def test_the_signed_message_is_canonical_json_in_utc() -> None:
    message = checkpoint_message(42, 40, "ab", WHEN)
    assert orjson.loads(message) == {
        "ledger": "xinfang", "position": 42, "size": 40, "root": "ab",
        "created_at": "2026-06-01T00:30:15.123456Z",
    }  # fmt: skip
    assert message == checkpoint_message(42, 40, "ab", WHEN.astimezone(UTC))
    assert message.startswith(b'{"created_at"')  # sorted keys, no spaces
    with pytest.raises(ValueError, match="timezone"):
        checkpoint_message(1, 1, "ab", datetime(2026, 1, 1))  # naive: the point of the test


@pytest.mark.parametrize(
    "encoded", [SEED, SEED.hex().encode(), SEED.hex().encode() + b"\n", base64.b64encode(SEED) + b"\n"]
)
def test_the_key_file_may_be_raw_hex_or_base64(encoded: bytes) -> None:
    assert parse_seed(encoded) == SEED


def test_a_malformed_key_file_is_refused(tmp_path: Path) -> None:
    bad = tmp_path / "key"
    bad.write_bytes(b"too short")
    keys = SigningKeys(parse_database_url("postgresql://x@h/db"), str(bad))
    with pytest.raises(SigningKeyUnavailable, match="32-byte"):
        keys.signing_key()
    missing = SigningKeys(parse_database_url("postgresql://x@h/db"), str(tmp_path / "nope"))
    with pytest.raises(SigningKeyUnavailable, match="cannot read"):
        missing.signing_key()


def test_sqlite_generates_a_private_key_file_beside_the_database_on_first_use(tmp_path: Path) -> None:
    store = parse_database_url(f"sqlite:///{tmp_path / 'ledger.db'}")
    keys = SigningKeys(store, None)
    assert keys.can_sign and keys.public_key() is None  # nothing made until it is needed
    assert not dev_key_path(store).exists()
    key = keys.signing_key()
    path = dev_key_path(store)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert SigningKeys(store, None).signing_key().encode() == key.encode()  # the next process reads it
    assert keys.trusted() == {key_id(bytes(key.verify_key)): bytes(key.verify_key)}


def test_postgres_without_a_key_file_refuses_to_sign() -> None:
    keys = SigningKeys(parse_database_url("postgresql://x@h/db"), None)
    assert not keys.can_sign and keys.public_key() is None and keys.trusted() == {}
    with pytest.raises(SigningKeyUnavailable, match="XINFANG_SIGNING_KEY_FILE"):
        keys.signing_key()


def test_earlier_public_keys_stay_trusted(tmp_path: Path) -> None:
    (tmp_path / "key").write_bytes(SEED)
    old = bytes(SigningKey(bytes(range(1, 33))).verify_key)
    keys = SigningKeys(parse_database_url("postgresql://x@h/db"), str(tmp_path / "key"), f" {old.hex()} ,")
    assert keys.trusted() == {key_id(old): old, key_id(PUBLIC): PUBLIC}
