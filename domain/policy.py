"""Versioned clock policies (data in policies.toml) and day arithmetic.

Day counting follows the regulation's convention: the first day is not counted, so a
15-day period starting on 1 March ends on 16 March. Under a working-days policy only
official working days count, by China's holiday and make-up-workday calendar
(the maintained `chinese_calendar` package). For a year that package does not yet cover,
weekends are taken as the only rest days and the result is marked provisional.

From version `2022-calendar-2` (DOMAIN.md R8) a calendar-day period whose last day is an
official rest day ends on the next working day, by the same calendar: the regulation is
silent, so the general rule of 民事诉讼法第八十五条 and 民法典第二百零三条 fills the gap.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from functools import cache
from importlib import resources
from typing import Literal

import chinese_calendar

from domain.errors import InvalidInput

# China keeps one time zone with no daylight saving: a fixed offset is exact.
CHINA_TZ = timezone(timedelta(hours=8), "Asia/Shanghai")


def local_date(moment: datetime) -> date:
    """The calendar date in China of an instant (clocks count in the office's days)."""
    return moment.astimezone(CHINA_TZ).date()


@cache  # a pure function of the day; clocks ask it for every day of every period (bench profile)
def is_working_day(day: date) -> tuple[bool, bool]:
    """(is it a working day, is that answer from the official calendar)."""
    try:
        return bool(chinese_calendar.is_workday(day)), True
    except NotImplementedError:
        return day.weekday() < 5, False


@dataclass(frozen=True)
class FastTrack:
    meet_days: int
    facts_days: int
    answer_days: int


@dataclass(frozen=True)
class Policy:
    version: str
    description: str
    day_counting: Literal["calendar", "working"]
    screening_days: int
    assignment_objection_working_days: int
    handling_days: int
    max_extension_days: int
    review_window_days: int
    review_decision_days: int
    re_review_window_days: int
    re_review_decision_days: int
    late_entry_hours: int
    fast_track: FastTrack | None = None
    # "stands": the last day is the last day (every version before R8, never edited);
    # "next_working_day": a last day on an official rest day moves to the next working day.
    last_day_on_rest_day: Literal["stands", "next_working_day"] = "stands"
    # 落实 (第三十三条: a supported request is to be carried out, 督促有关机关、单位执行): the
    # regulation names no period, so a version may set one; without it, 30 calendar days from
    # the answer's delivery. Why 30: the regulation's own length for a unit's follow-up on an
    # answer (复查 opinion, 第三十五条) and for an extension (第三十四条), and the month in which
    # county offices clear their work (Yongxing's 月清月结). A default here, not an edit of the
    # versions in policies.toml: the existing periods of those versions are unchanged.
    implementation_days: int = 30
    # 第四十条 asks the unit to feed back in writing whether it adopts a recommendation, without
    # a period; by default 30 calendar days, the same month as above (a version may set its own).
    recommendation_feedback_days: int = 30

    def __post_init__(self) -> None:
        # A misspelt rule in policies.toml must not quietly count days the old way.
        if self.last_day_on_rest_day not in ("stands", "next_working_day"):
            raise ValueError(f"{self.version}: unknown last_day_on_rest_day {self.last_day_on_rest_day!r}")

    @property
    def moves_last_day_off_rest_days(self) -> bool:
        return self.last_day_on_rest_day == "next_working_day"

    def counts_working_days(self, working: bool | None = None) -> bool:
        """Whether a period counts working days: the policy's choice unless a rule forces it."""
        return self.day_counting == "working" if working is None else working

    def add_days(
        self,
        start: date,
        days: int,
        *,
        working: bool | None = None,
        excluded: frozenset[date] = frozenset(),
    ) -> date:
        """The last day of a period of `days` days that starts on `start` (not counted).

        `excluded` days (a re-review hearing) do not count, so they push the end later. Under a
        policy that moves a last day off rest days, a last day on one becomes the next working
        day (a working-days period already ends on a working day).
        """
        last = add_days(start, days, working=self.counts_working_days(working), excluded=excluded)
        return next_working_day_from(last) if self.moves_last_day_off_rest_days else last

    def day_after(self, day: date, *, excluded: frozenset[date] = frozenset()) -> date:
        """The first counted day after `day` (where an overdue interval starts): no last-day rule."""
        return add_days(day, 1, working=self.counts_working_days(), excluded=excluded)

    def count_days(
        self,
        start: date,
        end: date,
        *,
        working: bool | None = None,
        excluded: frozenset[date] = frozenset(),
    ) -> int:
        """Days counted in (start, end] under this policy, leaving out `excluded` days."""
        return count_days(start, end, working=self.counts_working_days(working), excluded=excluded)

    def is_provisional(self, start: date, end: date, *, working: bool | None = None) -> bool:
        """True when a working-days answer (or a last day moved off a rest day) rests on a year
        the official calendar lacks.

        `working=True` for a period that always counts working days (the art. 23 objection
        window) even under a calendar-days policy.
        """
        if not self.counts_working_days(working) and not self.moves_last_day_off_rest_days:
            return False
        low, high = min(start, end), max(start, end)
        return not all(_covered(year) for year in range(low.year, high.year + 1))


def _covered(year: int) -> bool:
    return is_working_day(date(year, 6, 1))[1]


@cache  # pure; every derived view row asks it again for each running deadline (rebuild profile)
def add_days(start: date, days: int, *, working: bool, excluded: frozenset[date] = frozenset()) -> date:
    if days < 0:
        raise ValueError("a period cannot be negative")
    if not working and not excluded:
        return start + timedelta(days=days)
    day, counted = start, 0
    while counted < days:
        day += timedelta(days=1)
        if day not in excluded and (not working or is_working_day(day)[0]):
            counted += 1
    return day


@cache  # pure, like add_days
def next_working_day_from(day: date) -> date:
    """`day` itself if it is a working day, else the first working day after it."""
    while not is_working_day(day)[0]:
        day += timedelta(days=1)
    return day


def count_days(start: date, end: date, *, working: bool, excluded: frozenset[date] = frozenset()) -> int:
    """Counted days after `start` up to and including `end` (negative if end < start)."""
    if end < start:
        return -count_days(end, start, working=working, excluded=excluded)
    if not working and not excluded:
        return (end - start).days
    total, day = 0, start
    while day < end:
        day += timedelta(days=1)
        if day in excluded:
            continue
        if not working or is_working_day(day)[0]:
            total += 1
    return total


@cache
def _load() -> tuple[str, dict[str, Policy]]:
    raw = tomllib.loads(resources.files("domain").joinpath("policies.toml").read_text("utf-8"))
    policies: dict[str, Policy] = {}
    for version, table in raw["policies"].items():
        fields = dict(table)  # a copy: the fast-track keys are popped out of it
        fast = None
        if "fast_track_meet_days" in fields:
            fast = FastTrack(
                meet_days=fields.pop("fast_track_meet_days"),
                facts_days=fields.pop("fast_track_facts_days"),
                answer_days=fields.pop("fast_track_answer_days"),
            )
        policies[version] = Policy(version=version, fast_track=fast, **fields)
    return raw["default"], policies


def default_policy_version() -> str:
    return _load()[0]


def policy_versions() -> list[str]:
    return sorted(_load()[1])


def get_policy(version: str) -> Policy:
    try:
        return _load()[1][version]
    except KeyError:
        raise InvalidInput(
            f"unknown policy version {version!r}", field="policy_version", known=policy_versions()
        ) from None
