"""The case status view on both stores: one row per case, history rows, set-based batches."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from domain.application import LedgerApplication
from domain.context import command_context
from domain.policy import local_date
from domain.vocabulary import ClosureType, Kind, Status
from projections.case_status.history import OCCURRED, RECORDED
from projections.case_status.queries import At
from projections.case_status.view import CaseStatusView
from projections.engine.database import ViewDatabase
from tests.factories import actor, assigned_case, closed_case, perform, registered_case, rid
from tests.views.feed import feed
from tests.views.helpers import row


def test_a_case_in_handling_has_its_holder_and_the_handling_deadline(ledger: LedgerApplication) -> None:
    case = assigned_case()
    ledger.save(case)
    feed(ledger, CaseStatusView(ledger))
    r = row(ledger, case.id)
    assert r is not None
    assert case.accepted_at is not None
    assert (r["status"], r["leader_id"], r["unit_code"]) == ("in_handling", case.leader_id, case.unit_code)
    # 60 calendar days from the acceptance day, the first day not counted (art. 34).
    assert r["handling_due"] == local_date(case.accepted_at) + timedelta(days=60)
    assert (r["next_due"], r["next_clock"], r["next_article"]) == (
        r["handling_due"],
        "handling",
        "第三十四条",
    )
    assert r["screening_due"] is None  # met by the acceptance
    assert r["late_entry"] is True  # factories register 400 days back, recorded now
    assert r["version"] == 3 and r["unit_path"] == f"/{case.unit_code}/"


def test_a_closed_case_has_no_running_deadline_and_its_handling_days(ledger: LedgerApplication) -> None:
    case = closed_case(ClosureType.ANSWERED_ONLY)
    ledger.save(case)
    feed(ledger, CaseStatusView(ledger))
    r = row(ledger, case.id)
    assert r is not None
    assert (r["status"], r["closure_type"], r["satisfaction"], r["satisfied"]) == (
        "closed", "answered_only", "satisfied", True,
    )  # fmt: skip
    assert r["next_due"] is None and r["handling_due"] is None
    assert r["handling_days"] == 0  # accepted and answered on the same day


def test_rows_hold_neither_petitioners_nor_content(ledger: LedgerApplication) -> None:
    case = registered_case(kind=Kind.ACCUSATION, accused_unit=rid("unit-"))
    ledger.save(case)
    feed(ledger, CaseStatusView(ledger))
    r = row(ledger, case.id)
    assert r is not None
    assert "content" not in r and "petitioners" not in r
    assert case.content not in repr(r) and case.petitioners[0].name not in repr(r)


def test_corrected_category_backlog_and_repeat_links_show(ledger: LedgerApplication) -> None:
    view = CaseStatusView(ledger)
    earlier = assigned_case()
    ledger.save(earlier)
    feed(ledger, view)
    later = registered_case()
    perform(later, "correct", reason="typo", target_version=1, target_type="Registered",
            field="category", old_value="labour", new_value="land")  # fmt: skip
    perform(later, "designate_backlog", campaign="2024 spring", designated_by="sup-1")
    perform(later, "link_repeat", earlier_case_id=earlier.id, earlier_terminated=False)
    ledger.save(later)
    feed(ledger, view)
    r_later, r_earlier = row(ledger, later.id), row(ledger, earlier.id)
    assert r_later is not None and r_earlier is not None
    assert (r_later["category"], r_later["backlog"], r_later["campaigns"]) == ("land", True, ["2024 spring"])
    assert r_later["repeat_of"] == [str(earlier.id)] and r_later["repeated"] is False
    assert r_earlier["repeated"] is True and r_earlier["repeat_of"] == []


def test_a_reassigned_case_moves_and_history_keeps_the_earlier_holder(ledger: LedgerApplication) -> None:
    view = CaseStatusView(ledger)
    case = assigned_case()
    first_leader = case.leader_id
    ledger.save(case)
    feed(ledger, view)
    assert case.last_transition_at is not None
    moved_at = case.last_transition_at + timedelta(days=10)
    perform(case, "reassign", at=moved_at, unit_code=rid("unit-"), leader_id=rid("leader-"))
    ledger.save(case)
    feed(ledger, view)
    now, before = row(ledger, case.id), row(ledger, case.id, At(OCCURRED, moved_at - timedelta(seconds=1)))
    assert now is not None and before is not None
    assert now["leader_id"] == case.leader_id != first_leader
    assert before["leader_id"] == first_leader and before["version"] == 3
    at_move = row(ledger, case.id, At(OCCURRED, moved_at))
    assert at_move is not None and at_move["leader_id"] == case.leader_id


def test_known_at_does_not_see_a_late_entry_before_it_was_recorded(ledger: LedgerApplication) -> None:
    view = CaseStatusView(ledger)
    case = registered_case()
    ledger.save(case)
    feed(ledger, view)
    assert case.registered_at is not None
    just_after = case.registered_at + timedelta(minutes=1)
    # In the world it existed 400 days ago; the ledger has known it only since just now.
    assert row(ledger, case.id, At(OCCURRED, just_after)) is not None
    assert row(ledger, case.id, At(RECORDED, just_after)) is None
    assert row(ledger, case.id, At(RECORDED, case.registered_at + timedelta(days=1000))) is not None


def test_reference_events_are_skipped_and_batches_write_few_statements(ledger: LedgerApplication) -> None:
    ledger.create_unit(code=rid("U"), name="某县", parent_code=None)
    cases = [assigned_case() for _ in range(5)]
    for c in cases:
        ledger.save(c)
    statements: list[str] = []
    view = CaseStatusView(ledger)
    from tests.views.feed import view_events

    batch = view_events(ledger, 1, 1000)
    db = ViewDatabase(ledger.store)
    with db.transaction() as tx:
        original, original_many = tx.execute, tx.executemany

        def counting(statement: str, params: object = ()) -> object:
            statements.append(statement)
            return original(statement, params)  # type: ignore[arg-type]

        def counting_many(statement: str, rows: list[object]) -> None:
            if rows:  # an empty executemany sends nothing
                statements.append(statement)
            original_many(statement, rows)  # type: ignore[arg-type]

        original_insert = tx.insert_rows

        def counting_insert(table: str, columns: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
            if rows:
                statements.append(f"INSERT INTO {table}")  # one COPY (PostgreSQL) or executemany
            original_insert(table, columns, rows)

        tx.execute = counting  # type: ignore[method-assign,assignment]
        tx.executemany = counting_many  # type: ignore[method-assign,assignment]
        tx.insert_rows = counting_insert  # type: ignore[method-assign]
        view.apply(tx, batch)
    # Per batch, not per case: the caseload rollup's scratch tables (made if missing) and the
    # tails being replaced; their stored rows deleted and their counts staged (PostgreSQL in one
    # statement; SQLite stages, then one executemany of a delete per case and timeline); one
    # insert of the new history; its counts staged, summed into the rollup, the zero buckets
    # deleted, the scratch emptied; one upsert of the current rows. No read of the ledger (the
    # cases were registered in the batch), and no history row is read back into Python.
    # PostgreSQL also has the tails' joins probe the primary key (caseload_rollup.probe_the_key).
    # The current caseload counts (caseload_now) take the touched cases' current rows back before
    # the upsert and add them after: its scratch tables, the cases, two stagings around the
    # upsert, the sum, the zero rows deleted, the scratch emptied.
    # Last, one look-up of earlier cases of the registrations' identity numbers (first petitions,
    # issue 21), one insert of their hashes (case_identities, R10) and one update of the first
    # petitions among them.
    planned = ["SELECT"] if db.postgres else []
    removed = ["WITH"] if db.postgres else ["WITH", "DELETE"]
    staged = ["WITH", *planned, "WITH", "DELETE", "DELETE", "DELETE"]  # planned: and back
    now = ["CREATE", "CREATE", *planned, "INSERT", "INSERT", "INSERT", "INSERT", *planned, "INSERT", "DELETE"]
    now += ["DELETE", "DELETE"]
    expected = ["CREATE", "CREATE", *planned, "INSERT", *removed, "INSERT", *staged, *now, "SELECT", "INSERT", "UPDATE"]
    assert [s.split()[0] for s in statements] == expected, statements
    with command_context(actor=actor()):
        assert {r.status for r in [ledger.get_case(c.id) for c in cases]} == {Status.IN_HANDLING}
