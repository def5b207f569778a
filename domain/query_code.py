"""The petitioner's query code (查询码, 第二十一条: 方便信访人查询、评价): made, shown once, kept as a hash.

Eight characters from an alphabet without 0/O and 1/I (40 bits), read over the phone and printed
on the receipt as ``ABCD-EFGH``. The ledger keeps only a scrypt hash with a random salt, so a
database superuser or an inspector reading the events cannot look a case up: each guess costs a
scrypt (16 MB, tens of milliseconds), and 2^40 of them per case are out of reach. The stored form
names its parameters, so a later cost can be chosen without touching the hashes already stored.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import secrets

ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # 32 symbols: 5 bits each, no 0/O/1/I
LENGTH = 8
SCHEME = "scrypt"
# n=2^14, r=8, p=1: the interactive-login parameters of the scrypt paper (~40 ms of one core).
N, R, P = 16384, 8, 1
SALT_BYTES = 16
KEY_BYTES = 32
MAX_MEMORY = 64 * 1024 * 1024


def new_query_code() -> str:
    """A fresh code from the operating system's CSPRNG."""
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def shown(code: str) -> str:
    """The code as printed and read out: two groups of four."""
    return f"{code[:4]}-{code[4:]}"


def normalised(typed: str) -> str | None:
    """What a petitioner typed, as a code: case, spaces and hyphens do not matter; None if it
    cannot be a code at all."""
    code = "".join(typed.split()).replace("-", "").upper()
    if len(code) != LENGTH or any(c not in ALPHABET for c in code):
        return None
    return code


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _derive(code: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(code.encode(), salt=salt, n=n, r=r, p=p, maxmem=MAX_MEMORY, dklen=KEY_BYTES)


def hash_query_code(code: str) -> str:
    """The stored form: ``scrypt$n$r$p$salt$key`` (salt and key unpadded base64url)."""
    salt = secrets.token_bytes(SALT_BYTES)
    return "$".join((SCHEME, str(N), str(R), str(P), _b64(salt), _b64(_derive(code, salt, N, R, P))))


@functools.cache
def _dummy() -> str:
    """What a missing or malformed stored value is checked against: every wrong pair costs one scrypt."""
    return hash_query_code(new_query_code())


def verify_query_code(typed: str, stored: str | None) -> bool:
    """Whether `typed` is the code behind `stored`. A missing hash, a malformed one or a typed
    value that cannot be a code still costs one scrypt, and keys compare in constant time, so the
    answer takes about as long whatever was wrong."""
    code = normalised(typed)
    reference = stored if stored and stored.startswith(SCHEME + "$") else _dummy()
    try:
        _scheme, n, r, p, salt, key = reference.split("$")
        derived = _derive(code or "", _unb64(salt), int(n), int(r), int(p))
        matches = hmac.compare_digest(derived, _unb64(key))
    except (ValueError, TypeError):  # a damaged stored value never matches
        _derive(code or "", b"\0" * SALT_BYTES, N, R, P)
        return False
    return matches and code is not None and reference is stored
