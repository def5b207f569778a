"""The satisfaction view on a scripted history (tests/views/scripted_history.py), both stores."""

from __future__ import annotations

from typing import Any

import pytest

from domain.application import LedgerApplication
from projections.engine.database import ViewDatabase
from projections.satisfaction import rates
from projections.satisfaction.view import SatisfactionView
from tests.views.feed import feed
from tests.views.scripted_history import History


@pytest.fixture(params=[1, 500], ids=["event-by-event", "one-batch"])
def history(request: pytest.FixtureRequest, ledger: LedgerApplication) -> History:
    """The history, fed to the view one event per batch (context read back from its table) or at once."""
    h = History(ledger).build()
    feed(ledger, SatisfactionView(ledger), batch_size=request.param)
    return h


def rows(ledger: LedgerApplication) -> dict[tuple[str, str], tuple[Any, ...]]:
    with ViewDatabase(ledger.store).transaction(write=False) as tx:
        tx.execute(
            "SELECT case_id, month, satisfaction, signed, method, leader_id, unit_code, unit_path, "
            "category, received_path, kind FROM satisfaction_records"
        )
        return {(r[0], r[1]): r[2:] for r in tx.fetchall()}


def grouped(ledger: LedgerApplication, group_by: str) -> dict[str, dict[str, Any]]:
    with ViewDatabase(ledger.store).transaction(write=False) as tx:
        counts = rates.group_counts(tx, group_by, "1=1", ())
        keys = set(counts) | rates.held_keys(tx, group_by, "1=1", ())
    return {k: counts.get(k, rates.Counts()).rate() for k in keys}


def rate(numerator: int, denominator: int) -> dict[str, Any]:
    return {"value": numerator / denominator if denominator else None, "numerator": numerator,
            "denominator": denominator}  # fmt: skip


def test_each_visit_keeps_the_leader_and_unit_holding_the_case_then(history: History) -> None:
    h, c = history, history.cases
    a, b = f"/{h.county}/{h.town_a}/", f"/{h.county}/{h.town_b}/"
    got = rows(h.ledger)
    assert set(got) == {(str(c[1]), "2025-01"), (str(c[1]), "2025-03"), (str(c[2]), "2025-02"),
                        (str(c[3]), "2025-02")}  # fmt: skip
    # The reassignment between case 1's visits moves only the later visit to B.
    assert got[str(c[1]), "2025-01"][3:6] == (h.leader_a, h.town_a, a)
    assert got[str(c[1]), "2025-03"][3:6] == (h.leader_b, h.town_b, b)
    assert got[str(c[1]), "2025-01"][0] == "satisfied"
    assert bool(got[str(c[1]), "2025-01"][1]) is True and got[str(c[1]), "2025-01"][2] == "phone"
    assert got[str(c[1]), "2025-03"][0] == "unsatisfied"
    assert got[str(c[1]), "2025-01"][7:] == (f"/{h.county}/", "complaint_request")


def test_corrections_of_the_visit_and_of_the_category_show_in_the_rows(history: History) -> None:
    c, got = history.cases, rows(history.ledger)
    assert got[str(c[2]), "2025-02"][0] == "basically_satisfied"  # recorded unsatisfied, corrected
    assert got[str(c[3]), "2025-02"][6] == "wages"  # registered labour, corrected after the visit
    assert got[str(c[2]), "2025-02"][6] == "labour"


def test_rates_by_leader_and_unit(history: History) -> None:
    h = history
    # LA: case 1 satisfied + case 2 basically satisfied; LB: case 3 satisfied + case 1 unsatisfied.
    assert grouped(h.ledger, "leader") == {h.leader_a: rate(2, 2), h.leader_b: rate(1, 2)}
    assert grouped(h.ledger, "unit") == {h.town_a: rate(2, 2), h.town_b: rate(1, 2)}


def test_rates_by_category_show_a_category_without_visits_as_null(history: History) -> None:
    assert grouped(history.ledger, "category") == {
        "land": rate(1, 2), "labour": rate(1, 1), "wages": rate(1, 1), "traffic": rate(0, 0),
    }  # fmt: skip
    assert grouped(history.ledger, "category")["traffic"]["value"] is None


def test_rates_by_month_in_china_time(history: History) -> None:
    assert grouped(history.ledger, "month") == {
        "2025-01": rate(1, 1), "2025-02": rate(2, 2), "2025-03": rate(0, 1),
    }  # fmt: skip


def test_total_and_an_empty_period(history: History) -> None:
    with ViewDatabase(history.ledger.store).transaction(write=False) as tx:
        everything = rates.total(tx, "1=1", ())
        nothing = rates.total(tx, "day >= ?", ("2030-01-01",))
    assert everything == rates.Counts(visits=4, satisfied=2, basically_satisfied=1, unsatisfied=1)
    assert everything.rate() == rate(3, 4)
    assert nothing.rate() == {"value": None, "numerator": 0, "denominator": 0}


def test_months_between_fills_every_month() -> None:
    assert rates.months_between("2024-11", "2025-02") == ["2024-11", "2024-12", "2025-01", "2025-02"]
    assert rates.months_between("2025-03", "2025-01") == []


def test_a_corrected_visit_time_moves_it_by_the_china_day() -> None:
    from projections.satisfaction.view import _visit_values

    assert _visit_values("occurred_at", "2025-03-31T20:00:00+00:00") == (
        "2025-03-31T20:00:00.000000+00:00", "2025-04-01", "2025-04",
    )  # fmt: skip
    assert _visit_values("signed", False) == (False,)
    assert _visit_values("satisfaction", "unsatisfied") == ("unsatisfied",)
