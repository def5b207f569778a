"""Shared checks for the reliability tests: a throwaway cluster, and "the ledger is sound"."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from api.bootstrap import build_views
from domain.application import LedgerApplication
from domain.checkpoint_store import CheckpointStore
from domain.verify import verify_ledger
from projections.engine.rebuild import check_view
from tests.support.cluster import Cluster


@pytest.fixture(name="cluster")
def cluster_fixture() -> Iterator[Cluster]:
    """A PostgreSQL cluster of the test's own, to stop and crash at will."""
    cluster = Cluster()
    yield cluster
    cluster.destroy()


def assert_chain_verifies(ledger: LedgerApplication, trusted: dict[str, bytes] | None = None) -> int:
    """Every hash chain (and every checkpoint, against `trusted` keys) holds; returns events checked."""
    head = ledger.recorder.max_notification_id() or 0
    report = verify_ledger(ledger.reads, head, CheckpointStore(ledger.recorder).by_size(), trusted or {})
    assert report.ok, report.first_bad
    # Positions may have gaps (a rolled-back insert uses up its sequence numbers): count rows.
    assert report.events_checked == len(ledger.reads.rows_between(1, head, head + 1))
    return report.events_checked


def assert_views_equal_a_rebuild(ledger: LedgerApplication) -> None:
    db, views = build_views(ledger)
    for view in views:
        report = check_view(ledger, db, view)
        assert not report.drifted, (view.name, [t for t in report.tables if t.drifted])
