"""Delay attribution on scripted histories; every expected day worked out by hand in the comments."""

from __future__ import annotations

from datetime import date

from domain.clocks import compute_clocks
from domain.delays import Delay, Holder, Piece, delays
from domain.vocabulary import AnswerOutcome, ReviewDecision
from tests.replay.stories import Story, assigned, noon

U2 = Holder("U2", "L1", "O1")
U3 = Holder("U3", "L2", None)


def answer(story: Story, day: date) -> None:
    story.on(day, "answer", outcome=AnswerOutcome.EXPLAIN, delivered_on=day)


def extend(story: Story, *, days: int) -> None:
    """An extension granted (and the petitioner told) on 20 April 2026."""
    on = date(2026, 4, 20)
    story.on(on, "extend", days=days, approved_by="主任", petitioner_notified_on=on)


def test_a_reassignment_during_an_overdue_interval_splits_it_between_the_two_holders() -> None:
    # handling: accepted 2 March, due 1 May; reassigned 10 May; answered 20 May.
    story = assigned()
    story.on(date(2026, 5, 10), "reassign", unit_code="U3", leader_id="L2")
    answer(story, date(2026, 5, 20))
    [delay] = delays(story.events, at=noon(date(2026, 6, 1)))
    assert delay == Delay(
        clock="handling", article="第三十四条", ref=2, due_on=date(2026, 5, 1),
        start=date(2026, 5, 2), end=date(2026, 5, 20), days=19, open=False, provisional=False,
        pieces=(
            Piece(U2, date(2026, 5, 2), date(2026, 5, 10), 9),  # 2..10 May: the reassignment day is U2's last
            Piece(U3, date(2026, 5, 11), date(2026, 5, 20), 10),  # 11..20 May
        ),
    )  # fmt: skip
    [handling] = [c for c in compute_clocks(story.events, at=noon(date(2026, 6, 1))) if c.name == "handling"]
    assert handling.days_overdue == delay.days


def test_an_extension_moves_the_interval_later() -> None:
    # 10 days' extension: due 11 May; reassigned 15 May; answered 20 May → 12..20 May, 9 days.
    story = assigned()
    extend(story, days=10)
    story.on(date(2026, 5, 15), "reassign", unit_code="U3", leader_id="L2")
    answer(story, date(2026, 5, 20))
    [delay] = delays(story.events, at=noon(date(2026, 6, 1)))
    assert (delay.due_on, delay.start, delay.end, delay.days) == (
        date(2026, 5, 11),
        date(2026, 5, 12),
        date(2026, 5, 20),
        9,
    )
    assert delay.pieces == (
        Piece(U2, date(2026, 5, 12), date(2026, 5, 15), 4),
        Piece(U3, date(2026, 5, 16), date(2026, 5, 20), 5),
    )


def test_an_extension_long_enough_leaves_no_delay() -> None:
    # 30 days' extension: due 31 May; answered 20 May, in time.
    story = assigned()
    extend(story, days=30)
    answer(story, date(2026, 5, 20))
    assert delays(story.events, at=noon(date(2026, 6, 1))) == []


def test_hearing_days_do_not_count_in_a_re_review_delay() -> None:
    # re-review requested 12 April: 30 days due 12 May, pushed 5 days by the 1-5 May hearing to 17 May.
    # Decided 25 May: (17, 25 May] is 8 days, less the 20-22 May hearing: 5 days, from 18 May.
    story = assigned()
    answer(story, date(2026, 3, 10))
    story.on(date(2026, 3, 15), "request_review", requested_on=date(2026, 3, 15))
    story.on(date(2026, 4, 10), "decide_review", reviewing_unit="R1", decision=ReviewDecision.UPHELD,
             delivered_on=date(2026, 4, 10))  # fmt: skip
    story.on(date(2026, 4, 12), "request_re_review", requested_on=date(2026, 4, 12))
    story.on(date(2026, 5, 6), "hold_hearing", started_on=date(2026, 5, 1), ended_on=date(2026, 5, 5))
    story.on(date(2026, 5, 23), "hold_hearing", started_on=date(2026, 5, 20), ended_on=date(2026, 5, 22))
    story.on(date(2026, 5, 25), "decide_re_review", reviewing_unit="R2", decision=ReviewDecision.UPHELD,
             delivered_on=date(2026, 5, 25))  # fmt: skip
    [delay] = delays(story.events, at=noon(date(2026, 6, 1)))
    assert (delay.clock, delay.article, delay.due_on) == (
        "re_review_decision",
        "第三十六条",
        date(2026, 5, 17),
    )
    assert (delay.start, delay.end, delay.days, delay.open) == (
        date(2026, 5, 18),
        date(2026, 5, 25),
        5,
        False,
    )
    assert delay.pieces == (Piece(U2, date(2026, 5, 18), date(2026, 5, 25), 5),)


