"""The county reports' published rates (/work/shared/reference/seeds), reproduced on equivalent
histories under the definitions of DOMAIN.md R11, on both stores.

- Qinjiang town, first half-year: 受理信访件148件, 办结率91.2% (135 of 148 closed);
- Wuhan, the 60 cases city leaders took on (市领导包案): 已结案56件, 化解结案率93.3% (56/60),
  案结事了率83.3% (50/60), which can only be said once each closure's 90 days have passed.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from domain.application import LedgerApplication
from domain.context import command_context
from projections.engine.database import ViewDatabase
from projections.figures.cells import FiguresWithCells
from projections.figures.measures import Figure
from projections.figures.query import Filters, figures_report, key_figures
from tests.views.feed import feed
from tests.views.test_figures import Script

CAMPAIGN = "市领导包案"


def mmdd(day: date) -> str:
    return day.strftime("%m-%d")


def counted(ledger: LedgerApplication, filters: Filters, today: date) -> dict[str, Figure]:
    feed(ledger, FiguresWithCells(ledger), batch_size=200)
    with ViewDatabase(ledger.store).transaction(write=False) as tx:
        found = key_figures(tx, filters, ("1=1", ()), today=today)
        report = figures_report(tx, filters, ("1=1", ()), today=today)
    assert report["figures"] == {name: fig.as_dict() for name, fig in found.items()}
    return found


def pair(figure: Figure) -> tuple[int, int]:
    return figure.numerator, figure.denominator


# ---- Qinjiang: 148 accepted, 135 closed ------------------------------------------------------


def qinjiang(ledger: LedgerApplication) -> None:
    """148 petitions accepted from January to May; 13 still in handling at the half-year. Every
    tenth closed one was answered on day 59 and closed on day 62: late by the closure day, on time
    by the answer (R11)."""
    s = Script(ledger)
    for n in range(148):
        name, accepted = f"q{n}", date(2024, 1, 2) + timedelta(days=n)
        s.register(name, mmdd(accepted))
        s.do(name, "accept", mmdd(accepted))
        s.do(name, "assign", mmdd(accepted), hour=11, unit_code="A", leader_id="LA", officer_id=None)
        if n >= 135:
            continue
        answered = accepted + timedelta(days=59 if n % 10 == 0 else 14)
        closed = answered + timedelta(days=3)
        s.answer(name, mmdd(answered))
        s.visit(name, mmdd(answered + timedelta(days=1)), "satisfied")
        s.close(name, mmdd(closed), "resolved")


def test_qinjiang_closes_135_of_the_148_it_accepted(ledger: LedgerApplication) -> None:
    qinjiang(ledger)
    figures = counted(ledger, Filters(date(2024, 1, 1), date(2024, 6, 30)), today=date(2024, 12, 31))
    assert pair(figures["closure_rate"]) == (135, 148)
    assert figures["closure_rate"].value == pytest.approx(0.912, abs=0.0005)
    # every answer came by its due date, however late the closure (two closures fall in July)
    all_time = counted(ledger, Filters(), today=date(2024, 12, 31))
    assert pair(all_time["on_time_closure_rate"]) == (135, 135)


# ---- Wuhan: 60 cases, 56 resolved, 50 settled --------------------------------------------------


def wuhan(ledger: LedgerApplication) -> None:
    """60 backlog cases taken on in February and answered on 03-01:
    - 50 closed resolved on 03-05 over a satisfied return visit, nothing after;
    - 3 reviewed (requested 03-05, decided 03-20), then closed resolved on 03-25;
    - 3 closed resolved on 03-05, and the petitioner came again on 04-01 (a linked repeat);
    - 2 closed resolved on 03-05 over an unsatisfied return visit;
    - 2 still in handling."""
    s = Script(ledger)
    with command_context(actor=s.staff, occurred_at=datetime(2024, 1, 2, 9, tzinfo=UTC)):
        ledger.open_campaign(campaign_id=CAMPAIGN, name=CAMPAIGN, starts_on=date(2024, 1, 2), due_on=date(2024, 6, 30))
    for n in range(60):
        name = f"w{n}"
        s.register(name, "02-01")
        s.do(name, "accept", "02-01")
        s.do(name, "assign", "02-02", unit_code="A", leader_id="LA", officer_id=None)
        s.do(name, "backlog", "02-03", campaign_id=CAMPAIGN)
        if n >= 58:
            continue
        s.answer(name, "03-01")
        if 50 <= n < 53:
            s.do(name, "review-request", "03-05", requested_on=date(2024, 3, 5))
            s.do(name, "review-decision", "03-20", decision="upheld", delivered_on=date(2024, 3, 20))
            s.close(name, "03-25", "resolved")
            continue
        s.visit(name, "03-02", "unsatisfied" if n >= 56 else "satisfied")
        s.close(name, "03-05", "resolved")
        if 53 <= n < 56:
            s.register(f"again {n}", "04-01")
            s.do(f"again {n}", "link-repeat", "04-01", earlier_case_id=str(s.ids[name]))


def test_wuhan_resolves_56_of_60_and_settles_50_once_their_90_days_have_passed(
    ledger: LedgerApplication,
) -> None:
    wuhan(ledger)
    figures = counted(ledger, Filters(campaign=CAMPAIGN), today=date(2024, 12, 31))
    assert pair(figures["resolution_rate"]) == (56, 60)
    assert figures["resolution_rate"].value == pytest.approx(0.933, abs=0.0005)
    assert pair(figures["settled_rate"]) == (50, 60)
    assert figures["settled_rate"].value == pytest.approx(0.833, abs=0.0005)
    assert figures["settled_rate"].pending == 0


def test_wuhan_reports_its_settlements_pending_while_their_90_days_run(ledger: LedgerApplication) -> None:
    wuhan(ledger)
    # 03-05 + 90 days = 06-03: on that day the 90 days still run for the 50
    on_the_90th_day = counted(ledger, Filters(campaign=CAMPAIGN), today=date(2024, 6, 3))["settled_rate"]
    assert (*pair(on_the_90th_day), on_the_90th_day.pending) == (0, 60, 50)
    after = counted(ledger, Filters(campaign=CAMPAIGN), today=date(2024, 6, 4))["settled_rate"]
    assert (*pair(after), after.pending) == (50, 60, 0)
