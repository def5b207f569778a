"""Statutory clocks computed from real case events (expected dates worked out by hand)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest

from domain import rules
from domain.case import Case
from domain.case_events import Answered, CaseEvent
from domain.clocks import (
    Clock,
    DeadlineTracker,
    compute_clocks,
    due_dates,
    effective_events,
    open_deadlines,
    overdue_clocks,
)
from domain.context import command_context
from domain.policy import CHINA_TZ
from domain.values import Petitioner
from domain.vocabulary import (
    AnswerOutcome,
    Channel,
    ClosureType,
    ContactMethod,
    Kind,
    MediationOutcome,
    NotAcceptedReason,
    ProgressStep,
    ReviewDecision,
    Satisfaction,
    TerminationBasis,
)

NOW = datetime(2027, 12, 31, 12, tzinfo=CHINA_TZ)  # wall clock: every story is in its past


def recorded(case: Case) -> list[CaseEvent]:
    """The case's new events (eventsourcing types them loosely: narrow them here)."""
    events = case.collect_events()
    assert all(isinstance(e, CaseEvent) for e in events)
    return [e for e in events if isinstance(e, CaseEvent)]


def noon(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 12, tzinfo=CHINA_TZ)


class Story:
    """A case told command by command, each on its own (China) day."""

    def __init__(self, day: date, policy_version: str = "2022-calendar") -> None:
        with command_context(occurred_at=noon(day), now=NOW):
            self.case = Case.register(
                channel=Channel.LETTER,
                kind=Kind.COMPLAINT_REQUEST,
                petitioners=(Petitioner("张三"),),
                headcount=1,
                subject="s",
                content="c",
                category="land",
                region_code="110000",
                received_unit="U1",
                policy_version=policy_version,
            )
        self.events: list[CaseEvent] = []

    def on(self, day: date, command: str, **kwargs: Any) -> int:
        """Run a command on `day`; returns the version of the last event it recorded."""
        with command_context(occurred_at=noon(day), now=NOW, reason="因为"):
            getattr(self.case, command)(**kwargs)
        return int(self.case.version)

    def clocks(self, at: date) -> list[Clock]:
        self.events.extend(recorded(self.case))
        return compute_clocks(self.events, at=noon(at))

    def clock(self, name: str, at: date) -> Clock:
        return [c for c in self.clocks(at) if c.name == name][-1]


def accepted_case(policy_version: str = "2022-calendar") -> Story:
    story = Story(date(2026, 3, 1), policy_version)
    story.on(date(2026, 3, 2), "accept", accepting_unit="U1", notice_issued_on=date(2026, 3, 2))
    story.on(date(2026, 3, 3), "assign", unit_code="U2", leader_id="L1")
    return story


def answer(story: Story, day: date, delivered_on: date) -> int:
    return story.on(day, "answer", outcome=AnswerOutcome.EXPLAIN, delivered_on=delivered_on)


def test_a_registered_case_has_only_the_screening_clock_due_fifteen_days_later() -> None:
    clocks = Story(date(2026, 3, 1)).clocks(at=date(2026, 3, 10))
    assert clocks == [
        Clock(
            name="screening",
            article="第二十二条、第二十三条",
            started_on=date(2026, 3, 1),
            due_on=date(2026, 3, 16),
            stopped_on=None,
            state="running",
            days_remaining=6,
            ref=1,
        )
    ]


def test_acceptance_meets_screening_and_starts_sixty_days_of_handling() -> None:
    story = accepted_case()
    screening, handling = (story.clock(n, at=date(2026, 4, 1)) for n in ("screening", "handling"))
    assert (screening.stopped_on, screening.state) == (date(2026, 3, 2), "met")
    assert handling.article == "第三十四条"
    assert (handling.started_on, handling.due_on) == (date(2026, 3, 2), date(2026, 5, 1))
    assert (handling.state, handling.days_remaining) == ("running", 30)


def test_not_accepting_stops_screening_and_starts_no_handling() -> None:
    story = Story(date(2026, 3, 1))
    story.on(
        date(2026, 3, 20),
        "not_accept",
        reason_code=NotAcceptedReason.OUT_OF_REMIT,
        notice_issued_on=date(2026, 3, 20),
    )
    [screening] = story.clocks(at=date(2026, 4, 1))
    assert (screening.state, screening.stopped_on, screening.days_overdue) == (
        "met_late",
        date(2026, 3, 20),
        4,
    )


