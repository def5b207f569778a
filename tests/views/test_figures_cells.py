"""The pre-aggregated cells give the same figures as the scan of every case row, on the scripted
history of test_figures.py (both stores), for periods cut anywhere in a month, open ends,
categories and the scope of each role (api/access.py)."""

from __future__ import annotations

from datetime import date
from uuid import UUID

import pytest

from api.access import Access
from api.auth import Principal
from domain.application import LedgerApplication
from domain.vocabulary import Role
from projections.engine.database import ViewDatabase
from projections.engine.rebuild import check_view
from projections.figures.cells import FiguresWithCells
from projections.figures.cells_query import answers_scope, cell_figures, earliest_cell_day, spans
from projections.figures.query import Filters, earliest_day, figures_report, key_figures
from projections.reference_data.units import UnitPaths
from tests.views.feed import feed
from tests.views.test_figures import TODAY, Script, d, scripted

__all__ = ["scripted"]

PERIODS = [
    (None, None),
    (d("01-01"), d("03-31")),  # whole months only
    (d("01-15"), d("03-10")),  # partial first and last months
    (d("02-10"), d("02-20")),  # inside one month
    (d("03-25"), d("03-25")),  # one day
    (None, d("02-14")),
    (d("02-29"), None),
    (date(2023, 12, 15), d("02-29")),  # across the year, ending on a month's last day
]
TODAYS = (TODAY, d("04-20"))  # on 04-20 the closures since 01-21 are still inside their 90 days
READERS = [
    Principal("i", "i", Role.INSPECTOR, None, None),  # everything
    Principal("s", "s", Role.SUPERVISOR, "A", None),  # received or held within A
    Principal("o", "o", Role.OFFICER, "B", None),  # held within B
    Principal("l", "l", Role.LEADER, "B", "LA"),  # held within B, or by leader LA
    Principal("r", "r", Role.REGISTRAR, "C", None),  # received within the county: all
    Principal("x", "x", Role.REGISTRAR, "V", None),  # received within V: none
]


@pytest.mark.parametrize(("start", "end"), PERIODS)
@pytest.mark.parametrize("category", [None, "land", "labour"])
def test_cells_count_what_the_scan_counts(
    scripted: tuple[LedgerApplication, dict[str, UUID]],
    start: date | None,
    end: date | None,
    category: str | None,
) -> None:
    ledger, _ = scripted
    paths = UnitPaths(ledger)
    with ViewDatabase(ledger.store).transaction(write=False) as tx:
        for who, today in ((who, today) for who in READERS for today in TODAYS):
            scope = Access.of(who, paths, ledger.leader_posts).counted(alias="f")
            pair = (scope.where, scope.params)
            scanned = key_figures(tx, Filters(start, end, category=category), pair, today=today)
            report = figures_report(tx, Filters(start, end, category=category), pair, today=today)
            assert report["figures"] == {name: fig.as_dict() for name, fig in scanned.items()}, who.role
            if answers_scope(pair):
                cells = cell_figures(tx, start, end, pair, category, today=today)
                assert cells == scanned, (who.role, who.unit_code, today)
                assert earliest_cell_day(tx, pair) == earliest_day(tx, pair)


def test_some_cases_are_pending_on_the_earlier_day_compared(
    scripted: tuple[LedgerApplication, dict[str, UUID]],
) -> None:
    """So the comparison above covers settled cases whose 90 days still run (R11)."""
    ledger, _ = scripted
    with ViewDatabase(ledger.store).transaction(write=False) as tx:
        early = cell_figures(tx, None, None, ("1=1", ()), None, today=TODAYS[1])["settled_rate"]
        late = cell_figures(tx, None, None, ("1=1", ()), None, today=TODAYS[0])["settled_rate"]
    # c1, c2, c5, c11 closed within the 90 days before 04-20; c9 (closed 01-12) has passed them
    assert (early.numerator, early.pending) == (1, 4)
    assert (late.numerator, late.pending) == (5, 0)


def test_only_a_scope_naming_a_leader_is_left_to_the_scan(
    scripted: tuple[LedgerApplication, dict[str, UUID]],
) -> None:
    ledger, _ = scripted
    paths = UnitPaths(ledger)
    answered = {}
    for who in READERS:
        scope = Access.of(who, paths, ledger.leader_posts).counted(alias="f")
        answered[who.role] = answers_scope((scope.where, scope.params))
    assert answered == {Role.INSPECTOR: True, Role.SUPERVISOR: True, Role.OFFICER: True, Role.LEADER: False,
                        Role.REGISTRAR: True}  # fmt: skip


