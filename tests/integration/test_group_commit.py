"""Group commit on PostgreSQL: concurrent writes share transactions, a bad one fails alone."""

from __future__ import annotations

import threading
from uuid import uuid4

import pytest
from eventsourcing.persistence import DataError, IntegrityError, StoredEvent

from domain.application import LedgerApplication
from domain.group_commit import GroupCommitLedgerRecorder, _Write
from domain.ledger_tree import ledger_head
from domain.persistence import IdempotencyRecord
from domain.store import parse_database_url
from migrations.runner import migrate

pytestmark = pytest.mark.postgres
WRITERS = 24


def _event(originator: object, version: int) -> StoredEvent:
    return StoredEvent(originator_id=originator, originator_version=version, topic="bench:Dot", state=b"{}")


@pytest.fixture
def pg_ledger(postgres_database: str) -> LedgerApplication:
    url = f"{postgres_database}?schema=gc_{uuid4().hex[:8]}"
    store = parse_database_url(url)
    migrate(store.plain_url, schema=store.migration_schema)
    return LedgerApplication(store)


def test_concurrent_writes_commit_together_and_a_bad_one_fails_alone(pg_ledger: LedgerApplication) -> None:
    recorder = pg_ledger.recorder
    assert isinstance(recorder, GroupCommitLedgerRecorder)
    taken = uuid4()
    recorder.insert_events([_event(taken, 1)])
    ids: dict[int, list[int]] = {}
    errors: dict[int, BaseException] = {}
    start = threading.Barrier(WRITERS)

    def write(n: int) -> None:
        # Writer 0 repeats an existing (id, version): a lost race. The rest are new, two events each.
        events = [_event(taken, 1)] if n == 0 else [_event(uuid4(), 1), _event(uuid4(), 1)]
        start.wait()
        try:
            ids[n] = list(recorder.insert_events(events) or [])
        except IntegrityError as exc:
            errors[n] = exc

    threads = [threading.Thread(target=write, args=(n,)) for n in range(WRITERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    try:
        assert set(errors) == {0}
        assert recorder.transactions < WRITERS  # some writes shared a transaction
        assert sorted(ids) == list(range(1, WRITERS))
        # Every good write got its own consecutive positions; the failed one's insert used up at
        # most one sequence value (PostgreSQL sequences never roll back), and every row is there.
        positions = sorted(p for got in ids.values() for p in got)
        assert len(set(positions)) == 2 * (WRITERS - 1)
        assert positions[0] >= 2 and positions[-1] <= 2 + 2 * (WRITERS - 1)
        assert all(len(got) == 2 and got[1] == got[0] + 1 for got in ids.values())
        stored = pg_ledger.reads.rows_between(1, ledger_head(recorder), 1000)
        assert [r.position for r in stored] == [1, *positions]
    finally:
        pg_ledger.close()


def _write(events: list[StoredEvent], record: IdempotencyRecord | None = None) -> _Write:
    return _Write(events, {"idempotency": record} if record else {})


def test_one_group_refuses_taken_keys_before_inserting_and_wastes_no_position(
    pg_ledger: LedgerApplication,
) -> None:
    recorder = pg_ledger.recorder
    assert isinstance(recorder, GroupCommitLedgerRecorder)
    taken, raced = uuid4(), uuid4()
    recorder.insert_events([_event(taken, 1)])
    used = IdempotencyRecord("user:reg", "key-1", "h1", taken, 1, b"{}")
    recorder.insert_events([_event(uuid4(), 1)], idempotency=used)
    head = ledger_head(recorder)
    fresh_record = IdempotencyRecord("user:reg", "key-2", "h2", raced, 1, b"{}")
    batch = [
        _write([_event(taken, 1)]),  # lost to a write already stored
        _write([_event(raced, 1), _event(raced, 2)], fresh_record),
        _write([_event(raced, 1)]),  # lost to the write ahead of it in the same group
        _write(
            [_event(uuid4(), 1)], IdempotencyRecord("user:reg", "key-1", "h9", None, None, b"{}")
        ),  # key reused
        _write([_event(uuid4(), 1)]),
        _write(
            [_event(uuid4(), 1)], IdempotencyRecord("user:reg", "key-2", "h2", None, None, b"{}")
        ),  # key taken by a write ahead of it in the same group
    ]
    try:
        recorder._commit_group(batch)
        assert all(w.done for w in batch)
        assert [type(w.error) for w in batch] == [
            IntegrityError,
            type(None),
            IntegrityError,
            IntegrityError,
            type(None),
            IntegrityError,
        ]
        assert batch[1].ids == [head + 1, head + 2] and batch[4].ids == [head + 3]  # no position used up
        assert recorder.groups_one_by_one == 0  # the good writes went in with one INSERT
        assert recorder.groups_in_steps == 0  # the whole group was one call of the server's function
        assert ledger_head(recorder) == head + 3  # the refused writes stored nothing
        assert pg_ledger.reads.idempotency_record("user:reg", "key-2") == fresh_record
        assert pg_ledger.reads.idempotency_record("user:reg", "key-1") == used
    finally:
        pg_ledger.close()


def test_a_value_the_column_refuses_fails_alone_when_the_group_goes_one_by_one(
    pg_ledger: LedgerApplication,
) -> None:
    recorder = pg_ledger.recorder
    assert isinstance(recorder, GroupCommitLedgerRecorder)
    good, bad = uuid4(), uuid4()
    refused = StoredEvent(originator_id=bad, originator_version=1, topic="bench:\x00", state=b"{}")
    batch = [_write([_event(good, 1)]), _write([refused]), _write([_event(good, 2)])]
    try:
        recorder._commit_group(batch)
        assert recorder.groups_in_steps == 1  # the one call failed whole; the steps found the bad write
        assert recorder.groups_one_by_one == 1
        assert isinstance(batch[1].error, DataError)
        assert batch[0].error is None and batch[2].error is None
        assert [e.originator_version for e in recorder.select_events(good)] == [1, 2]
        assert recorder.select_events(bad) == []
    finally:
        pg_ledger.close()
