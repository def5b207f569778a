"""Every view the service keeps, fed in small batches over the demo history, equals a rebuild."""

from __future__ import annotations

import pytest

from api.bootstrap import build_views
from api.demo import load_demo
from domain.application import LedgerApplication
from projections.engine.rebuild import check_view
from projections.engine.runner import ViewRunner
from projections.registry import VIEW_CLASSES


@pytest.mark.parametrize("batch_size", [7, 500])
def test_every_registered_view_fed_in_batches_equals_a_rebuild(
    ledger: LedgerApplication, batch_size: int
) -> None:
    load_demo(ledger, cases=25)
    db, views = build_views(ledger)
    runner = ViewRunner(ledger, db, views, batch_size=batch_size)
    try:
        reached = runner.catch_up()
    finally:
        runner.close()
    end = ledger.recorder.max_notification_id()
    assert reached == {cls.name: end for cls in VIEW_CLASSES}
    for view in views:
        report = check_view(ledger, db, view)
        assert not report.drifted, report
        assert report.position == end