@pytest.mark.parametrize(("start", "end"), PERIODS)
def test_every_period_compared_has_cases(
    scripted: tuple[LedgerApplication, dict[str, UUID]], start: date | None, end: date | None
) -> None:
    """So the comparison above is not one of zeros."""
    ledger, _ = scripted
    with ViewDatabase(ledger.store).transaction(write=False) as tx:
        figures = cell_figures(tx, start, end, ("1=1", ()), None, today=TODAY)
    assert sum(fig.denominator for fig in figures.values()) > 0


def test_spans_cover_each_day_of_the_period_exactly_once() -> None:
    def days(start: date, end: date) -> list[date]:
        covered = []
        for grain, first, last in spans(start, end):
            assert first is not None and last is not None
            if grain == "day":
                covered += [date.fromordinal(n) for n in range(first.toordinal(), last.toordinal() + 1)]
            else:
                month = first
                while month <= last:
                    assert month.day == 1
                    following = date(month.year + month.month // 12, month.month % 12 + 1, 1)
                    covered += [date.fromordinal(n) for n in range(month.toordinal(), following.toordinal())]
                    month = following
        return sorted(covered)

    for start, end in [(d("01-01"), d("01-31")), (d("01-02"), d("01-30")), (d("01-31"), d("02-01")),
                       (date(2023, 11, 30), d("03-01")), (d("02-01"), d("02-29")), (d("05-05"), d("05-05"))]:  # fmt: skip
        assert days(start, end) == [
            date.fromordinal(n) for n in range(start.toordinal(), end.toordinal() + 1)
        ]
    assert spans(None, None) == [("month", None, None)]


@pytest.mark.parametrize(("start", "end"), [(d("01-15"), d("03-10")), (None, d("02-14")), (d("02-29"), None)])
def test_the_report_totals_equal_the_scan(
    scripted: tuple[LedgerApplication, dict[str, UUID]], start: date | None, end: date | None
) -> None:
    """Whether the totals come from the chart's months (a closed period) or a query of their own."""
    ledger, _ = scripted
    scope = Access.of(READERS[1], UnitPaths(ledger), ledger.leader_posts).counted(alias="f")
    pair = (scope.where, scope.params)
    with ViewDatabase(ledger.store).transaction(write=False) as tx:
        report = figures_report(tx, Filters(start, end), pair, today=TODAY)
        scanned = key_figures(tx, Filters(start, end), pair, today=TODAY)
    assert report["figures"] == {name: fig.as_dict() for name, fig in scanned.items()}


def test_a_closure_taken_back_by_a_reopening_leaves_no_count_behind(ledger: LedgerApplication) -> None:
    """Fed between the steps, so each change of a case reaches the cells in a batch of its own:
    the closure's cells are taken back when the reopening removes it, and the cells equal a
    rebuild's and the scan's after each step."""
    s = Script(ledger)
    view = FiguresWithCells(ledger)
    s.register("c", "01-05")
    s.do("c", "accept", "01-05")
    s.do("c", "assign", "01-06", unit_code="A", leader_id="LA", officer_id=None)
    s.answer("c", "01-20")
    s.visit("c", "01-21", "satisfied")
    s.close("c", "01-25", "resolved")
    steps = [
        lambda: s.do("c", "reopen", "02-03", reason="petitioner came back"),
        lambda: s.do("c", "reassign", "02-04", unit_code="B", leader_id="LB", officer_id=None),
        lambda: s.answer("c", "03-02"),
        lambda: s.visit("c", "03-03", "unsatisfied"),
        lambda: s.close("c", "03-05", "answered_only"),
    ]
    for step in [lambda: None, *steps]:
        step()
        feed(ledger, view)
        assert not check_view(ledger, ViewDatabase(ledger.store), FiguresWithCells(ledger)).drifted
        with ViewDatabase(ledger.store).transaction(write=False) as tx:
            for start, end in PERIODS:
                assert cell_figures(tx, start, end, ("1=1", ()), None, today=TODAY) == key_figures(
                    tx, Filters(start, end), ("1=1", ()), today=TODAY
                )
