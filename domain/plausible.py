"""Plausible dates (DOMAIN.md R12): `occurred_at` and every date a command records lie between
1990-01-01 and now, plus five minutes of clock skew; a notice or delivery is not dated before
what it answers.

A petition dated in the year 1 was registered and showed 739,941 days overdue: a typo in a year
must be refused where it is typed, for every entry point (API, CLI, demo loader, import), so the
checks run in the domain: `domain.arguments.checked` checks every date argument of a command and
`Case.trigger_event` every event's `occurred_at`.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from domain import case_events, rules
from domain.context import current_context
from domain.corrections import is_correctable, typed_value
from domain.errors import InvalidInput
from domain.policy import local_date

EARLIEST_DAY = date(1990, 1, 1)
CLOCK_SKEW = timedelta(minutes=5)
# Dates that name a deadline to come (a supervision letter's reply-by date, a report-by date, a
# campaign's due date, a rectification's deadline, a recommendation's feedback date), not a fact
# that happened: they may lie ahead of today.
DEADLINES = frozenset({"reply_by", "report_by", "due_on", "rectify_by", "feedback_due"})


def latest_day() -> date:
    """The last plausible day now (China-local), allowing for the clock skew."""
    return local_date(current_context().now + CLOCK_SKEW)


def check_day(field: str, day: date, *, named: str | None = None) -> None:
    """A date a command records: from 1990-01-01, and not after today unless it is a deadline.
    `named` is the argument the error names, where it is not the field itself (a correction)."""
    rules.DATE_NOT_BEFORE_1990.check(day >= EARLIEST_DAY, field=named or field, day=day.isoformat())
    if field not in DEADLINES:
        rules.DATE_NOT_IN_FUTURE.check(day <= latest_day(), field=named or field, day=day.isoformat())


def check_answers(field: str, day: date, answered: date, what: str) -> None:
    """A notice or delivery dated `day`: plausible, and not before `answered`, the day of `what`."""
    rules.NOT_BEFORE_WHAT_IT_ANSWERS.check(
        day >= answered, field=field, day=day.isoformat(), answers=what, not_before=answered.isoformat()
    )
    check_day(field, day)


def check_occurred_at(occurred_at: datetime, *, named: str = "occurred_at") -> None:
    """When the step happened in the world: with an offset, from 1990-01-01, not in the future."""
    if occurred_at.tzinfo is None:
        raise InvalidInput("occurred_at needs a time zone offset", field=named)
    rules.NOT_IN_FUTURE.check(occurred_at <= current_context().now + CLOCK_SKEW, field=named)
    day = local_date(occurred_at)
    rules.DATE_NOT_BEFORE_1990.check(day >= EARLIEST_DAY, field=named, day=day.isoformat())


def check_corrected(target_type: str, field: str, new_value: Any) -> None:
    """A corrected date or occurred_at is held to the same bounds as one first recorded, so a
    correction cannot bring back the year-1 petition the first entry refused."""
    cls = getattr(case_events, target_type, None)
    if cls is None or not is_correctable(target_type, field):
        return  # refused by its own rule (correction_target_correctable)
    try:
        value = typed_value(cls, field, new_value)
    except (TypeError, ValueError):
        return  # not a value of that field: the command's preparation refuses it
    if isinstance(value, datetime):
        check_occurred_at(value, named="new_value")
    elif isinstance(value, date):
        check_day(field, value, named="new_value")
