"""Group commit on PostgreSQL: concurrent writes share transactions, a bad one fails alone."""

from __future__ import annotations

import threading
from uuid import uuid4

import pytest
from eventsourcing.persistence import IntegrityError, StoredEvent

from domain.application import LedgerApplication
from domain.group_commit import GroupCommitLedgerRecorder
from domain.ledger_tree import ledger_head
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