def test_working_days_across_the_2026_national_day_holiday() -> None:
    # 2022-working, registered Wed 9 Sep 2026. 15 working days from 10 Sep: 10, 11, 14-18, Sun 20 (a
    # make-up workday), 21-24 (25-27 Mid-Autumn off), 28, 29, 30 → due 30 Sep. Accepted Mon 12 Oct:
    # 1-7 Oct are the National Day holiday, so the overdue working days are 8, 9, Sat 10 (make-up)
    # and 12 Oct (11 is a Sunday): 4 days from 8 Oct, held by the receiving unit, with no leader.
    story = Story(date(2026, 9, 9), "2022-working")
    story.on(date(2026, 10, 12), "accept", accepting_unit="U1", notice_issued_on=date(2026, 10, 12))
    [delay] = delays(story.events, at=noon(date(2026, 11, 1)))
    assert delay == Delay(
        clock="screening", article="第二十二条、第二十三条", ref=1, due_on=date(2026, 9, 30),
        start=date(2026, 10, 8), end=date(2026, 10, 12), days=4, open=False, provisional=False,
        pieces=(Piece(Holder("U1"), date(2026, 10, 8), date(2026, 10, 12), 4),),
    )  # fmt: skip


def test_an_overdue_supervision_reply_is_attributed_to_whoever_held_the_case() -> None:
    # Letter of 1 April, reply by 10 April; reassigned 12 April; replied 15 April → 11..15 April.
    story = assigned()
    letter = story.on(
        date(2026, 4, 1), "supervise", supervisor_id="S1", reply_by=date(2026, 4, 10), text="督办"
    )
    story.on(date(2026, 4, 12), "reassign", unit_code="U3", leader_id="L2")
    story.on(date(2026, 4, 15), "answer_supervision", supervision_version=letter, reply="已办")
    [delay] = delays(story.events, at=noon(date(2026, 4, 20)))
    assert (delay.clock, delay.article, delay.ref) == ("supervision_reply", "第四十条", letter)
    assert (delay.start, delay.end, delay.days) == (date(2026, 4, 11), date(2026, 4, 15), 5)
    assert delay.pieces == (
        Piece(U2, date(2026, 4, 11), date(2026, 4, 12), 2),
        Piece(U3, date(2026, 4, 13), date(2026, 4, 15), 3),
    )


def test_an_interval_still_open_runs_to_today() -> None:
    # Due 1 May, nothing done: on 11 May it has been overdue 2..11 May, 10 days, and is still open.
    story = assigned()
    [delay] = delays(story.events, at=noon(date(2026, 5, 11)))
    assert (delay.clock, delay.start, delay.end, delay.days, delay.open) == (
        "handling", date(2026, 5, 2), date(2026, 5, 11), 10, True,
    )  # fmt: skip
    assert delay.pieces == (Piece(U2, date(2026, 5, 2), date(2026, 5, 11), 10),)
    assert delays(story.events, at=noon(date(2026, 5, 1))) == []  # the due day itself is not late


def test_a_petitioners_window_that_runs_out_is_never_a_delay() -> None:
    story = assigned()
    answer(story, date(2026, 3, 10))
    assert delays(story.events, at=noon(date(2026, 6, 1))) == []  # the review window closed 9 April


def test_under_2022_calendar_2_a_delay_starts_the_day_after_the_last_day_even_a_rest_day() -> None:
    # 2022-calendar-2: accepted 2 March + 60 days + 8 days' extension = Sat 9 May 2026, a make-up
    # working day, so it stays the last day. Lateness counts calendar days from Sun 10 May (a rest
    # day: only a period's last day moves off one) to the answer on 20 May: 11 days.
    story = assigned("2022-calendar-2")
    extend(story, days=8)
    answer(story, date(2026, 5, 20))
    [delay] = delays(story.events, at=noon(date(2026, 6, 1)))
    assert (delay.due_on, delay.start, delay.end, delay.days) == (
        date(2026, 5, 9),
        date(2026, 5, 10),
        date(2026, 5, 20),
        11,
    )
