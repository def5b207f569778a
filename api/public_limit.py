"""Failed public look-ups, counted per client address and per case, in the database.

A query code has 40 bits: enough only if guesses are few. After `max_failures` wrong pairs
within `window_seconds` from one address, or against one case id from anywhere, every look-up
and rating from that address or for that case answers 429 until the oldest failure leaves the
window, a right code included: unlike a 256-bit bearer token (api/login_limit.py), a code that
is still checked while limited would let a botnet keep guessing and read the answer. The price
is that a flood of wrong codes can hold one case's look-up for a window; the office still
answers the phone.

The failures live in a table (migration 0023) rather than in memory, so the count holds across
`serve --workers N` and restarts; subjects are stored as SHA-256 digests, never addresses.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence

from domain.integrity import sha256_hex
from projections.engine.database import ViewDatabase

DEFAULT_FAILURES = 5
DEFAULT_WINDOW_SECONDS = 15 * 60.0


def address_subject(address: str) -> str:
    return sha256_hex(f"xinfang-public-lookup/address:{address}".encode())


def case_subject(case_id: str) -> str:
    return sha256_hex(f"xinfang-public-lookup/case:{case_id}".encode())


class PublicLookupLimiter:
    def __init__(
        self,
        database: Callable[[], ViewDatabase],
        max_failures: int = DEFAULT_FAILURES,
        window_seconds: float = DEFAULT_WINDOW_SECONDS,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if max_failures < 1 or window_seconds <= 0:
            raise ValueError("max_failures must be at least 1 and window_seconds positive")
        self._database, self.max_failures, self.window, self.clock = (
            database,
            max_failures,
            window_seconds,
            clock,
        )

    def retry_after(self, subjects: Sequence[str]) -> int | None:
        """Whole seconds until none of `subjects` is limited, or None if none is."""
        now = self.clock()
        wait = 0.0
        with self._database().transaction(write=False) as tx:
            for subject in subjects:
                tx.execute(
                    "SELECT failed_at FROM public_lookup_failures WHERE subject = ? AND failed_at > ? "
                    "ORDER BY failed_at DESC LIMIT ?",
                    (subject, now - self.window, self.max_failures),
                )
                recent = [float(row[0]) for row in tx.fetchall()]
                if len(recent) >= self.max_failures:  # free once the oldest of these leaves the window
                    wait = max(wait, recent[-1] + self.window - now)
        return max(1, math.ceil(wait)) if wait > 0 else None

    def record_failure(self, subjects: Sequence[str]) -> None:
        now = self.clock()
        with self._database().transaction() as tx:
            tx.execute("DELETE FROM public_lookup_failures WHERE failed_at <= ?", (now - self.window,))
            tx.executemany(
                "INSERT INTO public_lookup_failures (subject, failed_at) VALUES (?, ?)",
                [(subject, now) for subject in subjects],
            )
