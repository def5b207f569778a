"""The application on both stores: persistence, chain, concurrency, idempotency, uniqueness."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest

from domain.application import Idempotency, LedgerApplication
from domain.context import command_context
from domain.errors import DuplicateExternalReference, IdempotencyKeyReused, VersionConflict
from domain.integrity import GENESIS_HASH
from domain.timeline import build_timeline
from domain.values import Actor, Petitioner
from domain.vocabulary import Channel, Kind, Role, Status

ADMIN = Actor("admin", "admin", None)
REGISTRAR = Actor("reg", "registrar", "county")
SUPERVISOR = Actor("sup", "supervisor", "county")
T0 = datetime(2026, 3, 1, 9, tzinfo=UTC)


def _reference(ledger: LedgerApplication) -> None:
    with command_context(actor=ADMIN):
        ledger.create_unit(code="county", name="县信访局", parent_code=None)
        ledger.create_unit(code="town", name="镇政府", parent_code="county")
        ledger.appoint_leader(leader_id="L1", name="赵建国", unit_code="town", post="镇长")
        ledger.appoint_leader(leader_id="L2", name="钱卫东", unit_code="town", post="副镇长")


def _register(ledger: LedgerApplication, **overrides: object):  # type: ignore[no-untyped-def]
    fields: dict[str, object] = {
        "channel": Channel.LETTER, "kind": Kind.COMPLAINT_REQUEST,
        "petitioners": (Petitioner("张三", "110101199001011234", "13800000000", "示范县"),),
        "headcount": 1, "subject": "征地补偿", "content": "补偿款未足额发放", "category": "land",
        "region_code": "110101", "received_unit": "county",
    }  # fmt: skip
    fields.update(overrides)
    with command_context(actor=REGISTRAR, occurred_at=T0):
        return ledger.register_case(**fields)  # type: ignore[arg-type]


def test_a_case_survives_reload_with_its_state_and_chain(ledger: LedgerApplication) -> None:
    _reference(ledger)
    result = _register(ledger)
    with command_context(actor=REGISTRAR, occurred_at=T0 + timedelta(days=1)):
        ledger.execute(result.case_id, "accept", {})
    with command_context(actor=SUPERVISOR, occurred_at=T0 + timedelta(days=2)):
        assigned = ledger.execute(result.case_id, "assign", {"unit_code": "town", "leader_id": "L1"})
    case = ledger.get_case(result.case_id)
    assert (case.status, case.version, case.leader_id) == (Status.IN_HANDLING, 3, "L1")
    assert assigned.position > result.position
    timeline = build_timeline(ledger.case_rows(result.case_id))
    assert timeline.chain_ok
    assert timeline.entries[0].prev_hash == GENESIS_HASH
    assert [e.prev_hash for e in timeline.entries[1:]] == [e.hash for e in timeline.entries[:-1]]
    assert timeline.entries[-1].hash == case.chain_head
    assert [e.type for e in timeline.entries] == ["Registered", "Accepted", "Assigned"]


def test_the_same_external_reference_registers_once(ledger: LedgerApplication) -> None:
    first = _register(ledger, external_ref="12345-ABC")
    with pytest.raises(DuplicateExternalReference):
        _register(ledger, external_ref="12345-ABC")
    assert ledger.get_case(first.case_id).version == 1


def test_an_idempotency_key_replays_the_first_result_and_writes_nothing(ledger: LedgerApplication) -> None:
    _reference(ledger)
    case_id = _register(ledger).case_id
    key = Idempotency("reg", "k-1", "hash-a")
    with command_context(actor=REGISTRAR, occurred_at=T0 + timedelta(days=1)):
        first = ledger.execute(case_id, "accept", {}, idempotency=key)
        again = ledger.execute(case_id, "accept", {}, idempotency=key)
        with pytest.raises(IdempotencyKeyReused):
            ledger.execute(case_id, "accept", {}, idempotency=Idempotency("reg", "k-1", "hash-b"))
    assert (again.case_id, again.version, again.position) == (first.case_id, first.version, first.position)
    assert again.replayed and not first.replayed
    assert ledger.get_case(case_id).version == 2


def test_a_stale_expected_version_is_a_conflict_naming_the_current_version(ledger: LedgerApplication) -> None:
    case_id = _register(ledger).case_id
    with command_context(actor=REGISTRAR, occurred_at=T0 + timedelta(days=1)):
        ledger.execute(case_id, "notes", {"text": "first"})
        with pytest.raises(VersionConflict) as raised:
            ledger.execute(case_id, "notes", {"text": "second"}, expected_version=1)
    assert raised.value.current_version == 2
    assert ledger.get_case(case_id).version == 2


def test_concurrent_commands_on_one_case_all_land_exactly_once(ledger: LedgerApplication) -> None:
    case_id = _register(ledger).case_id
    errors: list[BaseException] = []

    def add_notes(worker: int) -> None:
        try:
            for n in range(5):
                with command_context(actor=REGISTRAR, occurred_at=T0 + timedelta(hours=1)):
                    ledger.execute(case_id, "notes", {"text": f"worker {worker} note {n}"})
        except BaseException as error:  # collected and asserted below
            errors.append(error)

    threads = [threading.Thread(target=add_notes, args=(w,)) for w in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    case = ledger.get_case(case_id)
    assert case.version == 21 and case.note_count == 20
    assert build_timeline(ledger.case_rows(case_id)).chain_ok


def test_tokens_resolve_to_active_users_only(ledger: LedgerApplication) -> None:
    _reference(ledger)
    with command_context(actor=ADMIN, now=T0):
        token = ledger.create_user(user_id="u1", name="周敏", role=Role.REGISTRAR, unit_code="county")
        expiring = ledger.add_token("u1", expires_at=T0 + timedelta(days=1))
        user = ledger.user_for_token(token)
        assert user is not None and user.role is Role.REGISTRAR
        assert ledger.user_for_token("not-a-token") is None
        assert ledger.user_for_token(expiring) is not None
    with command_context(actor=ADMIN, now=T0 + timedelta(days=2)):
        assert ledger.user_for_token(expiring) is None
        ledger.revoke_token("u1", token)
        assert ledger.user_for_token(token) is None


def test_a_correction_changes_the_state_but_not_the_original_event(ledger: LedgerApplication) -> None:
    case_id = _register(ledger).case_id
    with command_context(actor=REGISTRAR, occurred_at=T0 + timedelta(days=1), reason="登记类别有误"):
        ledger.execute(
            case_id, "corrections", {"target_version": 1, "field": "category", "new_value": "housing"}
        )
    assert ledger.get_case(case_id).category == "housing"
    entries = build_timeline(ledger.case_rows(case_id)).entries
    assert entries[0].fields["category"] == "land"
    assert entries[0].corrected_by == [2]
    assert entries[1].fields["old_value"] == "land" and entries[1].fields["new_value"] == "housing"


def test_late_entries_are_flagged(ledger: LedgerApplication) -> None:
    case_id = _register(ledger).case_id  # occurred 2026-03-01, recorded now
    with command_context(actor=REGISTRAR):
        ledger.execute(case_id, "notes", {"text": "entered when it happened"})
    entries = build_timeline(ledger.case_rows(case_id)).entries
    assert [e.late_entry for e in entries] == [True, False]


def test_rebuilding_all_reference_aggregates_in_one_scan_equals_loading_each(
    ledger: LedgerApplication,
) -> None:
    from domain.reference import LEADER_EVENTS, UNIT_EVENTS, USER_EVENTS

    _reference(ledger)
    with command_context(actor=ADMIN):
        ledger.create_user(user_id="u1", name="周敏", role=Role.REGISTRAR, unit_code="county")
        leader = ledger.get_leader("L2")
        leader.move(unit_code="county", post="副局长")
        unit = ledger.get_unit("town")
        unit.rename(name="东城镇")
        ledger.save(leader, unit)
    leaders = ledger.rebuild_all(LEADER_EVENTS)
    assert [(x.leader_id, x.unit_code, x.post) for x in leaders] == [
        ("L1", "town", "镇长"),
        ("L2", "county", "副局长"),
    ]
    assert leaders == [ledger.get_leader("L1"), ledger.get_leader("L2")]
    assert [u.name for u in ledger.rebuild_all(UNIT_EVENTS)] == ["县信访局", "东城镇"]
    assert ledger.rebuild_all(USER_EVENTS) == [ledger.get_user("u1")]