def test_an_open_screening_past_due_counts_overdue_days_to_the_china_date_of_at() -> None:
    events = recorded(Story(date(2026, 3, 1)).case)
    # 16:30 UTC on 16 March is already 00:30 on 17 March in China: one day overdue.
    [late] = compute_clocks(events, at=datetime(2026, 3, 16, 16, 30, tzinfo=UTC))
    assert (late.state, late.days_overdue, late.days_remaining) == ("overdue", 1, None)
    [on_time] = compute_clocks(events, at=datetime(2026, 3, 16, 15, 30, tzinfo=UTC))
    assert (on_time.state, on_time.days_remaining) == ("running", 0)


def test_an_extension_adds_its_days_to_the_handling_deadline() -> None:
    story = accepted_case()
    story.on(
        date(2026, 4, 20),
        "extend",
        days=30,
        approved_by="L1",
        petitioner_notified_on=date(2026, 4, 21),
    )
    handling = story.clock("handling", at=date(2026, 5, 10))
    assert (handling.due_on, handling.extension_days) == (date(2026, 5, 31), 30)
    assert (handling.state, handling.days_remaining) == ("running", 21)


def test_handling_past_due_is_overdue_by_the_days_since_the_due_date() -> None:
    story = accepted_case()
    clocks = story.clocks(at=date(2026, 5, 11))
    [overdue] = overdue_clocks(clocks)
    assert (overdue.name, overdue.due_on, overdue.days_overdue) == (
        "handling",
        date(2026, 5, 1),
        10,
    )


def test_an_answer_after_the_due_date_is_met_late_by_the_days_past_due() -> None:
    story = accepted_case()
    answer(story, date(2026, 5, 4), date(2026, 5, 4))
    handling = story.clock("handling", at=date(2026, 6, 1))
    assert (handling.state, handling.stopped_on, handling.days_overdue) == (
        "met_late",
        date(2026, 5, 4),
        3,
    )
    assert overdue_clocks(story.clocks(at=date(2026, 6, 1))) == []


def test_working_day_screening_skips_the_2026_national_day_holiday() -> None:
    # Registered Mon 28 Sep 2026. Counted working days: 29, 30 Sep; 1-7 Oct holiday;
    # 8, 9 Oct, Sat 10 Oct (make-up workday), 12-16, 19-23 Oct: the 15th is Fri 23 Oct.
    story = Story(date(2026, 9, 28), "2022-working")
    screening = story.clock("screening", at=date(2026, 10, 1))
    assert screening.due_on == date(2026, 10, 23)
    assert (screening.days_remaining, screening.provisional) == (13, False)  # 3 + 5 + 5
    calendar = Story(date(2026, 9, 28)).clock("screening", at=date(2026, 10, 1))
    assert calendar.due_on == date(2026, 10, 13)


def test_working_days_overdue_count_only_working_days() -> None:
    story = Story(date(2026, 9, 28), "2022-working")
    screening = story.clock("screening", at=date(2026, 10, 27))  # Tue; due Fri 23 Oct
    assert (screening.state, screening.days_overdue) == ("overdue", 2)


def test_the_assignment_objection_window_is_five_working_days_over_a_weekend() -> None:
    story = Story(date(2026, 3, 5))
    story.on(date(2026, 3, 5), "accept", accepting_unit="U1")
    version = story.on(date(2026, 3, 6), "assign", unit_code="U2", leader_id="L1")  # a Friday
    window = story.clock("assignment_objection", at=date(2026, 3, 13))
    assert (window.article, window.ref) == ("第二十三条", version)
    assert (window.started_on, window.due_on) == (date(2026, 3, 6), date(2026, 3, 13))
    assert (window.state, window.days_remaining) == ("window_open", 0)
    closed = story.clock("assignment_objection", at=date(2026, 3, 14))
    assert (closed.state, closed.days_remaining, closed.days_overdue) == ("window_closed", None, 0)


