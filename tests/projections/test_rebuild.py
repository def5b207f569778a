"""Rebuild into fresh tables while the live view serves, then switch; drift checks find every difference."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from api import cli
from domain.application import LedgerApplication
from projections import registry
from projections.engine.database import ViewDatabase
from projections.engine.rebuild import RebuildError, check_view, rebuild
from projections.engine.runner import ViewRunner
from tests.projections.views import (
    CountingView,
    PoisonedView,
    Status,
    expected_counts,
    table_rows,
    write_cases,
)


def corrupt(db: ViewDatabase) -> None:
    """One row different, one missing, one extra: what a bug or a hand edit would leave."""
    with db.transaction() as tx:
        tx.execute("UPDATE tv_counts SET n = n + 100 WHERE type = 'Registered'")
        tx.execute("DELETE FROM tv_counts WHERE type = 'Accepted'")
        tx.execute("INSERT INTO tv_counts (type, n) VALUES ('Invented', 1)")


def caught_up(ledger: LedgerApplication, db: ViewDatabase) -> None:
    runner = ViewRunner(ledger, db, [CountingView(ledger)])
    runner.catch_up()
    runner.close()


def test_check_view_names_missing_extra_and_different_rows(
    ledger: LedgerApplication, db: ViewDatabase
) -> None:
    write_cases(ledger, 3, [Status.CLOSED])
    caught_up(ledger, db)
    assert not check_view(ledger, db, CountingView(ledger)).drifted
    corrupt(db)
    report = check_view(ledger, db, CountingView(ledger))
    assert report.drifted
    counts = next(t for t in report.tables if t.table == "tv_counts")
    assert counts.missing == [("Accepted", 3)]
    assert counts.extra == [("Invented", 1)]
    assert counts.different == [(("Registered", 103), ("Registered", 3))]
    assert not next(t for t in report.tables if t.table == "tv_aggregates").drifted


def test_check_view_compares_at_the_live_position(ledger: LedgerApplication, db: ViewDatabase) -> None:
    middle = write_cases(ledger, 2)
    runner = ViewRunner(ledger, db, [CountingView(ledger)])
    runner.catch_up(until=middle)
    write_cases(ledger, 2)  # the live view is behind the ledger: not drift
    report = check_view(ledger, db, CountingView(ledger))
    assert report.position == middle and not report.drifted
    runner.close()


def test_rebuild_serves_the_old_rows_until_it_switches_in_the_new(
    ledger: LedgerApplication, db: ViewDatabase
) -> None:
    write_cases(ledger, 4)
    caught_up(ledger, db)
    corrupt(db)
    before = table_rows(db, "tv_counts")
    seen_during: list[list[tuple[object, ...]]] = []
    progress: list[tuple[int, int]] = []

    def report(done: int, total: int) -> None:
        progress.append((done, total))
        seen_during.append(table_rows(db, "tv_counts"))  # another connection, mid-rebuild

    top = write_cases(ledger, 1)
    position = rebuild(ledger, db, CountingView(ledger), batch_size=5, progress=report)
    assert position == top
    assert seen_during and all(rows == before for rows in seen_during)
    assert progress[-1] == (top, top) and len(progress) > 2
    assert table_rows(db, "tv_counts") == expected_counts(ledger)
    assert not check_view(ledger, db, CountingView(ledger)).drifted
    # The runner goes on from the switched position: nothing applied twice.
    write_cases(ledger, 1)
    caught_up(ledger, db)
    assert table_rows(db, "tv_counts") == expected_counts(ledger)
    # The live table kept its migration's index (the switch copies rows, it does not rename tables).
    with db.transaction(write=False) as tx:
        if db.postgres:
            names = tx.execute(
                "SELECT indexname FROM pg_indexes WHERE tablename = 'tv_aggregates'"
            ).fetchall()
        else:
            names = tx.execute("SELECT name FROM sqlite_master WHERE tbl_name = 'tv_aggregates'").fetchall()
    assert ("tv_aggregates_position",) in names


def test_rebuild_of_a_view_behind_the_ledger_never_moves_it_backwards(
    ledger: LedgerApplication, db: ViewDatabase
) -> None:
    write_cases(ledger, 2)
    caught_up(ledger, db)
    top = write_cases(ledger, 1)
    assert rebuild(ledger, db, CountingView(ledger)) == top
    assert table_rows(db, "tv_counts") == expected_counts(ledger)


def test_a_view_that_cannot_be_rebuilt_leaves_the_live_one_alone(
    ledger: LedgerApplication, db: ViewDatabase
) -> None:
    write_cases(ledger, 2, [Status.CLOSED])
    with pytest.raises(RebuildError) as caught:
        rebuild(ledger, db, PoisonedView(ledger), batch_size=100)
    closed = next(
        r.position for r in ledger.reads.rows_between(1, 10**6, 10**6) if r.topic.endswith(":Closed")
    )
    assert caught.value.position == closed
    assert table_rows(db, "tp_counts") == []


def test_rebuild_with_fixed_code_recovers_a_stopped_view(ledger: LedgerApplication, db: ViewDatabase) -> None:
    write_cases(ledger, 2, [Status.CLOSED])
    runner = ViewRunner(ledger, db, [PoisonedView(ledger)])
    runner.catch_up()
    runner.close()
    assert runner.positions()["test_poisoned"].stopped

    class Fixed(PoisonedView):
        poison = frozenset()

    rebuild(ledger, db, Fixed(ledger))
    status = runner.positions()["test_poisoned"]
    assert not status.stopped and status.lag == 0
    assert table_rows(db, "tp_counts") == expected_counts(ledger)


def test_cli_check_views_and_rebuild(
    store_url: str, ledger: LedgerApplication, db: ViewDatabase, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XINFANG_DATABASE_URL", store_url)
    monkeypatch.setattr(registry, "VIEW_CLASSES", [CountingView])
    write_cases(ledger, 2, [Status.CLOSED])  # fixed: `corrupt` needs an Accepted row to delete
    caught_up(ledger, db)
    runner = CliRunner()
    result = runner.invoke(cli.app, ["check-views"])
    assert result.exit_code == 0, result.output
    assert "tv_counts: same" in result.output
    corrupt(db)
    result = runner.invoke(cli.app, ["check-views", "test_counts"])
    assert result.exit_code == 1, result.output
    assert "1 missing, 1 extra, 1 different" in result.output
    result = runner.invoke(cli.app, ["rebuild", "test_counts"])
    assert result.exit_code == 0, result.output
    assert "rebuilt and switched" in result.output
    assert runner.invoke(cli.app, ["check-views"]).exit_code == 0
    assert runner.invoke(cli.app, ["rebuild", "no_such_view"]).exit_code == 2
