"""A case rebuilt from its own events: as of a time, as known at a time, and step by step."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from domain.case import Case
from domain.replay import Corrects, as_of, known_at, steps
from domain.vocabulary import AnswerOutcome, Status
from tests.replay.stories import Story, assigned, noon


def answered_late() -> Story:
    """Answered on 20 March, but the answer was only entered on 25 March, after a note of 21 March."""
    story = assigned()
    story.on(date(2026, 3, 21), "add_note", text="n")
    story.on(date(2026, 3, 20), "answer", entered=date(2026, 3, 25),
             outcome=AnswerOutcome.EXPLAIN, delivered_on=date(2026, 3, 20))  # fmt: skip
    return story


def test_as_of_counts_a_late_entry_from_when_it_happened() -> None:
    story = answered_late()
    snap = as_of(story.events, noon(date(2026, 3, 22)))
    assert snap is not None
    assert (snap.case.status, snap.case.version) == (Status.ANSWERED, 5)
    handling = next(c for c in snap.clocks if c.name == "handling")
    assert (handling.state, handling.stopped_on) == ("met", date(2026, 3, 20))


def test_known_at_leaves_out_what_was_not_yet_recorded() -> None:
    story = answered_late()
    snap = known_at(story.logged, noon(date(2026, 3, 22)))
    assert snap is not None
    assert (snap.case.status, snap.case.version, snap.case.note_count) == (Status.IN_HANDLING, 4, 1)
    handling = next(c for c in snap.clocks if c.name == "handling")
    # accepted 2 March: due 1 May; on 22 March 40 days remain
    assert (handling.state, handling.due_on, handling.days_remaining) == ("running", date(2026, 5, 1), 40)
    later = known_at(story.logged, noon(date(2026, 3, 26)))
    assert later is not None and later.case.status is Status.ANSWERED


def test_as_of_before_the_answer_happened_shows_it_in_handling_even_though_entered_later() -> None:
    story = answered_late()
    snap = as_of(story.events, datetime(2026, 3, 20, 11, 59, tzinfo=noon(date(2026, 3, 20)).tzinfo))
    assert snap is not None and snap.case.status is Status.IN_HANDLING and snap.case.version == 3


def test_before_registration_there_is_no_case_on_either_timeline() -> None:
    story = assigned()
    assert as_of(story.events, noon(date(2026, 2, 28))) is None
    assert known_at(story.logged, noon(date(2026, 3, 1))) is None  # recorded at 13:00
    assert known_at(story.logged, datetime(2026, 3, 1, 13, tzinfo=noon(date(2026, 3, 1)).tzinfo)) is not None


def corrected() -> Story:
    """On 1 April: category corrected land → housing; the acceptance moved from 2 March to 1 March 15:00."""
    story = assigned()
    story.on(date(2026, 4, 1), "correct", target_version=1, target_type="Registered",
             field="category", old_value="land", new_value="housing")  # fmt: skip
    story.on(date(2026, 4, 1), "correct", target_version=2, target_type="Accepted",
             field="occurred_at", old_value="x", new_value="2026-03-01T15:00:00+08:00")  # fmt: skip
    return story


def test_as_of_applies_every_correction_on_the_ledger_even_to_times_before_it_was_recorded() -> None:
    story = corrected()
    at = noon(date(2026, 3, 1))
    before = as_of(story.events, at.replace(hour=14))
    assert before is not None
    # the acceptance now happened at 15:00 on 1 March: at 14:00 the case was still being screened
    assert (before.case.status, before.case.category) == (Status.REGISTERED, "housing")
    [screening] = before.clocks
    assert (screening.name, screening.state, screening.due_on) == ("screening", "running", date(2026, 3, 16))
    after = as_of(story.events, at.replace(hour=16))
    assert after is not None and after.case.status is Status.ACCEPTED
    assert after.case.accepted_at == at.replace(hour=15)
    handling = next(c for c in after.clocks if c.name == "handling")
    assert handling.due_on == date(2026, 4, 30)


def test_known_at_shows_corrections_only_from_when_they_were_recorded() -> None:
    story = corrected()
    before = known_at(story.logged, noon(date(2026, 3, 31)))
    assert before is not None and before.case.category == "land"
    assert before.case.accepted_at == noon(date(2026, 3, 2))
    after = known_at(story.logged, noon(date(2026, 4, 2)))
    assert after is not None and after.case.category == "housing" and after.case.version == 5
    assert after.case.corrections == {
        "1": {"category": "housing"},
        "2": {"occurred_at": "2026-03-01T15:00:00+08:00"},
    }


def render(case: Case) -> dict[str, Any]:
    return {"version": case.version, "status": case.status.value, "category": case.category,
            "unit_code": case.unit_code, "leader_id": case.leader_id}  # fmt: skip


def test_each_step_shows_the_state_what_changed_the_open_clocks_and_the_holder() -> None:
    story = corrected()
    story.on(date(2026, 4, 2), "reassign", unit_code="U3", leader_id="L2")
    replayed = list(steps(story.logged, render))
    assert [s.type for s in replayed] == [
        "Registered",
        "Accepted",
        "Assigned",
        "Corrected",
        "Corrected",
        "Reassigned",
    ]
    assert [s.version for s in replayed] == [1, 2, 3, 4, 5, 6]
    first, accepted, assigned_, category, moved, reassigned = replayed
    assert first.changes == {"status": (None, "registered"), "category": (None, "land")}
    assert [(c.name, c.due_on, c.state) for c in first.clocks] == [
        ("screening", date(2026, 3, 16), "running")
    ]
    assert accepted.changes == {"status": ("registered", "accepted")}
    assert [(c.name, c.due_on, c.article) for c in accepted.clocks] == [
        ("handling", date(2026, 5, 1), "第三十四条")
    ]
    assert assigned_.changes == {
        "status": ("accepted", "in_handling"),
        "unit_code": (None, "U2"),
        "leader_id": (None, "L1"),
    }
    assert assigned_.holder == {"unit_code": "U2", "leader_id": "L1", "officer_id": "O1"}
    assert [(c.name, c.state) for c in assigned_.clocks] == [
        ("handling", "running"),
        ("assignment_objection", "window_open"),
    ]
    assert category.changes == {"category": ("land", "housing")}
    assert category.corrects == Corrects(version=1, type="Registered", field="category")
    assert category.state["category"] == "housing"
    assert moved.changes == {"occurred_at": (noon(date(2026, 3, 2)), noon(date(2026, 3, 1)).replace(hour=15))}
    assert moved.corrects == Corrects(version=2, type="Accepted", field="occurred_at")
    # the correction moved the handling deadline: accepted 1 March, due 30 April
    assert [(c.name, c.due_on) for c in moved.clocks] == [("handling", date(2026, 4, 30))]
    assert reassigned.changes == {"unit_code": ("U2", "U3"), "leader_id": ("L1", "L2")}
    assert reassigned.holder == {"unit_code": "U3", "leader_id": "L2", "officer_id": None}
    assert reassigned.recorded_at == noon(date(2026, 4, 2)).replace(hour=13)


def test_step_clocks_are_judged_on_the_day_of_each_event() -> None:
    story = assigned()
    story.on(date(2026, 5, 10), "add_note", text="late")
    last = list(steps(story.logged, render))[-1]
    [handling] = [c for c in last.clocks if c.name == "handling"]
    assert (handling.state, handling.days_overdue) == ("overdue", 9)  # due 1 May, judged 10 May