def test_a_reassignment_replaces_the_objection_window() -> None:
    story = Story(date(2026, 3, 5))
    story.on(date(2026, 3, 5), "accept", accepting_unit="U1")
    story.on(date(2026, 3, 6), "assign", unit_code="U2", leader_id="L1")
    version = story.on(date(2026, 3, 10), "reassign", unit_code="U3", leader_id="L2")
    windows = [c for c in story.clocks(at=date(2026, 3, 11)) if c.name == "assignment_objection"]
    assert [(w.ref, w.due_on, w.state) for w in windows] == [(version, date(2026, 3, 17), "window_open")]


def decide_review(story: Story, day: date, *, delivered_on: date) -> int:
    return story.on(
        day, "decide_review", reviewing_unit="U9", decision=ReviewDecision.UPHELD, delivered_on=delivered_on
    )


def full_review_story(*, hearing: tuple[date, date] | None) -> Story:
    story = accepted_case()
    answer(story, date(2026, 3, 20), date(2026, 3, 21))
    story.on(date(2026, 3, 25), "request_review", requested_on=date(2026, 3, 25))
    decide_review(story, date(2026, 4, 10), delivered_on=date(2026, 4, 12))
    story.on(date(2026, 4, 20), "request_re_review", requested_on=date(2026, 4, 20))
    if hearing:
        story.on(hearing[1], "hold_hearing", started_on=hearing[0], ended_on=hearing[1])
    return story


def test_the_review_chain_runs_from_delivery_and_request_dates() -> None:
    story = full_review_story(hearing=None)
    clocks = {c.name: c for c in story.clocks(at=date(2026, 5, 1))}
    window = clocks["review_request_window"]
    assert (window.started_on, window.due_on, window.stopped_on, window.state) == (
        date(2026, 3, 21),
        date(2026, 4, 20),
        date(2026, 3, 25),
        "met",
    )
    review = clocks["review_decision"]
    assert (review.article, review.due_on, review.stopped_on, review.state) == (
        "第三十五条",
        date(2026, 4, 24),
        date(2026, 4, 10),
        "met",
    )
    re_window = clocks["re_review_request_window"]
    assert (re_window.started_on, re_window.due_on, re_window.stopped_on) == (
        date(2026, 4, 12),
        date(2026, 5, 12),
        date(2026, 4, 20),
    )
    re_review = clocks["re_review_decision"]
    assert (re_review.article, re_review.due_on, re_review.days_remaining) == (
        "第三十六条",
        date(2026, 5, 20),
        19,
    )


def test_an_unused_review_window_closes_thirty_days_after_delivery() -> None:
    story = accepted_case()
    answer(story, date(2026, 3, 20), date(2026, 3, 21))
    assert story.clock("review_request_window", at=date(2026, 4, 20)).state == "window_open"
    closed = story.clock("review_request_window", at=date(2026, 4, 21))
    assert (closed.state, closed.days_overdue) == ("window_closed", 0)


def test_a_terminated_matter_leaves_no_review_window_open() -> None:
    story = accepted_case()
    story.on(date(2026, 3, 10), "record_mediation", outcome=MediationOutcome.AGREEMENT)
    answer(story, date(2026, 3, 20), date(2026, 3, 21))
    assert story.clock("review_request_window", at=date(2026, 3, 25)).state == "window_open"
    story.on(date(2026, 3, 26), "terminate", basis=TerminationBasis.MEDIATION_AGREEMENT)
    names = [c.name for c in story.clocks(at=date(2026, 3, 27))]
    assert "review_request_window" not in names
    assert "handling" in names  # the met handling clock stays on the record


def test_hearing_days_do_not_count_against_the_re_review_deadline() -> None:
    story = full_review_story(hearing=(date(2026, 4, 25), date(2026, 4, 27)))
    re_review = story.clock("re_review_decision", at=date(2026, 5, 21))
    assert (re_review.due_on, re_review.paused_days) == (date(2026, 5, 23), 3)  # 20 May + 3
    assert (re_review.state, re_review.days_remaining) == ("running", 2)
    story.on(
        date(2026, 5, 22),
        "decide_re_review",
        reviewing_unit="U10",
        decision=ReviewDecision.UPHELD,
        delivered_on=date(2026, 5, 22),
    )
    decided = story.clock("re_review_decision", at=date(2026, 6, 1))
    assert (decided.stopped_on, decided.state, decided.days_overdue) == (
        date(2026, 5, 22),
        "met",
        0,
    )


