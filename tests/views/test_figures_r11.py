"""The key figures as ruled on 2026-12-07 (DOMAIN.md R11), on both stores; the scan, the cells and
the report must give the same answer for every day asked.

- 按期办结率: the answer delivered by the handling due date, the handling clock's own verdict;
- 化解率 and 案结事了率: not over an unsatisfied latest return visit;
- 案结事了率: settled only once the 90 days after closing have passed; until then `pending`.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from domain.application import LedgerApplication
from projections.engine.database import ViewDatabase
from projections.figures.cells import FiguresWithCells
from projections.figures.cells_query import cell_figures
from projections.figures.measures import Figure
from projections.figures.query import Filters, figures_report, key_figures
from tests.views.feed import feed
from tests.views.test_figures import Script, d

EVERYONE = ("1=1", ())


def figures_on(ledger: LedgerApplication, today: date) -> dict[str, Figure]:
    """The figures of all time as they stand on `today`, the same whichever way they are counted."""
    feed(ledger, FiguresWithCells(ledger))
    with ViewDatabase(ledger.store).transaction(write=False) as tx:
        scanned = key_figures(tx, Filters(), EVERYONE, today=today)
        cells = cell_figures(tx, None, None, EVERYONE, None, today=today)
        report: dict[str, Any] = figures_report(tx, Filters(), EVERYONE, today=today)
    assert cells == scanned
    assert report["figures"] == {name: fig.as_dict() for name, fig in scanned.items()}
    months = report["by_month"]
    for part in ("numerator", "pending"):
        assert (
            sum(m["figures"]["settled_rate"][part] for m in months) == report["figures"]["settled_rate"][part]
        )
    return scanned


def handled(s: Script, name: str, answered: str, visits: tuple[str, ...], closed: str, closure: str) -> None:
    """Registered and accepted on 01-01 (handling due 03-01: 60 days, the first not counted)."""
    s.register(name, "01-01")
    s.do(name, "accept", "01-01")
    s.do(name, "assign", "01-02", unit_code="A", leader_id="LA", officer_id=None)
    s.answer(name, answered)
    for n, satisfaction in enumerate(visits):
        s.visit(name, answered if n == 0 else closed, satisfaction)
    s.close(name, closed, closure)


def test_an_answer_by_the_due_date_is_on_time_however_late_the_closure(ledger: LedgerApplication) -> None:
    s = Script(ledger)
    handled(s, "day 59", "02-29", ("satisfied",), "03-03", "resolved")  # closed on day 62
    handled(s, "day 61", "03-02", ("satisfied",), "03-03", "resolved")
    on_time = figures_on(ledger, d("12-31"))["on_time_closure_rate"]
    assert (on_time.numerator, on_time.denominator) == (1, 2)
    with ViewDatabase(ledger.store).transaction(write=False) as tx:
        tx.execute("SELECT case_id, handling_due_on, on_time FROM figures_cases")
        rows = {str(r[0]): (str(r[1]), r[2]) for r in tx.fetchall()}
    assert rows[str(s.ids["day 59"])] == ("2024-03-01", 1)  # what its handling clock says: met
    assert rows[str(s.ids["day 61"])] == ("2024-03-01", 0)  # met_late


def test_a_case_is_settled_only_once_its_90_days_have_passed(ledger: LedgerApplication) -> None:
    s = Script(ledger)
    handled(s, "c", "02-20", ("satisfied",), "03-03", "resolved")
    s.register("open", "02-01")
    for today, settled, pending in (
        (d("03-03"), 0, 1),  # the day it closed
        (d("06-01"), 0, 1),  # day 90 after the closure: a repeat today would still unsettle it
        (d("06-02"), 1, 0),
    ):
        figure = figures_on(ledger, today)["settled_rate"]
        assert (figure.numerator, figure.denominator, figure.pending) == (settled, 2, pending), today
    assert figures_on(ledger, d("03-03"))["settled_rate"].as_dict() == {
        "value": 0.0, "numerator": 0, "denominator": 2, "pending": 1,
    }  # fmt: skip


def test_a_closure_over_an_unsatisfied_petitioner_is_neither_resolved_nor_settled(
    ledger: LedgerApplication,
) -> None:
    s = Script(ledger)
    handled(s, "unsatisfied", "02-10", ("unsatisfied",), "02-12", "resolved")
    # unsatisfied at first, satisfied at the latest return visit: the latest one counts
    s.register("won over", "01-01")
    s.do("won over", "accept", "01-01")
    s.do("won over", "assign", "01-02", unit_code="A", leader_id="LA", officer_id=None)
    s.answer("won over", "02-10")
    s.visit("won over", "02-10", "unsatisfied")
    s.do("won over", "mediation", "02-13", outcome="agreement")
    s.visit("won over", "02-14", "satisfied")
    s.close("won over", "02-14", "mediated")
    figures = figures_on(ledger, d("12-31"))
    assert (figures["resolution_rate"].numerator, figures["resolution_rate"].denominator) == (1, 2)
    assert (figures["settled_rate"].numerator, figures["settled_rate"].pending) == (1, 0)
    assert (figures["satisfaction_rate"].numerator, figures["satisfaction_rate"].denominator) == (1, 3)
