"""Issue 18 in memory: notices and the screening clock (R5), the 办结报告 deadline, objections
and 交还 (R6), diversion until the answer and its outcome (R7). Dates worked out by hand."""

from __future__ import annotations

from datetime import date

import pytest

from domain import case_events as ev
from domain import rules
from domain.clocks import DeadlineTracker, open_deadlines
from domain.errors import DeadlinePassed, InvalidInput
from domain.vocabulary import DiversionOutcome, NoticeMode, Pathway, Status
from tests.unit.test_clocks import Story, recorded

ARBITRATION = {"pathway": Pathway.ARBITRATION, "institution": "劳动人事争议仲裁委员会"}


def registered_1_march() -> Story:
    return Story(date(2026, 3, 1))  # screening due 16 March


def handled(report_by: date | None = None) -> Story:
    """Registered 1 March 2026, accepted with its notice 2 March, assigned 3 March (a Tuesday)."""
    story = registered_1_march()
    story.on(date(2026, 3, 2), "accept", accepting_unit="U1", notice_issued_on=date(2026, 3, 2))
    story.on(date(2026, 3, 3), "assign", unit_code="U2", leader_id="L1", report_by=report_by)
    return story


# ---- R5: notices ------------------------------------------------------------------------------


def test_an_outcome_owing_its_notice_keeps_screening_running_until_the_notice() -> None:
    story = registered_1_march()
    story.on(date(2026, 3, 2), "accept", accepting_unit="U1")
    assert story.case.notice_pending
    owed = story.clock("screening", at=date(2026, 3, 20))
    assert (owed.stopped_on, owed.state, owed.days_overdue) == (None, "overdue", 4)
    story.on(date(2026, 3, 26), "record_notice", issued_on=date(2026, 3, 25), notice_mode=NoticeMode.WRITTEN)
    met = story.clock("screening", at=date(2026, 4, 1))
    assert (met.stopped_on, met.state, met.days_overdue) == (date(2026, 3, 25), "met_late", 9)
    assert not story.case.notice_pending and story.case.notice_issued_on == date(2026, 3, 25)


def test_a_notice_dated_with_the_outcome_stops_screening_on_its_day_not_the_decisions() -> None:
    story = registered_1_march()
    story.on(date(2026, 3, 10), "not_accept", reason_code="out_of_remit", notice_issued_on=date(2026, 3, 18))
    screening = story.clock("screening", at=date(2026, 4, 1))
    assert (screening.stopped_on, screening.state, screening.days_overdue) == (
        date(2026, 3, 18),
        "met_late",
        2,
    )


def test_an_outcome_stored_before_notices_existed_still_stops_screening_on_its_day() -> None:
    story = registered_1_march()
    story.on(date(2026, 3, 10), "transfer", authority="市信访局", notice_mode=NoticeMode.ADDRESS_UNCLEAR)
    events = recorded(story.case)
    # the stored form of an old event: no notice fields at all (they read as their defaults)
    legacy = ev.Transferred.__new__(ev.Transferred)
    state = {
        k: v
        for k, v in vars(events[-1]).items()
        if k not in ("notice_issued_on", "notice_mode", "notice_pending")
    }
    object.__setattr__(legacy, "__dict__", state)
    assert (legacy.notice_pending, legacy.notice_mode) == (False, None)
    story.events = [events[0], legacy]
    assert story.clock("screening", at=date(2026, 4, 1)).stopped_on == date(2026, 3, 10)