def test_a_corrected_delivery_date_moves_the_review_window() -> None:
    story = accepted_case()
    version = answer(story, date(2026, 3, 20), date(2026, 3, 21))
    story.on(
        date(2026, 3, 26),
        "correct",
        target_version=version,
        target_type="Answered",
        field="delivered_on",
        old_value="2026-03-21",
        new_value="2026-03-25",
    )
    window = story.clock("review_request_window", at=date(2026, 4, 21))
    assert (window.started_on, window.due_on, window.state) == (
        date(2026, 3, 25),
        date(2026, 4, 24),
        "window_open",
    )
    recorded = next(e for e in story.events if isinstance(e, Answered))
    assert recorded.delivered_on == date(2026, 3, 21)  # the recorded event is untouched
    effective = next(e for e in effective_events(story.events) if isinstance(e, Answered))
    assert effective.delivered_on == date(2026, 3, 25)


def test_the_latest_correction_of_a_field_wins() -> None:
    story = accepted_case()
    for new in ("2026-03-05T12:00:00+08:00", "2026-03-04T12:00:00+08:00"):
        story.on(
            date(2026, 3, 6),
            "correct",
            target_version=2,
            target_type="Accepted",
            field="occurred_at",
            old_value="2026-03-02T12:00:00+08:00",
            new_value=new,
        )
    handling = story.clock("handling", at=date(2026, 3, 10))
    assert (handling.started_on, handling.due_on) == (date(2026, 3, 4), date(2026, 5, 3))


def test_a_reopened_case_gets_a_fresh_handling_period() -> None:
    story = accepted_case()
    story.on(
        date(2026, 3, 10),
        "extend",
        days=10,
        approved_by="L1",
        petitioner_notified_on=date(2026, 3, 10),
    )
    answer(story, date(2026, 3, 20), date(2026, 3, 21))
    story.on(
        date(2026, 3, 21),
        "record_return_visit",
        satisfaction=Satisfaction.UNSATISFIED,
        signed=True,
        method=ContactMethod.PHONE,
    )
    story.on(date(2026, 3, 22), "close", closure_type=ClosureType.ANSWERED_ONLY)
    reopened = story.on(date(2026, 4, 1), "reopen")
    first, second = (c for c in story.clocks(at=date(2026, 4, 10)) if c.name == "handling")
    assert (first.due_on, first.extension_days, first.stopped_on, first.state) == (
        date(2026, 5, 11),
        10,
        date(2026, 3, 20),
        "met",
    )
    assert (second.ref, second.started_on, second.due_on, second.extension_days) == (
        reopened,
        date(2026, 4, 1),
        date(2026, 5, 31),
        0,
    )
    assert (second.state, second.days_remaining) == ("running", 51)
    names = [c.name for c in story.clocks(at=date(2026, 4, 10))]
    assert "review_request_window" not in names  # the old answer's window went with it
    assert due_dates(story.events)["handling"] == date(2026, 5, 31)


def test_supervision_letters_each_have_their_reply_by_clock() -> None:
    story = accepted_case()
    first = story.on(date(2026, 3, 5), "supervise", supervisor_id="S1", reply_by=date(2026, 3, 15), text="t")
    second = story.on(date(2026, 3, 6), "supervise", supervisor_id="S1", reply_by=date(2026, 3, 16), text="t")
    story.on(date(2026, 3, 18), "answer_supervision", supervision_version=first, reply="r")
    letters = [c for c in story.clocks(at=date(2026, 3, 20)) if c.name == "supervision_reply"]
    assert [(c.ref, c.article, c.started_on, c.due_on, c.state, c.days_overdue) for c in letters] == [
        (first, "第四十条", date(2026, 3, 5), date(2026, 3, 15), "met_late", 3),
        (second, "第四十条", date(2026, 3, 6), date(2026, 3, 16), "overdue", 4),
    ]


