"""A jurisdiction adopts clock policy versions (DOMAIN.md R8); a case takes the one in force on
the day its matter arose. On SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

import pytest

from domain.application import LedgerApplication
from domain.case_events import Accepted, Registered
from domain.clocks import due_dates
from domain.context import command_context
from domain.errors import InvalidInput
from domain.policy import CHINA_TZ
from domain.policy_adoptions import ADOPTIONS_ID
from domain.store import parse_database_url
from domain.values import Actor
from domain.verify import verify_stored
from tests.factories import petition_fields

ADMIN = Actor("admin-1", "admin", None)
TOOL = Actor("import-tool", "admin", None)  # registers without a registrar's unit checks
REGISTRAR = Actor("reg-1", "registrar", "county")


def at(day: date, hour: int = 12, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=CHINA_TZ)


def adopt(ledger: LedgerApplication, version: str, effective_from: date) -> int:
    with command_context(actor=ADMIN, reason="县信访联席会议通知"):
        return ledger.adopt_policy(policy_version=version, effective_from=effective_from)


def register(ledger: LedgerApplication, arose: datetime) -> UUID:
    with command_context(actor=TOOL, occurred_at=arose):
        return ledger.register_case(**petition_fields()).case_id


def version_of(ledger: LedgerApplication, case_id: UUID) -> str:
    return ledger.get_case(case_id).policy_version


def test_with_no_adoption_every_case_takes_the_configured_default(ledger: LedgerApplication) -> None:
    case_id = register(ledger, at(date(2025, 10, 1)))
    assert version_of(ledger, case_id) == "2022-calendar"
    assert ledger.policy_adoptions() == ()
    assert not ledger.exists(ADOPTIONS_ID)  # reading the policy writes nothing


def test_a_case_arising_before_the_effective_date_keeps_the_older_version(ledger: LedgerApplication) -> None:
    adopt(ledger, "2022-calendar-2", date(2025, 6, 1))
    # The day is China's: 23:30 on 31 May in Beijing is before; 00:10 on 1 June (still
    # 31 May in UTC) is on the effective date.
    before = register(ledger, at(date(2025, 5, 31), 23, 30))
    on = register(ledger, at(date(2025, 6, 1), 0, 10))
    after = register(ledger, at(date(2025, 9, 3)))
    assert [version_of(ledger, c) for c in (before, on, after)] == [
        "2022-calendar",
        "2022-calendar-2",
        "2022-calendar-2",
    ]


def test_the_latest_adoption_in_force_on_the_day_wins(ledger: LedgerApplication) -> None:
    adopt(ledger, "2022-calendar-2", date(2025, 6, 1))
    adopt(ledger, "2022-working", date(2026, 1, 1))
    assert ledger.policy_version_on(date(2025, 5, 31)) == "2022-calendar"
    assert ledger.policy_version_on(date(2025, 12, 31)) == "2022-calendar-2"
    assert ledger.policy_version_on(date(2026, 1, 1)) == "2022-working"
    # Recorded later but effective earlier: it governs only its own span.
    adopt(ledger, "2022-calendar-fast-track", date(2025, 9, 1))
    assert ledger.policy_version_on(date(2025, 8, 31)) == "2022-calendar-2"
    assert ledger.policy_version_on(date(2025, 9, 1)) == "2022-calendar-fast-track"
    assert ledger.policy_version_on(date(2026, 3, 1)) == "2022-working"
    # A second adoption for the same day replaces the first.
    adopt(ledger, "2022-calendar", date(2026, 1, 1))
    assert ledger.policy_version_on(date(2026, 3, 1)) == "2022-calendar"
    assert [(a.policy_version, a.effective_from, a.adopted_by) for a in ledger.policy_adoptions()] == [
        ("2022-calendar-2", date(2025, 6, 1), "admin-1"),
        ("2022-working", date(2026, 1, 1), "admin-1"),
        ("2022-calendar-fast-track", date(2025, 9, 1), "admin-1"),
        ("2022-calendar", date(2026, 1, 1), "admin-1"),
    ]


def test_an_adoption_does_not_move_an_old_cases_due_dates(ledger: LedgerApplication) -> None:
    # Accepted Tue 2 Sep 2025: 60 days end Sat 1 Nov 2025, which 2022-calendar-2 would move to
    # Mon 3 Nov. The case was registered under the default, so its deadline stays 1 Nov.
    case_id = register(ledger, at(date(2025, 9, 1)))
    with command_context(actor=REGISTRAR, occurred_at=at(date(2025, 9, 2))):
        ledger.execute(case_id, "accept", {})
    before = due_dates(ledger.case_events(case_id))
    assert before["handling"] == date(2025, 11, 1)
    adopt(ledger, "2022-calendar-2", date(2025, 1, 1))  # effective well before the case arose
    events = ledger.case_events(case_id)
    assert due_dates(events) == before
    assert [e.policy_version for e in events if isinstance(e, Registered | Accepted)] == [
        "2022-calendar",
        "2022-calendar",
    ]
    # The same matter registered now takes the adopted version, and its deadline moves.
    later = register(ledger, at(date(2025, 9, 1)))
    with command_context(actor=REGISTRAR, occurred_at=at(date(2025, 9, 2))):
        ledger.execute(later, "accept", {})
    assert version_of(ledger, later) == "2022-calendar-2"
    assert due_dates(ledger.case_events(later))["handling"] == date(2025, 11, 3)


def test_the_acceptance_carries_the_cases_own_version(ledger: LedgerApplication) -> None:
    adopt(ledger, "2022-calendar-2", date(2025, 6, 1))
    case_id = register(ledger, at(date(2025, 9, 3)))
    adopt(ledger, "2022-working", date(2025, 1, 1))  # a later adoption, in force for that day too
    with command_context(actor=REGISTRAR, occurred_at=at(date(2025, 9, 4))):
        ledger.execute(case_id, "accept", {})
    [accepted] = [e for e in ledger.case_events(case_id) if isinstance(e, Accepted)]
    assert accepted.policy_version == "2022-calendar-2"


def test_an_unknown_version_is_refused_and_nothing_is_written(ledger: LedgerApplication) -> None:
    head = ledger.ledger_head()
    with pytest.raises(InvalidInput) as refused:
        adopt(ledger, "2031-lunar", date(2025, 6, 1))
    assert refused.value.context["field"] == "policy_version"
    assert "2022-calendar-2" in refused.value.context["known"]
    assert ledger.ledger_head() == head


def test_a_registration_cannot_choose_its_version(ledger: LedgerApplication) -> None:
    with command_context(actor=TOOL, occurred_at=at(date(2025, 9, 3))), pytest.raises(TypeError):
        ledger.register_case(**petition_fields(), policy_version="2022-working")


def test_an_adoption_made_by_another_process_counts_at_once(
    store_url: str, ledger: LedgerApplication
) -> None:
    adopt(ledger, "2022-calendar-2", date(2025, 6, 1))
    # This process now holds the adoptions in its aggregate cache.
    assert version_of(ledger, register(ledger, at(date(2025, 9, 3)))) == "2022-calendar-2"
    other = LedgerApplication(parse_database_url(store_url))
    try:
        adopt(other, "2022-working", date(2025, 8, 1))
    finally:
        other.close()
    assert version_of(ledger, register(ledger, at(date(2025, 9, 3)))) == "2022-working"


def test_adoptions_are_chained_and_verify_like_every_other_event(ledger: LedgerApplication) -> None:
    adopt(ledger, "2022-calendar-2", date(2025, 6, 1))
    adopt(ledger, "2022-working", date(2026, 1, 1))
    report = verify_stored(ledger.recorder, {})
    assert report.ok, report.as_dict()
    assert report.events_checked == 3  # opened, and two adoptions