@pytest.mark.parametrize(
    ("notice", "field"),
    [
        ({"notice_mode": NoticeMode.WRITTEN}, "notice_issued_on"),  # a written notice has a date
        ({"notice_mode": NoticeMode.ON_THE_SPOT, "notice_issued_on": date(2026, 3, 11)}, "notice_issued_on"),
        (
            {"notice_mode": NoticeMode.ADDRESS_UNCLEAR, "notice_issued_on": date(2026, 3, 10)},
            "notice_issued_on",
        ),
        ({"notice_issued_on": date(2026, 3, 9)}, "notice_issued_on"),  # before the outcome it notifies
    ],
)
def test_a_notice_inconsistent_with_its_mode_or_outcome_is_refused(
    notice: dict[str, object], field: str
) -> None:
    story = registered_1_march()
    with pytest.raises(InvalidInput) as info:
        story.on(date(2026, 3, 10), "accept", accepting_unit="U1", **notice)
    assert info.value.context["field"] == field
    assert story.case.status is Status.REGISTERED


def test_a_notice_before_the_petition_arose_is_refused_by_name() -> None:
    story = registered_1_march()
    story.on(date(2026, 3, 2), "accept", accepting_unit="U1")
    with pytest.raises(InvalidInput) as info:
        story.on(
            date(2026, 3, 3), "record_notice", issued_on=date(2026, 2, 27), notice_mode=NoticeMode.WRITTEN
        )
    assert info.value.context["rule"] == rules.NOTICE_DATED_WITHIN_THE_MATTER.name


def test_a_corrected_notice_date_moves_the_screening_stop_and_the_case_state() -> None:
    story = registered_1_march()
    accepted = story.on(date(2026, 3, 2), "accept", accepting_unit="U1", notice_issued_on=date(2026, 3, 2))
    story.on(date(2026, 3, 3), "correct", target_version=accepted, target_type="Accepted",
             field="notice_issued_on", old_value="2026-03-02", new_value="2026-03-20")  # fmt: skip
    assert story.case.notice_issued_on == date(2026, 3, 20)
    screening = story.clock("screening", at=date(2026, 4, 1))
    assert (screening.stopped_on, screening.state, screening.days_overdue) == (
        date(2026, 3, 20),
        "met_late",
        4,
    )


# ---- 办结报告 (art. 22(3)) -------------------------------------------------------------------


def test_the_report_deadline_runs_to_report_by_and_the_completion_report_stops_it() -> None:
    story = handled(report_by=date(2026, 3, 20))
    overdue = story.clock("completion_report", at=date(2026, 3, 23))
    assert (overdue.article, overdue.started_on, overdue.due_on) == (
        "第二十二条第三项",
        date(2026, 3, 3),
        date(2026, 3, 20),
    )
    assert (overdue.state, overdue.days_overdue) == ("overdue", 3)
    story.on(date(2026, 3, 24), "report_completion", text="办结报告")
    met = story.clock("completion_report", at=date(2026, 4, 1))
    assert (met.stopped_on, met.state, met.days_overdue) == (date(2026, 3, 24), "met_late", 4)


def test_a_reassignment_ends_the_earlier_units_report_deadline() -> None:
    story = handled(report_by=date(2026, 3, 20))
    story.on(date(2026, 3, 10), "reassign", unit_code="U3", leader_id="L2")
    reports = [c for c in story.clocks(at=date(2026, 4, 1)) if c.name == "completion_report"]
    assert [(c.stopped_on, c.state) for c in reports] == [(date(2026, 3, 10), "met")]
    assert "completion_report" not in {d.name for d in open_deadlines(story.events)}


# ---- R6: objection and 交还 -------------------------------------------------------------------


def test_an_objection_on_the_fifth_working_day_stops_the_window_and_an_upheld_one_hands_back() -> None:
    story = handled()  # assigned Tue 3 March: the 5 working days end Tue 10 March
    story.on(date(2026, 3, 10), "object_to_assignment")
    window = story.clock("assignment_objection", at=date(2026, 3, 30))
    assert (window.stopped_on, window.state) == (date(2026, 3, 10), "met")
    assert story.case.objection_pending
    story.on(date(2026, 3, 12), "decide_objection", upheld=True)
    case = story.case
    assert (case.status, case.unit_code, case.leader_id, case.objection_pending) == (
        Status.ACCEPTED,
        None,
        None,
        False,
    )
    story.on(date(2026, 3, 13), "assign", unit_code="U3", leader_id="L3")
    assert (case.status, case.unit_code) == (Status.IN_HANDLING, "U3")
    # a new assignment, a new window to object in
    assert story.clock("assignment_objection", at=date(2026, 3, 14)).state == "window_open"


