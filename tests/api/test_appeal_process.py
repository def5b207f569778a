"""Issue 18 over HTTP, on both stores: each finding of the appeal-chain review, as it was tried.

R3: archiving cut off a 复查 right; one unit decided both levels, a township its own answer;
decision clocks ran from the request date. R4: 复查 on a suggestion's reply; no hearing during
handling. R10: a new petition of the same person on a terminated matter was accepted, unlinked.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from tests.api.helpers import (
    ALL_DOSSIER,
    CST,
    OUTSIDE_DECISION,
    DrivenCase,
    World,
    assert_problem,
    drive,
    iso,
    sha,
    world_fixture,  # noqa: F401 - the `world` fixture
)
from tests.factories import id_number, steady_morning


def _on(c: DrivenCase, days: int) -> date:
    return c.at.astimezone(CST).date() + timedelta(days=days)


def _at(c: DrivenCase, days: int) -> str:
    return iso(c.at + timedelta(days=days))


def _recent(world: World, stage: str, days_ago: int, **registration: Any) -> DrivenCase:
    return drive(
        world, stage, start=steady_morning(datetime.now(CST) - timedelta(days=days_ago)), **registration
    )


def _rule(body: dict[str, Any]) -> str:
    return str(body.get("rule") or body.get("context", {}).get("rule"))


# ---- R3: archiving does not cut off the appeal ------------------------------------------------


def test_archiving_four_days_after_the_answer_is_refused_and_review_on_day_20_is_accepted(
    world: World,
) -> None:
    c = _recent(world, "closed", days_ago=25)
    refused = world.command(
        "registrar", c.case_id, "archive", {"dossier": ALL_DOSSIER, "occurred_at": _at(c, 4)}
    )
    body = assert_problem(refused, 409, "transition_not_allowed")
    assert _rule(body) == "archive_after_appeal_rights", body
    assert world.case(c.case_id)["status"] == "closed"
    day_20 = _on(c, 20).isoformat()
    world.ok("registrar", c.case_id, "review-request", {"requested_on": day_20, "occurred_at": _at(c, 20)})
    assert world.case(c.case_id)["status"] == "under_review"


def test_a_case_is_archived_once_its_windows_have_closed(world: World) -> None:
    c = drive(world, "closed")  # answered 300 days ago
    world.ok("registrar", c.case_id, "archive", {"dossier": ALL_DOSSIER})
    assert world.case(c.case_id)["status"] == "archived"


# ---- R3: the level above decides ------------------------------------------------------------


def test_the_township_that_answered_cannot_decide_its_own_review(world: World) -> None:
    world.add_user("supervisor_a", "supervisor", world.town_a)
    c = drive(world, "under_review")
    decision = {"decision": "upheld", "delivered_on": _on(c, 1).isoformat(), "occurred_at": _at(c, 1)}
    body = assert_problem(
        world.command("supervisor_a", c.case_id, "review-decision", decision), 422, "rule_violated"
    )
    assert _rule(body) == "review_decided_by_level_above", body
    world.ok("supervisor", c.case_id, "review-decision", decision)  # the county, one level up
    timeline = world.timeline(c.case_id)["items"]
    requested = next(e for e in timeline if e["type"] == "ReviewRequested")
    assert (requested["fields"]["deciding_unit"], requested["fields"]["referred_upward"]) == (
        world.county,
        False,
    )
    assert timeline[-1]["fields"]["reviewing_unit"] == world.county


def test_the_county_that_decided_the_review_cannot_decide_the_re_review(world: World) -> None:
    c = drive(world, "under_re_review")
    decision = {"decision": "upheld", "delivered_on": _on(c, 1).isoformat(), "occurred_at": _at(c, 1)}
    body = assert_problem(
        world.command("supervisor", c.case_id, "re-review-decision", decision), 422, "rule_violated"
    )
    assert _rule(body) == "re_review_decided_by_level_above", body
    requested = world.timeline(c.case_id)["items"][-1]
    assert requested["type"] == "ReReviewRequested"
    assert (requested["fields"]["deciding_unit"], requested["fields"]["referred_upward"]) == (None, True)
    # The level above the county is outside the tree: its decision is entered with its document.
    world.ok("supervisor", c.case_id, "re-review-decision", {**decision, "decided_outside": OUTSIDE_DECISION})
    decided = [e for e in world.timeline(c.case_id)["items"] if e["type"] == "ReReviewDecided"][-1]
    assert decided["fields"]["reviewing_unit"] == OUTSIDE_DECISION["authority"]
    assert decided["fields"]["decided_outside"] is True
    assert decided["fields"]["document_sha256"] == OUTSIDE_DECISION["document_sha256"]
    assert world.case(c.case_id)["status"] == "terminated"


def test_an_outside_decision_is_not_entered_below_the_top_unit(world: World) -> None:
    world.add_user("supervisor_a", "supervisor", world.town_a)
    c = drive(world, "under_re_review")
    decision = {
        "decision": "upheld", "delivered_on": _on(c, 1).isoformat(), "occurred_at": _at(c, 1),
        "decided_outside": OUTSIDE_DECISION,
    }  # fmt: skip
    body = assert_problem(
        world.command("supervisor_a", c.case_id, "re-review-decision", decision), 422, "rule_violated"
    )
    assert _rule(body) == "outside_decision_entered_at_top_of_tree", body


def test_the_review_decision_clock_runs_from_the_day_the_request_was_received(world: World) -> None:
    c = drive(world, "closed")
    requested, received = _on(c, 10), _on(c, 17)
    body = {
        "requested_on": requested.isoformat(),
        "received_on": received.isoformat(),
        "occurred_at": _at(c, 17),
    }
    world.ok("registrar", c.case_id, "review-request", body)
    clock = next(k for k in world.case(c.case_id)["clocks"] if k["name"] == "review_decision")
    assert clock["started_on"] == received.isoformat()
    assert clock["due_on"] == (received + timedelta(days=30)).isoformat()
    fields = world.timeline(c.case_id)["items"][-1]["fields"]
    assert (fields["requested_on"], fields["received_on"]) == (requested.isoformat(), received.isoformat())


def test_a_request_without_a_receipt_date_is_received_the_day_it_was_made(world: World) -> None:
    c = drive(world, "under_review")
    assert world.timeline(c.case_id)["items"][-1]["fields"]["received_on"] == c.day


# ---- R4: which matters get which process ----------------------------------------------------


def test_a_review_request_on_a_suggestions_reply_is_refused(world: World) -> None:
    c = drive(world, "visited", kind="suggestion")
    body = {"requested_on": _on(c, 5).isoformat(), "occurred_at": _at(c, 5)}
    problem = assert_problem(
        world.command("registrar", c.case_id, "review-request", body), 409, "transition_not_allowed"
    )
    assert _rule(problem) == "appeal_only_for_complaint_requests", problem


def test_a_suggestion_shows_no_handling_deadline(world: World) -> None:
    c = drive(world, "in_handling", kind="suggestion")
    case = world.case(c.case_id)
    assert [k["name"] for k in case["clocks"] if k["name"] in ("handling", "review_request_window")] == []
    complaint = drive(world, "in_handling")
    assert any(k["name"] == "handling" for k in world.case(complaint.case_id)["clocks"])


def test_a_hearing_is_held_during_handling_and_does_not_pause_the_handling_clock(world: World) -> None:
    c = drive(world, "in_handling")
    due_before = next(k for k in world.case(c.case_id)["clocks"] if k["name"] == "handling")["due_on"]
    body = {"started_on": _on(c, 3).isoformat(), "ended_on": _on(c, 4).isoformat(), "occurred_at": _at(c, 4)}
    world.ok("supervisor", c.case_id, "hearing", body)
    case = world.case(c.case_id)
    handling = next(k for k in case["clocks"] if k["name"] == "handling")
    assert (handling["due_on"], handling["paused_days"]) == (due_before, 0)
    assert world.timeline(c.case_id)["items"][-1]["type"] == "HearingHeld"


# ---- R10: repeats by identity --------------------------------------------------------------


def _person(number: str) -> list[dict[str, Any]]:
    return [{"name": "李四", "id_number": number, "phone": "13900139000", "address": "幸福路2号"}]


def test_registration_lists_earlier_cases_of_the_same_person_and_screens_a_terminated_matter(
    world: World,
) -> None:
    number = id_number()
    earlier = drive(world, "terminated", petitioners=_person(number))
    body = world.registration(petitioners=_person(number))
    response = world.client("registrar").post("/api/v1/cases", json=body)
    assert response.status_code == 201, response.text
    answer = response.json()
    assert answer["possible_repeats"] == [
        {"case_id": earlier.case_id, "status": "terminated", "registered_on": _on(earlier, 0).isoformat()}
    ]
    assert number not in response.text  # no personal data in the answer
    new = answer["case_id"]
    problem = assert_problem(world.command("registrar", new, "accept", {}), 422, "rule_violated")
    assert _rule(problem) == "terminated_identity_needs_different_matter_reason", problem
    reason = "另一事项：拖欠工资，与已终结的宅基地纠纷无关"
    world.ok("registrar", new, "accept", {"different_matter_reason": reason})
    accepted = world.timeline(new)["items"][-1]
    assert (accepted["type"], accepted["fields"]["different_matter_reason"]) == ("Accepted", reason)


def test_an_open_earlier_case_is_listed_and_does_not_block_acceptance(world: World) -> None:
    number = id_number()
    earlier = world.register(petitioners=_person(number))
    response = world.client("registrar").post(
        "/api/v1/cases", json=world.registration(petitioners=_person(number))
    )
    assert response.status_code == 201, response.text
    repeats = response.json()["possible_repeats"]
    assert [(r["case_id"], r["status"]) for r in repeats] == [(earlier, "registered")]
    world.ok("registrar", response.json()["case_id"], "accept", {})


def test_a_person_with_no_earlier_case_has_no_possible_repeats(world: World) -> None:
    response = world.client("registrar").post("/api/v1/cases", json=world.registration())
    assert response.status_code == 201, response.text
    assert response.json()["possible_repeats"] == []


def test_possible_repeats_list_only_cases_the_registrar_may_read(world: World) -> None:
    world.add_user("registrar_b", "registrar", world.town_b)
    number = id_number()
    drive(world, "terminated", petitioners=_person(number))  # received by the county
    body = world.registration(petitioners=_person(number), received_unit=world.town_b)
    response = world.client("registrar_b").post("/api/v1/cases", json=body)
    assert response.status_code == 201, response.text
    assert response.json()["possible_repeats"] == []
    # The matter is final for every office, though no case is named to this registrar.
    problem = assert_problem(
        world.command("registrar_b", response.json()["case_id"], "accept", {}), 422, "rule_violated"
    )
    assert _rule(problem) == "terminated_identity_needs_different_matter_reason", problem


def test_a_document_hash_of_the_outside_decision_is_required(world: World) -> None:
    c = drive(world, "under_re_review")
    decision = {
        "decision": "upheld", "delivered_on": _on(c, 1).isoformat(), "occurred_at": _at(c, 1),
        "decided_outside": {"authority": "市信访局"},
    }  # fmt: skip
    assert_problem(
        world.command("supervisor", c.case_id, "re-review-decision", decision), 422, "validation_failed"
    )
    decision["decided_outside"] = {"authority": "市信访局", "document_sha256": sha("decision")}
    world.ok("supervisor", c.case_id, "re-review-decision", decision)