def test_the_fast_track_runs_from_acceptance_under_the_local_policy() -> None:
    story = accepted_case("2022-calendar-fast-track")
    story.on(date(2026, 3, 6), "record_progress", step=ProgressStep.MET_PETITIONER)
    story.on(date(2026, 3, 10), "record_progress", step=ProgressStep.FACTS_ESTABLISHED)
    clocks = {c.name: c for c in story.clocks(at=date(2026, 3, 20)) if c.name.startswith("fast")}
    got = {n: (c.article, c.due_on, c.state, c.days_overdue) for n, c in clocks.items()}
    assert got == {
        "fast_track_meet": (None, date(2026, 3, 7), "met", 0),
        "fast_track_facts": (None, date(2026, 3, 9), "met_late", 1),
        "fast_track_answer": (None, date(2026, 3, 17), "overdue", 3),
    }
    assert not any(c.name.startswith("fast") for c in accepted_case().clocks(date(2026, 3, 20)))


def test_a_working_day_deadline_in_2027_is_provisional() -> None:
    # 15 working days after Sun 20 Dec 2026: 21-25, 28-31 Dec (9); 2027 is not in the
    # official calendar, so only weekends rest: Fri 1 Jan (10), 4-8 Jan (15).
    screening = Story(date(2026, 12, 20), "2022-working").clock("screening", date(2026, 12, 21))
    assert (screening.due_on, screening.provisional) == (date(2027, 1, 8), True)
    calendar = Story(date(2026, 12, 20)).clock("screening", date(2026, 12, 21))
    assert (calendar.due_on, calendar.provisional) == (date(2027, 1, 4), False)


def test_the_objection_window_is_provisional_in_2027_even_under_calendar_days() -> None:
    story = Story(date(2027, 3, 1))
    story.on(date(2027, 3, 1), "accept", accepting_unit="U1")
    story.on(date(2027, 3, 5), "assign", unit_code="U2", leader_id="L1")  # a Friday
    clocks = {c.name: c for c in story.clocks(at=date(2027, 3, 6))}
    assert (clocks["assignment_objection"].due_on, clocks["assignment_objection"].provisional) == (
        date(2027, 3, 12),
        True,
    )
    assert clocks["handling"].provisional is False


def test_due_dates_give_the_latest_clock_of_each_name() -> None:
    story = full_review_story(hearing=(date(2026, 4, 25), date(2026, 4, 27)))
    story.clocks(at=date(2026, 5, 1))
    assert due_dates(story.events) == {
        "screening": date(2026, 3, 16),
        "handling": date(2026, 5, 1),
        "assignment_objection": date(2026, 3, 10),
        "review_request_window": date(2026, 4, 20),
        "review_decision": date(2026, 4, 24),
        "re_review_request_window": date(2026, 5, 12),
        "re_review_decision": date(2026, 5, 23),
    }
    assert due_dates([]) == {}


def correct_acceptance_to_4_march(story: Story, on: date, acceptance_version: int) -> None:
    story.on(
        on,
        "correct",
        target_version=acceptance_version,
        target_type="Accepted",
        field="occurred_at",
        old_value="2026-03-02T12:00:00+08:00",
        new_value="2026-03-04T12:00:00+08:00",
    )


def test_a_tracked_deadline_moves_with_a_correction_and_stays_moved_after_it() -> None:
    story = accepted_case()
    correct_acceptance_to_4_march(story, date(2026, 3, 6), acceptance_version=2)
    story.on(date(2026, 3, 7), "add_note", text="跟进")
    events = recorded(story.case)
    tracker = DeadlineTracker()
    handling_due = []
    for n, event in enumerate(events, start=1):
        deadlines = tracker.add(event)
        assert deadlines == open_deadlines(events[:n])
        handling_due.append(next((d.due_on for d in deadlines if d.name == "handling"), None))
    # registered, accepted, assigned: 60 days from 3 March; corrected and after: from 4 March
    assert handling_due == [None, date(2026, 5, 1), date(2026, 5, 1), date(2026, 5, 3), date(2026, 5, 3)]


