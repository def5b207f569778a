"""Bearer tokens resolved once per process, and re-checked against the ledger on every use.

Resolving a token loaded two aggregates per request (the token's index entry, then its user:
two selects, decoding and a hash-checked replay each). The index entry never changes (one
event, deterministic id), so which user a token names is kept for good. The user is kept
with its version, and every use first asks the store for the user's latest version (one
primary-key lookup): a revocation, a deactivation or a role change is a new event on the
user, so the next request in any process sees a newer version and reloads the user. There
is no time-to-live during which a revoked token still works. Expiry is not a change of the
user: callers check it against the clock on every request.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from uuid import UUID

from domain.reference import User

# A county has a few hundred users, a province some thousands: enough to hold every active
# token of one API process; the least recently used goes first beyond that.
MAX_ENTRIES = 10_000


@dataclass(frozen=True)
class _Kept:
    user: User  # read-only: shared by every request that presents one of its tokens
    version: int


class TokenCache:
    """token hash -> user id (immutable), and user id -> the user at a known version.

    `latest_version(user id)` is the store's current version of the user aggregate (None if it
    has no events); `load(user id)` the user as the store has it now.
    """

    def __init__(
        self,
        latest_version: Callable[[UUID], int | None],
        load: Callable[[UUID], User],
        max_entries: int = MAX_ENTRIES,
    ) -> None:
        self._latest_version, self._load = latest_version, load
        self._max = max_entries
        self._owners: OrderedDict[str, UUID] = OrderedDict()  # token hash -> user aggregate id
        self._users: OrderedDict[UUID, _Kept] = OrderedDict()
        self._lock = threading.Lock()

    def owner(self, token_hash: str) -> UUID | None:
        with self._lock:
            found = self._owners.get(token_hash)
            if found is not None:
                self._owners.move_to_end(token_hash)
            return found

    def remember_owner(self, token_hash: str, user_id: UUID) -> None:
        """Only for a token whose index entry exists: an unknown token is never remembered
        (it may be issued later, in another process)."""
        with self._lock:
            self._owners[token_hash] = user_id
            self._trim(self._owners)

    def user(self, user_id: UUID) -> User | None:
        """The user as the store has it now (None if there is no such aggregate)."""
        current = self._latest_version(user_id)
        if current is None:
            return None
        with self._lock:
            kept = self._users.get(user_id)
            if kept is not None and kept.version == current:
                self._users.move_to_end(user_id)
                return kept.user
        user = self._load(user_id)
        with self._lock:
            kept = self._users.get(user_id)
            # A slower request must not put back a state older than one a faster one kept.
            if kept is None or kept.version <= user.version:
                self._users[user_id] = _Kept(user, user.version)
                self._trim(self._users)
        return user

    def _trim(self, entries: OrderedDict[str, UUID] | OrderedDict[UUID, _Kept]) -> None:
        while len(entries) > self._max:
            entries.popitem(last=False)
