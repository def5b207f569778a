"""Versioned policies and the day arithmetic of the statutory clocks."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from domain.errors import InvalidInput
from domain.policy import (
    FastTrack,
    default_policy_version,
    get_policy,
    is_working_day,
    local_date,
    policy_versions,
)

CALENDAR = get_policy("2022-calendar")
CALENDAR_2 = get_policy("2022-calendar-2")
WORKING = get_policy("2022-working")


def test_the_policies_file_holds_the_four_versions_and_a_default() -> None:
    assert policy_versions() == [
        "2022-calendar",
        "2022-calendar-2",
        "2022-calendar-fast-track",
        "2022-working",
    ]
    assert default_policy_version() == "2022-calendar"
    assert get_policy("2022-calendar-fast-track").fast_track == FastTrack(5, 7, 15)
    assert CALENDAR.fast_track is None
    assert (CALENDAR.handling_days, CALENDAR.max_extension_days) == (60, 30)


def test_an_unknown_policy_version_is_invalid_input() -> None:
    with pytest.raises(InvalidInput):
        get_policy("1995-calendar")


def test_the_first_day_is_not_counted() -> None:
    assert CALENDAR.add_days(date(2026, 3, 1), 15) == date(2026, 3, 16)
    assert CALENDAR.add_days(date(2026, 3, 2), 60) == date(2026, 5, 1)
    assert CALENDAR.count_days(date(2026, 3, 1), date(2026, 3, 16)) == 15
    assert CALENDAR.count_days(date(2026, 3, 16), date(2026, 3, 1)) == -15


def test_working_days_follow_the_2026_national_day_holiday_and_make_up_days() -> None:
    # Holiday 1-7 Oct 2026; Sat 10 Oct and Sun 20 Sep are make-up working days.
    assert is_working_day(date(2026, 10, 5)) == (False, True)
    assert is_working_day(date(2026, 10, 10)) == (True, True)
    assert is_working_day(date(2026, 9, 20)) == (True, True)
    assert WORKING.add_days(date(2026, 9, 30), 1) == date(2026, 10, 8)
    assert WORKING.add_days(date(2026, 9, 28), 15) == date(2026, 10, 23)
    assert WORKING.count_days(date(2026, 9, 30), date(2026, 10, 12)) == 4  # 8, 9, 10, 12


def test_a_period_forced_to_working_days_ignores_a_calendar_policy() -> None:
    assert CALENDAR.add_days(date(2026, 3, 6), 5, working=True) == date(2026, 3, 13)
    assert CALENDAR.count_days(date(2026, 3, 6), date(2026, 3, 13), working=True) == 5


def test_excluded_days_push_the_end_of_a_period_later() -> None:
    hearing = frozenset({date(2026, 4, 25), date(2026, 4, 26), date(2026, 4, 27)})
    assert CALENDAR.add_days(date(2026, 4, 20), 30, excluded=hearing) == date(2026, 5, 23)
    # Under working days only the hearing's working day (Mon 27 Apr) was a counted day.
    assert WORKING.add_days(date(2026, 4, 20), 5) == date(2026, 4, 27)
    assert WORKING.add_days(date(2026, 4, 20), 5, excluded=hearing) == date(2026, 4, 28)
    assert CALENDAR.count_days(date(2026, 4, 20), date(2026, 5, 23), excluded=hearing) == 30


def test_a_year_outside_the_official_calendar_rests_only_at_weekends_and_is_provisional() -> None:
    assert is_working_day(date(2027, 1, 1)) == (True, False)  # Fri: New Year unknown yet
    assert WORKING.add_days(date(2026, 12, 20), 15) == date(2027, 1, 8)
    assert WORKING.is_provisional(date(2026, 12, 20), date(2027, 1, 8)) is True
    assert WORKING.is_provisional(date(2026, 3, 1), date(2026, 3, 20)) is False
    assert CALENDAR.is_provisional(date(2026, 12, 20), date(2027, 1, 8)) is False
    assert CALENDAR.is_provisional(date(2027, 3, 5), date(2027, 3, 12), working=True) is True


def test_local_date_is_the_date_in_china() -> None:
    utc_evening = datetime(2026, 3, 16, 16, 30, tzinfo=UTC)
    assert local_date(utc_evening) == date(2026, 3, 17)
    assert local_date(utc_evening - timedelta(hours=1)) == date(2026, 3, 16)


def test_a_negative_period_is_refused() -> None:
    with pytest.raises(ValueError, match="negative"):
        CALENDAR.add_days(date(2026, 3, 1), -1)


# ---- 2022-calendar-2: a last day on an official rest day moves to the next working day (R8) ----


def test_a_last_day_in_the_national_day_holiday_moves_to_the_first_working_day_after_it() -> None:
    # 2025: 1-8 Oct are rest days (National Day with Mid-Autumn), Thu 9 Oct is a working day.
    assert CALENDAR.add_days(date(2025, 9, 3), 30) == date(2025, 10, 3)
    assert CALENDAR_2.add_days(date(2025, 9, 3), 30) == date(2025, 10, 9)


def test_a_last_day_on_a_weekend_moves_to_monday_and_a_working_last_day_stays() -> None:
    assert CALENDAR_2.add_days(date(2026, 3, 6), 15) == date(2026, 3, 23)  # Sat 21 → Mon 23
    assert CALENDAR.add_days(date(2026, 3, 6), 15) == date(2026, 3, 21)
    assert CALENDAR_2.add_days(date(2026, 3, 1), 15) == date(2026, 3, 16)  # Mon: stays


def test_a_last_day_on_a_make_up_working_day_stays() -> None:
    # Sun 28 Sep 2025 is an official make-up working day: the calendar, not the weekday, decides.
    assert CALENDAR_2.add_days(date(2025, 8, 29), 30) == date(2025, 9, 28)


def test_the_last_day_rule_moves_only_the_end_and_counts_calendar_days() -> None:
    # Labour Day 2026 (1-5 May rest days): 60 days from 2 March end on 1 May, moved to Wed 6 May.
    assert CALENDAR_2.add_days(date(2026, 3, 2), 60) == date(2026, 5, 6)
    # Rest days inside the period still count: only the last day moves.
    assert CALENDAR_2.add_days(date(2026, 9, 25), 15) == date(2026, 10, 10)  # Sat 10 Oct is worked
    assert CALENDAR_2.count_days(date(2026, 3, 2), date(2026, 5, 6)) == 65


def test_hearing_days_are_left_out_before_the_last_day_rule_applies() -> None:
    hearing = frozenset({date(2026, 4, 25), date(2026, 4, 26), date(2026, 4, 27)})
    # Calendar: 30 days plus the 3 hearing days end on Sat 23 May; version 2 moves it to Mon 25 May.
    assert CALENDAR_2.add_days(date(2026, 4, 20), 30, excluded=hearing) == date(2026, 5, 25)


def test_the_art_23_working_days_window_is_the_same_under_every_version() -> None:
    for policy in (CALENDAR, CALENDAR_2, WORKING):
        assert policy.add_days(date(2026, 9, 30), 5, working=True) == date(2026, 10, 13)


def test_the_first_overdue_day_is_the_next_calendar_day_not_a_moved_one() -> None:
    # Overdue starts the day after the (moved) last day, rest day or not.
    assert CALENDAR_2.day_after(date(2026, 10, 9)) == date(2026, 10, 10)
    assert CALENDAR_2.day_after(date(2026, 10, 2)) == date(2026, 10, 3)


def test_a_moved_last_day_in_a_year_outside_the_official_calendar_is_provisional() -> None:
    assert CALENDAR_2.add_days(date(2026, 12, 20), 15) == date(2027, 1, 4)  # Mon (Jan 1 unknown)
    assert CALENDAR_2.is_provisional(date(2026, 12, 20), date(2027, 1, 4)) is True
    assert CALENDAR_2.is_provisional(date(2026, 3, 1), date(2026, 3, 16)) is False
    assert CALENDAR.is_provisional(date(2026, 12, 20), date(2027, 1, 4)) is False
