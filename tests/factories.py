"""Test factories: random ids, valid registrations, and cases driven through the lifecycle in memory.

Every helper runs its command inside `command_context` with an `occurred_at` after the case's
last step, and all moments lie well in the past, so the chronology and future rules hold.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from typing import Any
from uuid import uuid4

from domain.case import Case
from domain.context import command_context, utcnow
from domain.policy import CHINA_TZ, default_policy_version, local_date
from domain.values import Actor, Petitioner
from domain.vocabulary import (
    AnswerOutcome,
    Channel,
    ClosureType,
    ContactMethod,
    DossierItem,
    Kind,
    NotAcceptedReason,
    Pathway,
    ReviewDecision,
    Satisfaction,
    Status,
)

# Cases start this long ago, so every later step (hours and weeks apart) is still in the past.
DEFAULT_AGE = timedelta(days=400)
STEP = timedelta(hours=1)
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


def rid(prefix: str = "") -> str:
    """A short random id, so tests never share names."""
    return f"{prefix}{uuid4().hex[:10]}"


def long_ago(age: timedelta = DEFAULT_AGE) -> datetime:
    return steady_morning(utcnow() - age)


def steady_morning(moment: datetime) -> datetime:
    """`moment`'s China day, between 08:00 and 09:00: the day's time so far shrunk 24-fold, so
    steps an hour apart stay on one China day whenever the suite runs (handling days, day
    filters), and a later moment still maps later."""
    local = moment.astimezone(CHINA_TZ)
    midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
    return midnight + timedelta(hours=8) + (local - midnight) / 24


def moment_on(day: date, hour: int = 10) -> datetime:
    """An instant on a day in China (clocks count in the office's local days)."""
    return datetime.combine(day, time(hour), tzinfo=CHINA_TZ)


# ---- people and values --------------------------------------------------------------------


def actor(role: str = "registrar", unit: str | None = None, user_id: str | None = None) -> Actor:
    return Actor(user_id=user_id or rid("user-"), role=role, unit_code=unit or rid("unit-"))


def id_number() -> str:
    """A well-formed 18-digit resident id number (GB 11643 check digit, never 'X')."""
    while True:
        born = date(1950, 1, 1) + timedelta(days=random.randrange(20000))
        body = f"{random.randrange(110000, 660000)}{born:%Y%m%d}{random.randrange(1000):03d}"
        check = _ID_CHECK[sum(int(c) * w for c, w in zip(body, _ID_WEIGHTS, strict=True)) % 11]
        if check != "X":
            return body + check


def phone() -> str:
    return f"13{random.randrange(10**9):09d}"


def petitioner(**overrides: Any) -> Petitioner:
    fields: dict[str, Any] = {
        "name": rid("petitioner-"),
        "id_number": id_number(),
        "phone": phone(),
        "address": f"{random.randrange(1, 300)} {rid('road-')}",
    }
    fields.update(overrides)
    return Petitioner(**fields)


def sha256() -> str:
    return uuid4().hex + uuid4().hex


def registration_fields(**overrides: Any) -> dict[str, Any]:
    """Valid keyword arguments for `Case.register`, with random subject and petitioner."""
    fields: dict[str, Any] = {
        "channel": Channel.VISIT,
        "kind": Kind.COMPLAINT_REQUEST,
        "petitioners": (petitioner(),),
        "headcount": 1,
        "subject": rid("subject-"),
        "content": "wages unpaid for six months",
        "category": "labour",
        "region_code": "110105",
        "received_unit": rid("unit-"),
        "policy_version": default_policy_version(),
    }
    fields.update(overrides)
    return fields


def petition_fields(**overrides: Any) -> dict[str, Any]:
    """`registration_fields` for `LedgerApplication.register_case`, which takes no policy version:
    the jurisdiction's adoptions decide it (DOMAIN.md R8)."""
    fields = registration_fields(**overrides)
    del fields["policy_version"]
    return fields


# ---- driving a case in memory -------------------------------------------------------------


def next_moment(case: Case, after: timedelta = STEP) -> datetime:
    assert case.last_transition_at is not None
    return case.last_transition_at + after


def moment_for(case: Case, day: date) -> datetime:
    """An instant on `day`, and not before the case's last step."""
    return max(moment_on(day), next_moment(case))


def perform(
    case: Case,
    command: str,
    /,
    *,
    at: datetime | None = None,
    by: Actor | None = None,
    reason: str | None = None,
    now: datetime | None = None,
    **kwargs: Any,
) -> Case:
    """Run one command method on the case, one step after its last transition by default."""
    context: dict[str, Any] = {
        "actor": by or actor("officer"),
        "occurred_at": at or next_moment(case),
        "reason": reason,
        "request_id": rid("req-"),
    }
    if now is not None:
        context["now"] = now
    with command_context(**context):
        getattr(case, command)(**kwargs)
    return case


def registered_case(at: datetime | None = None, **overrides: Any) -> Case:
    with command_context(actor=actor("registrar"), occurred_at=at or long_ago(), request_id=rid("req-")):
        return Case.register(**registration_fields(**overrides))


def notified_on_the_day(case: Case) -> dict[str, Any]:
    """A screening outcome's written notice issued the day it is decided (R5): it stops the
    screening clock, as the ordinary path of a case needs."""
    return {"notice_issued_on": local_date(next_moment(case))}


def accepted_case(**overrides: Any) -> Case:
    case = registered_case(**overrides)
    return perform(case, "accept", accepting_unit=rid("unit-"), **notified_on_the_day(case))


def not_accepted_case(**overrides: Any) -> Case:
    case = registered_case(**overrides)
    return perform(
        case,
        "not_accept",
        reason_code=NotAcceptedReason.IN_LITIGATION,
        notice_issued_on=local_date(next_moment(case)),
    )


def diverted_case(**overrides: Any) -> Case:
    case = registered_case(**overrides)
    return perform(
        case,
        "divert",
        pathway=Pathway.LITIGATION,
        institution="district people's court",
        **notified_on_the_day(case),
    )


def transferred_case(**overrides: Any) -> Case:
    case = registered_case(**overrides)
    return perform(case, "transfer", authority=rid("authority-"), **notified_on_the_day(case))


def assigned_case(**overrides: Any) -> Case:
    return perform(
        accepted_case(**overrides),
        "assign",
        unit_code=rid("unit-"),
        leader_id=rid("leader-"),
        officer_id=rid("officer-"),
    )


def answered_case(delivered_on: date | None = None, **overrides: Any) -> Case:
    case = assigned_case(**overrides)
    at = next_moment(case)
    return perform(
        case,
        "answer",
        at=at,
        outcome=AnswerOutcome.EXPLAIN,
        delivered_on=delivered_on or local_date(at),
        document_sha256=sha256(),
    )


def visited_case(**overrides: Any) -> Case:
    """Answered, and the return visit on the answer recorded."""
    return perform(
        answered_case(**overrides),
        "record_return_visit",
        satisfaction=Satisfaction.SATISFIED,
        signed=True,
        method=ContactMethod.PHONE,
        comment="thanks",
    )


def closed_case(closure_type: ClosureType = ClosureType.ANSWERED_ONLY, **overrides: Any) -> Case:
    return perform(visited_case(**overrides), "close", closure_type=closure_type)


def under_review_case(after_delivery: int = 5, **overrides: Any) -> Case:
    case = answered_case(**overrides)
    assert case.answer_delivered_on is not None
    requested_on = case.answer_delivered_on + timedelta(days=after_delivery)
    return perform(case, "request_review", at=moment_for(case, requested_on), requested_on=requested_on)


def reviewed_case(**overrides: Any) -> Case:
    case = under_review_case(**overrides)
    assert case.review_requested_on is not None
    delivered_on = case.review_requested_on + timedelta(days=10)
    return perform(
        case,
        "decide_review",
        at=moment_for(case, delivered_on),
        reviewing_unit=rid("unit-"),
        decision=ReviewDecision.UPHELD,
        delivered_on=delivered_on,
    )


def under_re_review_case(**overrides: Any) -> Case:
    case = reviewed_case(**overrides)
    assert case.review_delivered_on is not None
    requested_on = case.review_delivered_on + timedelta(days=5)
    return perform(case, "request_re_review", at=moment_for(case, requested_on), requested_on=requested_on)


def terminated_case(**overrides: Any) -> Case:
    """Terminated by the re-review decision (第三十六条)."""
    case = under_re_review_case(**overrides)
    assert case.re_review_requested_on is not None
    delivered_on = case.re_review_requested_on + timedelta(days=20)
    return perform(
        case,
        "decide_re_review",
        at=moment_for(case, delivered_on),
        reviewing_unit=rid("unit-"),
        decision=ReviewDecision.UPHELD,
        delivered_on=delivered_on,
    )


def after_appeal_windows(case: Case) -> datetime:
    """The first moment, from the case's next step on, when no review or re-review request window
    is open: a case is archived no earlier (第三十五条、第三十六条, DOMAIN.md R3)."""
    at = next_moment(case)
    while (window := case.open_appeal_window(local_date(at))) is not None:
        at = max(at, moment_on(window[1] + timedelta(days=1)))
    return at


def archive(case: Case, dossier: tuple[DossierItem, ...] = tuple(DossierItem)) -> Case:
    """Archive the case once its appeal windows have closed."""
    return perform(case, "archive", at=after_appeal_windows(case), dossier=dossier)


def archived_case(**overrides: Any) -> Case:
    return archive(closed_case(**overrides))


CASE_IN_STATUS: dict[Status, Callable[..., Case]] = {
    Status.REGISTERED: registered_case,
    Status.ACCEPTED: accepted_case,
    Status.NOT_ACCEPTED: not_accepted_case,
    Status.DIVERTED: diverted_case,
    Status.TRANSFERRED: transferred_case,
    Status.IN_HANDLING: assigned_case,
    Status.ANSWERED: answered_case,
    Status.CLOSED: closed_case,
    Status.UNDER_REVIEW: under_review_case,
    Status.REVIEWED: reviewed_case,
    Status.UNDER_RE_REVIEW: under_re_review_case,
    Status.TERMINATED: terminated_case,
    Status.ARCHIVED: archived_case,
}


def case_in(status: Status, **overrides: Any) -> Case:
    """A case brought to `status` by the shortest ordinary path."""
    case = CASE_IN_STATUS[status](**overrides)
    assert case.status is status
    return case
