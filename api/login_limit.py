"""Failed-authentication rate limiting, per client address.

Tokens are 256-bit random strings, so guessing one is hopeless; the limit is there so that a
client hammering the service with bad tokens (a misconfigured script, or a scan) is told to stop
and cannot use the service as an oracle at full speed. A sliding window per address: after
`max_failures` failed authentications within `window_seconds`, every further failed attempt
from that address gets 429 until the oldest failure leaves the window. Only failures are refused:
a valid token from a limited address is served (an office behind one NAT address must not be
locked out by one bad client). A success resets nothing: not the address's own count (an
attacker holding one valid token must not be able to launder its guesses), and certainly not
any other address's. The address is the peer's, or the client's as named by a trusted proxy
(`api/edge.py`, XINFANG_TRUSTED_PROXIES); a forged X-Forwarded-For changes nothing.

State is in memory, per process: a restart forgets it, and several processes each count on
their own. That is enough for its purpose and keeps the store out of the authentication path.
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Callable

# A scan from many addresses must not grow the table without bound: past this many addresses,
# those whose failures have all left the window are dropped.
MAX_TRACKED_ADDRESSES = 10_000


class FailedLoginLimiter:
    def __init__(
        self, max_failures: int, window_seconds: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        if max_failures < 1 or window_seconds <= 0:
            raise ValueError("max_failures must be at least 1 and window_seconds positive")
        self.max_failures, self.window, self.clock = max_failures, window_seconds, clock
        self._failures: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def _expire(self, failures: deque[float], now: float) -> None:
        while failures and failures[0] <= now - self.window:
            failures.popleft()

    def retry_after(self, client: str) -> int | None:
        """Whole seconds until `client` may try again, or None if it is not blocked."""
        now = self.clock()
        with self._lock:
            failures = self._failures.get(client)
            if failures is None:
                return None
            self._expire(failures, now)
            if len(failures) < self.max_failures:
                return None
            # Blocked until enough failures leave the window to make room for one more.
            unblocked_at = failures[len(failures) - self.max_failures] + self.window
            return max(1, math.ceil(unblocked_at - now))

    def record_failure(self, client: str) -> None:
        now = self.clock()
        with self._lock:
            if client not in self._failures and len(self._failures) >= MAX_TRACKED_ADDRESSES:
                self._prune(now)
            failures = self._failures.setdefault(client, deque())
            failures.append(now)
            # Only the newest max_failures matter for the decision.
            while len(failures) > self.max_failures:
                failures.popleft()

    def _prune(self, now: float) -> None:
        for address in list(self._failures):
            self._expire(self._failures[address], now)
            if not self._failures[address]:
                del self._failures[address]