def test_an_objection_on_the_sixth_working_day_is_too_late() -> None:
    story = handled()
    with pytest.raises(DeadlinePassed) as info:
        story.on(date(2026, 3, 11), "object_to_assignment")
    assert info.value.context == {
        "rule": "assignment_objection_within_5_working_days",
        "last_day": "2026-03-10",
    }


def test_the_objection_window_is_never_an_open_deadline() -> None:
    story = handled()
    closed = story.clock("assignment_objection", at=date(2026, 4, 1))
    assert (closed.state, closed.days_overdue) == ("window_closed", 0)
    assert "assignment_objection" not in {d.name for d in open_deadlines(story.events)}


# ---- R7: diversion --------------------------------------------------------------------------


def test_a_diversion_during_handling_stops_the_handling_clock_and_the_report_deadline() -> None:
    story = handled(report_by=date(2026, 4, 1))
    story.on(date(2026, 3, 20), "divert", notice_issued_on=date(2026, 3, 20), **ARBITRATION)
    clocks = {c.name: c for c in story.clocks(at=date(2026, 6, 1))}
    assert (clocks["handling"].stopped_on, clocks["handling"].state) == (date(2026, 3, 20), "met")
    assert clocks["completion_report"].stopped_on == date(2026, 3, 20)
    assert "assignment_objection" not in clocks
    assert open_deadlines(story.events) == []


def test_a_returned_diversion_restarts_screening_from_its_day() -> None:
    story = registered_1_march()
    story.on(date(2026, 3, 5), "divert", **ARBITRATION)  # its notice still owed
    story.on(
        date(2026, 4, 2), "record_diversion_outcome", outcome=DiversionOutcome.RETURNED, on=date(2026, 4, 1)
    )
    assert (story.case.status, story.case.diverted_to, story.case.notice_pending) == (
        Status.REGISTERED,
        None,
        False,
    )
    screenings = [c for c in story.clocks(at=date(2026, 4, 10)) if c.name == "screening"]
    assert [(c.started_on, c.due_on, c.stopped_on, c.state) for c in screenings] == [
        (date(2026, 3, 1), date(2026, 3, 16), date(2026, 4, 1), "met_late"),  # the owed notice is moot now
        (date(2026, 4, 1), date(2026, 4, 16), None, "running"),
    ]
    story.on(date(2026, 4, 3), "accept", accepting_unit="U1", notice_mode=NoticeMode.ON_THE_SPOT)
    assert story.clock("screening", at=date(2026, 4, 10)).stopped_on == date(2026, 4, 3)


def test_the_tracked_deadlines_equal_a_fresh_scan_through_every_new_event() -> None:
    story = handled(report_by=date(2026, 3, 20))
    story.on(date(2026, 3, 4), "object_to_assignment")
    story.on(date(2026, 3, 5), "decide_objection", upheld=True)
    story.on(date(2026, 3, 6), "assign", unit_code="U3", leader_id="L3", report_by=date(2026, 3, 30))
    story.on(date(2026, 3, 7), "report_completion", text="报告")
    story.on(date(2026, 3, 8), "divert", **ARBITRATION)
    story.on(date(2026, 3, 9), "record_notice", issued_on=date(2026, 3, 9), notice_mode=NoticeMode.WRITTEN)
    story.on(
        date(2026, 3, 10), "record_diversion_outcome", outcome=DiversionOutcome.RETURNED, on=date(2026, 3, 10)
    )
    events = recorded(story.case)
    tracker = DeadlineTracker()
    assert [tracker.add(e) for e in events] == [open_deadlines(events[:n]) for n in range(1, len(events) + 1)]
