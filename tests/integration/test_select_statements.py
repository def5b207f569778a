"""The PostgreSQL recorder's select_events: its statements composed once, and the library's
answers in every combination of its options (issue 23: two of them run on every command)."""

from __future__ import annotations

import itertools
from uuid import uuid4

import pytest
from eventsourcing.persistence import StoredEvent
from eventsourcing.postgres import PostgresAggregateRecorder

from domain.application import LedgerApplication
from domain.persistence import PostgresLedgerRecorder
from domain.store import parse_database_url
from migrations.runner import migrate

pytestmark = pytest.mark.postgres


@pytest.fixture
def pg_ledger(postgres_database: str) -> LedgerApplication:
    store = parse_database_url(f"{postgres_database}?schema=sel_{uuid4().hex[:8]}")
    migrate(store.plain_url, schema=store.migration_schema)
    return LedgerApplication(store)


def test_every_variant_reads_what_the_library_reads_with_its_statement(pg_ledger: LedgerApplication) -> None:
    recorder = pg_ledger.recorder
    assert isinstance(recorder, PostgresLedgerRecorder)
    library = PostgresAggregateRecorder.select_events.__wrapped__
    aggregate = uuid4()
    recorder.insert_events(
        [StoredEvent(aggregate, v, "test:Dot", f'{{"n":{v}}}'.encode()) for v in range(1, 8)]
    )
    try:
        for gt, lte, desc, limit in itertools.product((None, 2), (None, 6), (False, True), (None, 3)):
            ours = recorder.select_events(aggregate, gt=gt, lte=lte, desc=desc, limit=limit)
            theirs = library(recorder, aggregate, gt=gt, lte=lte, desc=desc, limit=limit)
            assert ours == theirs and ours, (gt, lte, desc, limit)
        assert len(recorder._select_statements) == 16  # one composed statement per variant, kept
        assert [e.originator_version for e in recorder.select_events(aggregate, gt=5)] == [6, 7]
        assert recorder.select_events(uuid4()) == []
    finally:
        pg_ledger.close()
