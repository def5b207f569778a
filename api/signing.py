"""The checkpoint signing key: loaded from a file, never from or into the database.

XINFANG_SIGNING_KEY_FILE holds the Ed25519 private key as its 32-byte seed, in any of:
raw 32 bytes, 64 hex characters, or base64 of the 32 bytes (whitespace around it ignored).
Without it, a SQLite development store gets a key generated beside its database file
(``<db>.signing-key``, hex, mode 0600) on first use; PostgreSQL refuses to make checkpoints,
since a generated key on a server would be an unmanaged secret.

Checkpoints signed by earlier keys stay verifiable through XINFANG_TRUSTED_PUBLIC_KEYS
(comma-separated hex public keys).
"""

from __future__ import annotations

import base64
import binascii
import logging
import os
import stat
import threading
from pathlib import Path
from typing import TYPE_CHECKING

from nacl.signing import SigningKey

from domain.checkpoints import key_id
from domain.store import StoreConfig

if TYPE_CHECKING:
    from fastapi import FastAPI

    from api.settings import Settings
    from domain.application import LedgerApplication

log = logging.getLogger("xinfang.signing")
SEED_BYTES = 32


class SigningKeyUnavailable(RuntimeError):
    """No signing key can be had for this store."""


def parse_seed(data: bytes) -> bytes:
    if len(data) == SEED_BYTES:
        return data
    text = data.strip()
    if len(text) == 2 * SEED_BYTES:
        try:
            return bytes.fromhex(text.decode("ascii"))
        except (ValueError, UnicodeDecodeError):
            pass
    try:
        seed = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        seed = b""
    if len(seed) == SEED_BYTES:
        return seed
    raise SigningKeyUnavailable("the signing key file must hold a 32-byte Ed25519 seed (raw, hex or base64)")


def read_key_file(path: Path) -> SigningKey:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise SigningKeyUnavailable(f"cannot read the signing key file {path}: {exc.strerror}") from None
    if path.stat().st_mode & (stat.S_IRWXG | stat.S_IRWXO):
        log.warning("signing key file %s is readable by group or others; chmod 600 it", path)
    return SigningKey(parse_seed(data))


def dev_key_path(store: StoreConfig) -> Path:
    return Path(store.sqlite_path + ".signing-key")


def _generate(path: Path) -> SigningKey:
    key = SigningKey.generate()
    try:
        # O_EXCL: two processes starting together must not each write a different key.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return read_key_file(path)
    with os.fdopen(fd, "w") as out:
        out.write(bytes(key).hex() + "\n")
    log.warning("generated a development checkpoint signing key at %s", path)
    return key


class SigningKeys:
    """The signing key of one service (loaded lazily, once) and the public keys it trusts."""

    def __init__(
        self, store: StoreConfig, key_file: str | None, trusted_public_keys: str | None = None
    ) -> None:
        self.store, self.key_file = store, key_file
        self._extra = [bytes.fromhex(k.strip()) for k in (trusted_public_keys or "").split(",") if k.strip()]
        self._key: SigningKey | None = None
        self._lock = threading.Lock()

    @property
    def can_sign(self) -> bool:
        """Whether ``signing_key()`` can succeed, without creating anything."""
        return self.key_file is not None or self.store.kind == "sqlite"

    def signing_key(self) -> SigningKey:
        with self._lock:
            if self._key is None:
                self._key = self._load(create=True)
            if self._key is None:  # pragma: no cover - _load(create=True) raises instead
                raise SigningKeyUnavailable("no signing key")
            return self._key

    def _load(self, *, create: bool) -> SigningKey | None:
        if self.key_file:
            return read_key_file(Path(self.key_file))
        if self.store.kind != "sqlite":
            raise SigningKeyUnavailable(
                "no checkpoint signing key: set XINFANG_SIGNING_KEY_FILE to a file holding an Ed25519 "
                "seed (the key is never kept in the database)"
            )
        path = dev_key_path(self.store)
        if path.exists():
            return read_key_file(path)
        return _generate(path) if create else None

    def public_key(self) -> bytes | None:
        """The signing key's public half, if a key exists (never generates one)."""
        with self._lock:
            if self._key is None:
                try:
                    self._key = self._load(create=False)
                except SigningKeyUnavailable:
                    return None
            return None if self._key is None else bytes(self._key.verify_key)

    def trusted(self) -> dict[str, bytes]:
        keys = list(self._extra)
        own = self.public_key()
        if own is not None:
            keys.append(own)
        return {key_id(k): k for k in keys}


_app_keys_lock = threading.Lock()


def app_signing_keys(app: FastAPI) -> SigningKeys:
    """The app's keys, made on first use (one per app, shared by requests and the schedule)."""
    with _app_keys_lock:
        keys: SigningKeys | None = getattr(app.state, "signing_keys", None)
        if keys is None:
            settings: Settings = app.state.settings
            ledger: LedgerApplication = app.state.ledger
            keys = SigningKeys(ledger.store, settings.signing_key_file, settings.trusted_public_keys)
            app.state.signing_keys = keys
        return keys
