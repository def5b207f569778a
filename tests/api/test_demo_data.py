"""The demo data looks like an office's month: it follows today's rules, so what a newcomer sees
after `./dev run` is not an artefact of the demo (every case overdue, steps refused)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from api.demo import load_demo
from domain.application import LedgerApplication
from domain.case_events import Registered
from domain.clocks import compute_clocks
from domain.context import command_context
from domain.values import SYSTEM_ACTOR
from domain.vocabulary import Status

pytestmark = pytest.mark.parametrize("store_url", ["sqlite"], indirect=True)


def test_the_demo_owes_no_written_notice_and_no_step_is_refused(
    ledger: LedgerApplication, capsys: pytest.CaptureFixture[str]
) -> None:
    load_demo(ledger, cases=40)
    assert "refused" not in capsys.readouterr().out  # the demo prints each step a rule refuses
    registered = ledger.events_of([Registered], start=1, stop=None)
    cases = [ledger.get_case(e.originator_id) for e in registered]
    screened = [c for c in cases if c.status is not Status.REGISTERED]
    assert screened, "the demo has screened cases"
    now = datetime.now(UTC)
    with command_context(actor=SYSTEM_ACTOR):
        for case in screened:
            # R5: an acceptance whose notice is still owed keeps the screening clock running
            assert not case.notice_pending, case.id
            clocks = compute_clocks(ledger.case_events(case.id), at=now)
            assert all(c.name != "screening" or c.state != "overdue" for c in clocks), case.id



def test_the_demo_shows_a_reception_day_first_petitions_and_a_campaign_with_struck_off_and_open_cases(
    ledger: LedgerApplication,
) -> None:
    from datetime import date

    from api.bootstrap import build_views
    from api.demo import CAMPAIGN_ID
    from projections.engine.runner import ViewRunner
    from projections.practices import queries as practices

    load_demo(ledger, cases=40)
    db, views = build_views(ledger)
    runner = ViewRunner(ledger, db, views)
    try:
        runner.catch_up()
    finally:
        runner.close()
    with db.transaction(write=False) as tx:
        receptions = practices.receptions(tx, "1=1", [])
        counts = practices.reception_counts(tx, [r["reception_id"] for r in receptions], "1=1", [])
        cases = practices.campaign_cases(tx, CAMPAIGN_ID, "1=1", [])
        tx.execute("SELECT COUNT(*), SUM(CASE WHEN first_petition THEN 1 ELSE 0 END) FROM case_status")
        total, first = tx.fetchone()
    assert {r["kind"] for r in receptions} == {"leader_day", "joint"}
    day = next(r for r in receptions if r["kind"] == "leader_day")
    assert counts[day["reception_id"]] == {"received": 3, "accepted": 2, "resolved": 1}
    assert 0 < first < total  # the petitioner who came again is not a first petition
    struck = [c for c in cases if c["struck_off"]]
    assert struck and len(struck) < len(cases)
    board = practices.board(cases, date(2020, 1, 1), date(2026, 1, 1))  # past its due date
    assert sum(r["past_due"] for r in board) == len(cases) - len(struck)


def test_the_demo_shows_each_practice_of_issue_21(ledger: LedgerApplication) -> None:
    """An implementation overdue, an escalated matter under the policy in force, a listed-supervision
    measure and an order to rectify, a recommendation answered and one awaited."""
    from domain import case_events as ev
    from domain.escalation import is_escalated
    from domain.policy import local_date
    from domain.recommendations import RecommendationFeedbackGiven, RecommendationIssued
    from domain.vocabulary import LocalPolicy

    load_demo(ledger, cases=10)
    now = datetime.now(UTC)
    assert ledger.local_policy_in_force(LocalPolicy.ESCALATION, local_date(now))
    registered = ledger.events_of([Registered], start=1, stop=None)
    cases = [ledger.get_case(e.originator_id) for e in registered]
    assert any(is_escalated(c) for c in cases)
    with command_context(actor=SYSTEM_ACTOR):
        states = [
            c.state for case in cases for c in compute_clocks(ledger.case_events(case.id), at=now)
            if c.name == "implementation"
        ]  # fmt: skip
    assert "overdue" in states and ("met" in states or "met_late" in states)
    measures = {e.measure.value for e in ledger.events_of([ev.AccountabilityRecorded], start=1, stop=None)}
    assert {"listed_supervision", "ordered_rectification"} <= measures
    issued = ledger.events_of([RecommendationIssued], start=1, stop=None)
    answered = ledger.events_of([RecommendationFeedbackGiven], start=1, stop=None)
    assert len(issued) > len(answered) >= 1
