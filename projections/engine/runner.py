"""The view runner: feeds every view from the ledger in batches, exactly once.

Each view advances on its own from its row in `view_positions`. A batch's view rows and the
view's new position commit in one transaction, and that transaction first locks the position
row and checks it still holds the position the batch was read after: a crash anywhere leaves
either both or neither, and a second runner (or a rebuild switching the view) can never make
a batch count twice. An event a view cannot apply stops that view at the event before it,
recorded with the error; it is never skipped.

Wake-ups: LISTEN on the ledger's insert channel (PostgreSQL), polling (SQLite, which cannot be
subscribed to). On PostgreSQL one runner per view is active: each view is claimed with a
session advisory lock on the runner's own connection, retried now and then, so a standby
process takes over when the active one dies.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any, Protocol

import psycopg
from psycopg import sql as pgsql

from domain.application import LedgerApplication
from projections.engine.database import Tx, ViewDatabase
from projections.engine.feed import DecodeFailed, fetch, ledger_position
from projections.engine.gc_pace import fewer_collections
from projections.engine.positions import PositionBoard, ViewStatus, ensure_rows, now_sql
from projections.engine.table_stats import StatisticsClock, vacuum_analyze
from projections.engine.view import View, ViewEvent

log = logging.getLogger("xinfang.views")

# pg_try_advisory_lock(int4, int4): a class id of our own ("xvw1") and hashtext("schema.view").
ADVISORY_LOCK_CLASS = 0x78767731

# A test's hook: called as fault(point, view name, batch number) at "applied" (view rows written,
# not committed), "positioned" (position written, not committed) and "committed".
FaultHook = Callable[[str, str, int], None]

SELECT_POSITION = "SELECT position FROM view_positions WHERE view=?"
# The largest batch a catch-up grows to: bigger batches rebuilt faster, at a bounded memory
# (bench/RESULTS.md#catch-up-batch-size).
MAX_BATCH = 10_000


class StopSignal(Protocol):
    """What tells a running runner to stop: a threading.Event, or a multiprocessing one (parallel.py)."""

    def is_set(self) -> bool: ...

    def wait(self, timeout: float | None = None) -> bool: ...


class _Moved(Exception):
    """The view's position is not where this batch started: another runner or a rebuild moved it."""


class _ApplyFailed(Exception):
    def __init__(self, cause: Exception) -> None:
        super().__init__(str(cause))
        self.cause = cause


def is_transient(exc: BaseException) -> bool:
    """Store trouble (connection lost, lock timeout, deadlock), not a fault of the event: retry later."""
    if isinstance(exc, (psycopg.OperationalError, psycopg.InterfaceError)):
        return True
    return isinstance(exc, sqlite3.OperationalError) and any(
        word in str(exc).lower() for word in ("locked", "busy")
    )