def test_a_tracked_deadline_honours_a_correction_recorded_before_the_entry_it_names() -> None:
    # The service only corrects entries that exist; the clocks still read such a history as
    # open_deadlines does, whatever order the events came in.
    story = Story(date(2026, 3, 1))
    correct_acceptance_to_4_march(story, date(2026, 3, 1), acceptance_version=3)  # not there yet
    story.on(date(2026, 3, 2), "accept", accepting_unit="U1")
    events = recorded(story.case)
    tracker = DeadlineTracker()
    tracked = [tracker.add(event) for event in events]
    assert tracked == [open_deadlines(events[:n]) for n in range(1, len(events) + 1)]
    assert [d.due_on for d in tracked[-1] if d.name == "handling"] == [date(2026, 5, 3)]


# ---- 2022-calendar-2 (R8): a last day on an official rest day moves to the next working day ----


def reviewed_in_2025(policy_version: str) -> Story:
    """A 复查 decision delivered Wed 3 Sep 2025: the 30-day 复核 request window's last day is
    Fri 3 Oct 2025, inside the National Day holiday (1-8 Oct 2025; Thu 9 Oct is worked)."""
    story = Story(date(2025, 7, 1), policy_version)
    story.on(date(2025, 7, 2), "accept", accepting_unit="U1")
    story.on(date(2025, 7, 3), "assign", unit_code="U2", leader_id="L1")
    answer(story, date(2025, 8, 1), date(2025, 8, 1))
    story.on(date(2025, 8, 5), "request_review", requested_on=date(2025, 8, 5))
    decide_review(story, date(2025, 9, 3), delivered_on=date(2025, 9, 3))
    return story


def test_a_re_review_window_ending_in_the_national_day_holiday_runs_to_the_first_working_day() -> None:
    window = reviewed_in_2025("2022-calendar-2").clock("re_review_request_window", at=date(2025, 10, 9))
    assert (window.due_on, window.state, window.days_remaining) == (date(2025, 10, 9), "window_open", 0)
    closed = reviewed_in_2025("2022-calendar-2").clock("re_review_request_window", at=date(2025, 10, 10))
    assert closed.state == "window_closed"


def test_under_2022_calendar_the_same_window_closes_inside_the_holiday() -> None:
    window = reviewed_in_2025("2022-calendar").clock("re_review_request_window", at=date(2025, 10, 4))
    assert (window.due_on, window.state) == (date(2025, 10, 3), "window_closed")


def test_a_re_review_request_on_the_first_working_day_after_the_holiday_is_in_time_only_under_v2() -> None:
    story = reviewed_in_2025("2022-calendar-2")
    story.on(date(2025, 10, 9), "request_re_review", requested_on=date(2025, 10, 9))
    assert story.case.re_review_requested_on == date(2025, 10, 9)
    old = reviewed_in_2025("2022-calendar")
    with pytest.raises(rules.RE_REVIEW_WITHIN_WINDOW.error) as refused:
        old.on(date(2025, 10, 9), "request_re_review", requested_on=date(2025, 10, 9))
    assert refused.value.context == {"rule": rules.RE_REVIEW_WITHIN_WINDOW.name, "last_day": "2025-10-03"}


def test_a_handling_deadline_on_labour_day_moves_and_overdue_counts_from_the_moved_day() -> None:
    # Accepted Mon 2 Mar 2026: 60 days end Fri 1 May, a rest day (1-5 May), so Wed 6 May.
    story = accepted_case("2022-calendar-2")
    handling = story.clock("handling", at=date(2026, 5, 8))
    assert (handling.due_on, handling.state, handling.days_overdue) == (date(2026, 5, 6), "overdue", 2)
    assert accepted_case().clock("handling", at=date(2026, 5, 8)).due_on == date(2026, 5, 1)


def test_an_extension_granted_in_the_holiday_before_the_moved_last_day_is_in_time() -> None:
    story = accepted_case("2022-calendar-2")
    story.on(date(2026, 5, 4), "extend", days=10, approved_by="主任", petitioner_notified_on=date(2026, 5, 4))
    # 60 + 10 days from 2 Mar end Mon 11 May, a working day.
    assert story.clock("handling", at=date(2026, 5, 8)).due_on == date(2026, 5, 11)
    with pytest.raises(rules.EXTENSION_BEFORE_DUE.error) as refused:
        accepted_case().on(
            date(2026, 5, 4), "extend", days=10, approved_by="主任", petitioner_notified_on=date(2026, 5, 4)
        )
    assert refused.value.context["due_on"] == "2026-05-01"
