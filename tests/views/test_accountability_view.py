"""The accountability register on the scripted history (tests/views/scripted_history.py), both stores."""

from __future__ import annotations

from typing import Any

import pytest

from domain.application import LedgerApplication
from projections.accountability.view import AccountabilityView, register_page
from projections.engine.database import ViewDatabase
from tests.views.feed import feed
from tests.views.scripted_history import History


@pytest.fixture(params=[1, 500], ids=["event-by-event", "one-batch"])
def history(request: pytest.FixtureRequest, ledger: LedgerApplication) -> History:
    h = History(ledger).build()
    feed(ledger, AccountabilityView(ledger), batch_size=request.param)
    return h


def register(
    ledger: LedgerApplication, where: str = "1=1", params: tuple[Any, ...] = ()
) -> list[dict[str, Any]]:
    with ViewDatabase(ledger.store).transaction(write=False) as tx:
        return register_page(tx, where, params, limit=10, after=None)


def test_one_row_per_measure_newest_first_with_corrections(history: History) -> None:
    h, items = history, register(history.ledger)
    assert [(i["case_id"], i["measure"], i["basis"]) for i in items] == [
        (str(h.cases[3]), "notice_of_criticism", "late visit"),
        (str(h.cases[1]), "admonishment", "slow reply"),  # recorded as an interview, corrected
    ]
    assert items[0]["target_unit_code"] == h.town_b and items[0]["target_leader_id"] is None
    assert items[1]["target_leader_id"] == h.leader_a and items[1]["target_unit_code"] is None
    assert items[0]["occurred_at"] > items[1]["occurred_at"]


def test_rows_carry_the_target_path_and_the_scope_when_recorded(history: History) -> None:
    h = history
    with ViewDatabase(h.ledger.store).transaction(write=False) as tx:
        tx.execute("SELECT case_id, target_unit_path, unit_path, leader_id, received_path, day "
                   "FROM accountability_records")  # fmt: skip
        got = {r[0]: r[1:] for r in tx.fetchall()}
    county, a, b = f"/{h.county}/", f"/{h.county}/{h.town_a}/", f"/{h.county}/{h.town_b}/"
    # Case 1 was held by A/LA when the measure was recorded (it moved to B later in the ledger).
    assert got[str(h.cases[1])] == (None, a, h.leader_a, county, "2025-02-01")
    assert got[str(h.cases[3])] == (b, b, h.leader_b, county, "2025-02-20")


def test_keyset_pages_follow_on(history: History) -> None:
    with ViewDatabase(history.ledger.store).transaction(write=False) as tx:
        first = register_page(tx, "1=1", (), limit=1, after=None)
        second = register_page(tx, "1=1", (), limit=1, after=(first[0]["occurred_at"], first[0]["position"]))
        third = register_page(tx, "1=1", (), limit=1, after=(second[0]["occurred_at"], second[0]["position"]))
    assert [first[0]["case_id"], second[0]["case_id"]] == [str(history.cases[3]), str(history.cases[1])]
    assert third == []
