"""Group commit on a dropped connection: one retry, never a second copy of a write.

The recorder under test is the service's own, with a fault plan: "mid" terminates the group's
backend inside its transaction (before commit), on the first try's one server-side call as on
the step-by-step retry; "ack" lets the commit happen and then loses its answer, as a connection
dropped during the commit's acknowledgement does.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any
from uuid import uuid4

import psycopg
import pytest
from eventsourcing.persistence import IntegrityError, OperationalError, StoredEvent
from eventsourcing.utils import get_topic
from psycopg import Cursor
from psycopg.rows import DictRow

from domain.application import LedgerApplication
from domain.context import command_context
from domain.group_commit import GroupCommitLedgerRecorder, _Write
from domain.ledger_tree import ledger_head
from domain.persistence import IdempotencyRecord
from domain.store import parse_database_url
from migrations.runner import migrate
from tests.integrity.support import REGISTRAR, populate

pytestmark = pytest.mark.postgres


class DroppingRecorder(GroupCommitLedgerRecorder):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.plan: list[str] = []  # one entry per group transaction tried: "mid", "ack" or "ok"
        self._kill = False

    def _attempt(self, batch: list[_Write], *, retry: bool) -> None:
        fault = self.plan.pop(0) if self.plan else "ok"
        self._kill = fault == "mid"
        super()._attempt(batch, retry=retry)
        if fault == "ack":
            raise psycopg.OperationalError("server closed the connection unexpectedly")

    def _insert_together(self, curs: Cursor[DictRow], writes: list[_Write]) -> None:
        super()._insert_together(curs, writes)
        if self._kill:
            curs.execute("SELECT pg_terminate_backend(pg_backend_pid())")

    def _append_in_one_call(
        self, conn: psycopg.Connection[DictRow], curs: Cursor[DictRow], batch: list[_Write]
    ) -> None:
        # The first try is one statement in autocommit; "mid" opens a transaction around it, so
        # the function's work is done and uncommitted when the backend goes.
        if self._kill:
            curs.execute("BEGIN")
        super()._append_in_one_call(conn, curs, batch)
        if self._kill:
            curs.execute("SELECT pg_terminate_backend(pg_backend_pid())")


@pytest.fixture
def app(postgres_database: str) -> Iterator[LedgerApplication]:
    url = f"{postgres_database}?schema=gcr_{uuid4().hex[:8]}"
    store = parse_database_url(url)
    migrate(store.plain_url, schema=store.migration_schema)
    ledger = LedgerApplication(store, env={"APPLICATION_RECORDER_TOPIC": get_topic(DroppingRecorder)})
    yield ledger
    ledger.close()


def recorder_of(app: LedgerApplication) -> DroppingRecorder:
    assert isinstance(app.recorder, DroppingRecorder)
    return app.recorder


def _events(n: int = 2) -> list[StoredEvent]:
    originator = uuid4()
    return [
        StoredEvent(originator_id=originator, originator_version=v, topic="test:Dot", state=f'{{"n":{v}}}'.encode())
        for v in range(1, n + 1)
    ]  # fmt: skip


def _stored(app: LedgerApplication, events: Sequence[StoredEvent]) -> list[int]:
    return [r.position for r in app.reads.aggregate_rows(events[0].originator_id)]


def test_a_connection_dropped_before_commit_is_retried_once_and_written_once(app: LedgerApplication) -> None:
    recorder = recorder_of(app)
    events, record = _events(), IdempotencyRecord("user:reg", "k-mid", "h", None, None, b"{}")
    recorder.plan = ["mid"]
    ids = list(recorder.insert_events(events, idempotency=record) or [])
    assert recorder.groups_retried == 1
    assert ids == _stored(app, events) and len(ids) == 2
    assert app.reads.idempotency_record("user:reg", "k-mid") == record


def test_a_commit_whose_answer_was_lost_is_answered_from_what_it_stored(app: LedgerApplication) -> None:
    recorder = recorder_of(app)
    events = _events(3)
    head = ledger_head(recorder)
    recorder.plan = ["ack"]
    ids = list(recorder.insert_events(events) or [])
    assert recorder.groups_retried == 1
    assert ids == _stored(app, events) == [head + 1, head + 2, head + 3]
    assert ledger_head(recorder) == head + 3  # the retry wrote nothing


def test_a_command_whose_commit_answer_was_lost_succeeds_once(app: LedgerApplication) -> None:
    recorder = recorder_of(app)
    case_id = populate(app, cases=1)[0]
    before = len(app.reads.aggregate_rows(case_id))
    recorder.plan = ["ack"]
    with command_context(actor=REGISTRAR):
        result = app.execute(case_id, "notes", {"text": "once"})
    rows = app.reads.aggregate_rows(case_id)
    assert len(rows) == before + 1 and result.version == rows[-1].version
    assert result.position == rows[-1].position


def test_a_second_drop_fails_the_write_and_nothing_is_written_twice(app: LedgerApplication) -> None:
    recorder = recorder_of(app)
    dropped, head = _events(), ledger_head(recorder)
    recorder.plan = ["mid", "mid"]
    with pytest.raises(OperationalError):  # api/errors.py answers it 503 store_unavailable
        recorder.insert_events(dropped)
    assert recorder.groups_retried == 1 and _stored(app, dropped) == []

    kept = _events()
    recorder.plan = ["ack", "mid"]  # committed, answer lost, and the retry's connection drops too
    with pytest.raises(OperationalError):
        recorder.insert_events(kept)
    assert len(_stored(app, kept)) == 2
    with pytest.raises(IntegrityError):  # the client's own retry cannot store it a second time
        recorder.insert_events(kept)
    assert len(_stored(app, kept)) == 2
    assert ledger_head(recorder) >= head + 2
