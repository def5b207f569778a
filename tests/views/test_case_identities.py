"""The case status view's identity table (R10) on both stores: hashes only, and the terminated mark."""

from __future__ import annotations

from datetime import timedelta

from domain.application import LedgerApplication
from domain.context import utcnow
from domain.identity import id_number_hash
from domain.values import Petitioner
from projections.case_status import identities as case_identities
from projections.case_status.view import CaseStatusView
from projections.engine.database import ViewDatabase
from tests.factories import id_number, registered_case, terminated_case
from tests.views.feed import feed


def test_registrations_are_indexed_by_a_hash_of_the_id_number_and_terminations_are_marked(
    ledger: LedgerApplication,
) -> None:
    number = id_number()
    person = (Petitioner("王五", number), Petitioner("赵六"))  # the second gave no id number
    earlier = terminated_case(petitioners=person, headcount=2)
    later = registered_case(at=utcnow() - timedelta(days=10), petitioners=person, headcount=2)
    other = registered_case()
    for case in (earlier, later, other):
        ledger.save(case)
    feed(ledger, CaseStatusView(ledger))
    db = ViewDatabase(ledger.store)
    with db.transaction(write=False) as tx:
        rows = tx.execute("SELECT id_hash, case_id, terminated FROM case_identities").fetchall()
        found = case_identities.earlier_cases(tx, [id_number_hash(number)], "1=1", ())
        terminated = case_identities.any_terminated(tx, [id_number_hash(number)])
        other_terminated = case_identities.any_terminated(
            tx, [id_number_hash(other.petitioners[0].id_number or "")]
        )
    assert all(number not in str(value) for r in rows for value in r)
    mine = {(case_id, bool(flag)) for h, case_id, flag in rows if h == id_number_hash(number)}
    assert mine == {(str(earlier.id), True), (str(later.id), False)}
    assert [(c["case_id"], c["status"]) for c in found] == [
        (str(earlier.id), "terminated"),
        (str(later.id), "registered"),
    ]
    assert (terminated, other_terminated) == (True, False)