class ViewRunner:
    def __init__(
        self,
        ledger: LedgerApplication,
        db: ViewDatabase,
        views: Sequence[View],
        *,
        batch_size: int = 500,
        max_batch_size: int = MAX_BATCH,
        fault: FaultHook | None = None,
        poll_seconds: float = 0.1,
        listen_seconds: float = 1.0,
        lock_retry_seconds: float = 5.0,
    ) -> None:
        names = [view.name for view in views]
        if len(set(names)) != len(names):
            raise ValueError(f"view names must be unique: {names}")
        self.ledger, self.db, self.views = ledger, db, list(views)
        self.batch_size = batch_size  # the first batch of a catch-up; full ones double, up to max
        self.max_batch_size = max(batch_size, max_batch_size)
        self._statistics = StatisticsClock()  # VACUUM (ANALYZE) after bulk applies (projections/engine/table_stats.py)
        self.board = PositionBoard(ledger, db, names)
        self._fault = fault or (lambda point, view, number: None)
        self._poll_seconds, self._listen_seconds = poll_seconds, listen_seconds
        self._lock_retry_seconds = lock_retry_seconds
        self._mutex = threading.RLock()  # one catch-up at a time on this runner's connections
        self._conn: Any = None
        self._session: psycopg.Connection[Any] | None = None  # PostgreSQL: advisory locks, LISTEN
        self._owned: set[str] = set()
        self._claimed_at = float("-inf")
        self._rows_ensured = False
        self._stopped: dict[str, str] = {}  # views stopped in this process by a poison event
        self._batches: dict[str, int] = {}
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()
        advance = "UPDATE view_positions SET position=?, updated_at={now}, error=NULL, error_position=NULL "
        self._advance_sql = (advance + "WHERE view=? AND position=?").format(now=now_sql(db))
        self._error_sql = (
            f"UPDATE view_positions SET error=?, error_position=?, updated_at={now_sql(db)} WHERE view=?"
        )
        self._lock_sql = SELECT_POSITION + (" FOR UPDATE" if db.postgres else "")

    # ---- status -------------------------------------------------------------------------

    def positions(self) -> dict[str, ViewStatus]:
        return self.board.positions()

    def wait_for(self, position: int, timeout: float) -> bool:
        """True once every view has applied ledger position `position`."""
        return self.board.wait_for(position, timeout)

    @property
    def owned(self) -> frozenset[str]:
        """The views this runner may apply (on SQLite, all of them)."""
        return frozenset(v.name for v in self.views if self._owns(v.name))

    # ---- catching up --------------------------------------------------------------------

    def catch_up(self, until: int | None = None) -> dict[str, int]:
        """Apply batches until each view this runner owns reaches the ledger's end (or `until`)."""
        with self._mutex, fewer_collections():
            conn = self._connection()
            if not self._rows_ensured:
                with self.db.transaction(conn) as tx:
                    ensure_rows(tx, [v.name for v in self.views])
                self._rows_ensured = True
            self._claim()
            top = ledger_position(self.ledger)
            target = top if until is None else min(until, top)
            pending = [v for v in self.views if v.name not in self._stopped and self._owns(v.name)]
            reached: dict[str, int] = {}
            size = self.batch_size
            # Views advance in lockstep, one batch each per round, so views at the same position
            # share one fetch and decode of the ledger.
            while pending:
                fetched: dict[int, tuple[list[ViewEvent], DecodeFailed | None]] = {}
                still: list[View] = []
                for view in pending:
                    reached[view.name], more = self._step(conn, view, target, fetched, size)
                    if more:
                        still.append(view)
                pending = still
                # Full batches mean a long way to go (a fresh deployment, a runner that was down):
                # each batch costs statements and re-derived boundary rows, so take larger ones.
                if fetched and all(len(events) == size for events, _ in fetched.values()):
                    size = min(2 * size, self.max_batch_size)
            return reached

    def _position(self, conn: Any, name: str) -> int:
        with self.db.transaction(conn, write=False) as tx:
            row = tx.execute(SELECT_POSITION, (name,)).fetchone()
        return 0 if row is None else int(row[0])

    def _step(
        self,
        conn: Any,
        view: View,
        target: int,
        fetched: dict[int, tuple[list[ViewEvent], DecodeFailed | None]],
        size: int,
    ) -> tuple[int, bool]:
        """One batch (of at most `size` events) for one view: (its position now, whether it has more to do)."""
        position = self._position(conn, view.name)
        if position >= target:
            return position, False
        if position not in fetched:
            fetched[position] = fetch(self.ledger, position, target, size)
        events, failed = fetched[position]
        try:
            if events:
                position, stopped = self._apply_batch(conn, view, position, events)
                if stopped:
                    return position, False
            if failed is not None:
                self._stop_view(conn, view.name, failed.position, failed.cause)
                return position, False
        except _Moved:
            log.info("view %s moved on elsewhere (another runner or a rebuild); leaving it", view.name)
            return self._position(conn, view.name), False
        return position, bool(events) and position < target

    def _apply_batch(self, conn: Any, view: View, position: int, events: list[ViewEvent]) -> tuple[int, bool]:
        """Commit the batch; if it fails, find the failing event one event per transaction, so
        the view stops exactly before it. Returns (position reached, whether the view stopped)."""
        try:
            return self._commit(conn, view, position, events), False
        except _ApplyFailed:
            pass
        for event in events:
            try:
                position = self._commit(conn, view, position, [event])
            except _ApplyFailed as failure:
                self._stop_view(conn, view.name, event.position, failure.cause)
                return position, True
        return position, False

    def _commit(self, conn: Any, view: View, position: int, events: list[ViewEvent]) -> int:
        number = self._batches.get(view.name, 0) + 1
        new_position = events[-1].position
        with self.db.transaction(conn) as tx:
            # Lock the position row first: runners and rebuild switches queue here, in one order.
            row = tx.execute(self._lock_sql, (view.name,)).fetchone()
            if row is None or int(row[0]) != position:
                raise _Moved
            if position == 0:
                _empty(tx, view)
            try:
                view.apply(tx, events)
            except Exception as exc:
                if is_transient(exc):
                    raise
                raise _ApplyFailed(exc) from exc
            self._fault("applied", view.name, number)
            if tx.execute(self._advance_sql, (new_position, view.name, position)).rowcount != 1:
                raise _Moved
            self._fault("positioned", view.name, number)
        self._batches[view.name] = number
        self.board.notify()
        self._fault("committed", view.name, number)
        if self._statistics.applied(view.name, len(events), new_position):
            vacuum_analyze(conn, self.db.postgres, view.tables)
        return new_position

    def _stop_view(self, conn: Any, name: str, position: int, cause: Exception) -> None:
        message = f"{type(cause).__name__}: {cause}"
        with self.db.transaction(conn) as tx:
            tx.execute(self._error_sql, (message, position, name))
        self._stopped[name] = message
        log.error(
            "view %s stopped: cannot apply the event at ledger position %d (%s); it stays before that "
            "event until its code is fixed and the runner restarted, or it is rebuilt",
            name, position, message, exc_info=cause,
        )  # fmt: skip
        self.board.notify()

    # ---- connections and PostgreSQL ownership -------------------------------------------

    def _connection(self) -> Any:
        if self._conn is None:
            self._conn = self.db.connect()
        return self._conn

    def _session_conn(self) -> psycopg.Connection[Any]:
        if self._session is None:
            session = psycopg.connect(self.db.store.conninfo(), autocommit=True)
            channel = getattr(self.ledger.recorder, "channel_name", self.db.store.events_table)
            session.execute(pgsql.SQL("LISTEN {}").format(pgsql.Identifier(channel)))
            self._session, self._owned = session, set()
        return self._session

    def _owns(self, name: str) -> bool:
        return not self.db.postgres or name in self._owned

    def _claim(self) -> None:
        if not self.db.postgres or len(self._owned) == len(self.views):
            return
        now = time.monotonic()
        if now - self._claimed_at < self._lock_retry_seconds:
            return
        self._claimed_at = now
        session = self._session_conn()
        for view in self.views:
            if view.name in self._owned:
                continue
            key = f"{self.db.store.schema}.{view.name}"
            row = session.execute(
                "SELECT pg_try_advisory_lock(%s, hashtext(%s))", (ADVISORY_LOCK_CLASS, key)
            ).fetchone()
            if row is not None and row[0]:
                self._owned.add(view.name)
                log.info("view %s: this runner is now the active one", view.name)

    def close(self) -> None:
        """Close connections, releasing the advisory locks first.

        Unlocking explicitly makes the hand-over immediate: a closed connection's backend
        releases its locks only when it has finished exiting, a moment after `close` returns.
        """
        with self._mutex:
            if self._session is not None and self.db.postgres:
                try:
                    self._session.execute("SELECT pg_advisory_unlock_all()")
                    self._session.commit()
                except Exception:  # a broken session has lost its locks anyway
                    log.debug("releasing advisory locks failed", exc_info=True)
            for conn in (self._conn, self._session):
                if conn is not None:
                    try:
                        conn.close()
                    except Exception:  # closing a broken connection is best effort
                        log.debug("closing a view connection failed", exc_info=True)
            self._conn, self._session, self._owned = None, None, set()
            self._claimed_at = float("-inf")

    # ---- running --------------------------------------------------------------------------

    def _wait_for_events(self, stop: StopSignal) -> None:
        if not self.db.postgres:
            stop.wait(self._poll_seconds)
            return
        with self._mutex:
            session = self._session_conn()
            for _ in session.notifies(timeout=self._listen_seconds, stop_after=1):
                break

    def run_forever(self, stop: StopSignal) -> None:
        """Catch up, wait for new events, repeat, until `stop` is set; store trouble is retried."""
        pause = 0.5
        try:
            while not stop.is_set():
                try:
                    self.catch_up()
                    self._wait_for_events(stop)
                    pause = 0.5
                except Exception as exc:
                    if is_transient(exc):
                        log.warning("views: store trouble (%s); retrying in %.1fs", exc, pause)
                    else:
                        log.exception("views: runner failed; retrying in %.1fs", pause)
                    self.close()
                    stop.wait(pause)
                    # Capped low: once the store is back, the views must follow within seconds.
                    pause = min(pause * 2, 5.0)
        finally:
            self.close()

    def start(self) -> None:
        """Run in a background thread (the single-process `xinfang serve`)."""
        if self._thread is not None:
            return
        self._stop.clear()
        self._thread = threading.Thread(
            target=self.run_forever, args=(self._stop,), name="xinfang-views", daemon=True
        )
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None


def _empty(tx: Tx, view: View) -> None:
    """A view at position 0 holds nothing it applied: whatever its tables still hold was left by a
    migration that reset the position to replay the view. Emptying them here, under the position
    row's lock, is what makes a reset enough: a migration that changes what a view derives only
    sets the position to 0, and cannot miss one of the view's tables (two once did)."""
    for table in view.tables:
        tx.execute(f"DELETE FROM {tx.table(table)}")  # the view's own declared names
