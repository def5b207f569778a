"""Where each view stands (the `view_positions` table), read by /readyz and read-your-writes waits."""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from domain.application import LedgerApplication
from projections.engine.database import Tx, ViewDatabase
from projections.engine.feed import ledger_position

SELECT_POSITIONS = "SELECT view, position, error, error_position FROM view_positions"
ENSURE_POSITION = "INSERT INTO view_positions (view, position) VALUES (?, 0) ON CONFLICT (view) DO NOTHING"


def now_sql(db: ViewDatabase) -> str:
    """The database's clock (positions are stamped by the database, not by one server's clock)."""
    return "clock_timestamp()" if db.postgres else "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')"


@dataclass(frozen=True)
class ViewStatus:
    position: int
    lag: int  # ledger position − view position
    error: str | None = None  # set when an event stopped the view
    error_position: int | None = None

    @property
    def stopped(self) -> bool:
        return self.error is not None

    def as_dict(self) -> dict[str, Any]:
        return {
            "position": self.position,
            "lag": self.lag,
            "stopped": self.stopped,
            "error": self.error,
            "error_position": self.error_position,
        }


def ensure_rows(tx: Tx, names: Sequence[str]) -> None:
    tx.executemany(ENSURE_POSITION, [(name,) for name in names])


class PositionBoard:
    """Reads the positions of a set of views, and waits for them to reach a ledger position.

    Works whichever process runs the views; an in-process runner calls `notify()` after each
    commit so waiters wake at once instead of at the next poll.
    """

    POLL_SECONDS = 0.02

    def __init__(self, ledger: LedgerApplication, db: ViewDatabase, names: Sequence[str]) -> None:
        self.ledger, self.db, self.names = ledger, db, tuple(names)
        self._advanced = threading.Condition()

    def notify(self) -> None:
        with self._advanced:
            self._advanced.notify_all()

    def _read(self, conn: Any | None = None) -> dict[str, tuple[int, str | None, int | None]]:
        with self.db.transaction(conn, write=False) as tx:
            rows = tx.execute(SELECT_POSITIONS).fetchall()
        return {str(r[0]): (int(r[1]), r[2], None if r[3] is None else int(r[3])) for r in rows}

    def positions(self, conn: Any | None = None) -> dict[str, ViewStatus]:
        """Each view's status; a view with no row yet stands at 0."""
        stored = self._read(conn)
        top = ledger_position(self.ledger)
        result: dict[str, ViewStatus] = {}
        for name in self.names:
            position, error, error_position = stored.get(name, (0, None, None))
            result[name] = ViewStatus(position, max(top - position, 0), error, error_position)
        return result

    def wait_for(self, position: int, timeout: float) -> bool:
        """True once every view has applied `position` (at once if there are no views)."""
        if not self.names:
            return True
        deadline = time.monotonic() + timeout
        conn = self.db.connect()
        try:
            while True:
                stored = self._read(conn)
                if all(stored.get(name, (0, None, None))[0] >= position for name in self.names):
                    return True
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                with self._advanced:
                    self._advanced.wait(min(self.POLL_SECONDS, remaining))
        finally:
            conn.close()
