"""The practices of issue 21 in a generated county, at realistic rates, deterministic for a seed.

- Leaders' reception days (领导接访): a department head receives petitioners at the county's
  reception hall once a week (轮流接访), every fourth week a joint reception (联合接访) with
  departments at one window; cases registered that day at the hall name it (lifecycle.py).
- The local escalation policy (集中督办, Yongxing) in force from the start of the history, so the
  matters `lifecycle.py` assigns three times with the petitioner unsatisfied are on the list.
- The bureau's recommendations (第四十条) to townships, about one every ten days; most fed back
  in writing within the period, some late, some not at all.

Receptions and recommendations get random ids (uuid4) in the service; here `generated_ids` gives
them ids derived from the seed and a counter instead, so the same seed gives the same bytes. The
service's own ids are untouched: the patch lives only inside the generator's run.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from unittest import mock
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.persistence import StoredEvent

from bench.county import COUNTY_CODE, DEPARTMENTS, County
from domain import practices, recommendations
from domain.application import LedgerApplication
from domain.context import command_context
from domain.policy import default_policy_version, local_date
from domain.policy_adoptions import PolicyAdoptions
from domain.recommendations import Recommendation
from domain.values import Actor
from domain.vocabulary import LocalPolicy, ReceptionKind, RecommendationKind, Role

RECEPTION_EVERY_DAYS = 7
JOINT_EVERY = 4  # every fourth reception day is a joint one
RECOMMENDATION_EVERY_DAYS = 10
# Of the recommendations: fed back within the period, fed back late; the rest not yet.
FEEDBACK_ON_TIME, FEEDBACK_LATE = 0.70, 0.15
HALL = "县信访局群众接待大厅"
JOINT_HALL = "县群众工作中心联合接访窗口"
TIMED = list[tuple[datetime, list[tuple[datetime, StoredEvent]]]]  # (when, [(recorded, event)])


@dataclass(frozen=True)
class ReceptionDay:
    reception_id: str
    kind: ReceptionKind
    unit_codes: tuple[str, ...]  # the departments at a joint reception's window


def _stored(ledger: LedgerApplication, events: Sequence[Any]) -> list[tuple[datetime, StoredEvent]]:
    return [(e.timestamp, ledger.mapper.to_stored_event(e)) for e in events]


@contextmanager
def generated_ids(seed: int) -> Iterator[None]:
    """Receptions' and recommendations' ids from the seed and a counter, within the generator."""
    counter = itertools.count()

    def next_id() -> UUID:
        return uuid5(NAMESPACE_URL, f"/xinfang/generated/{seed}/{next(counter)}")

    with mock.patch.object(practices, "uuid4", next_id), mock.patch.object(recommendations, "uuid4", next_id):
        yield


def escalation_policy(ledger: LedgerApplication, at: datetime) -> list[StoredEvent]:
    """The county puts the escalation policy in force from the first day of its history."""
    admin = Actor("gen-admin", Role.ADMIN.value, None)
    with command_context(
        actor=admin, occurred_at=at, now=at, reason="县委信访工作制度", request_id="gen-policy"
    ):
        book = PolicyAdoptions.open()
        book.set_local_policy(option=LocalPolicy.ESCALATION, in_force=True, effective_from=local_date(at))
    return [ledger.mapper.to_stored_event(e) for e in book.collect_events()]


def receptions(
    ledger: LedgerApplication,
    county: County,
    seed: int,
    first: datetime,
    anchor: datetime,
    recorded: list[datetime],
) -> tuple[TIMED, dict[date, ReceptionDay]]:
    """A reception day a week from `first` to the anchor, recorded that morning before any case."""
    rng = random.Random(f"{seed}:receptions")
    supervisor = Actor(county.supervisors[0], Role.SUPERVISOR.value, COUNTY_CODE)
    departments = [code for code, _ in DEPARTMENTS]
    timed: TIMED = []
    days: dict[date, ReceptionDay] = {}
    day = local_date(first) + timedelta(days=1)
    for n in itertools.count():
        held_at = datetime.combine(day, time(8, 30), anchor.tzinfo) - timedelta(hours=8)  # 08:30 Beijing
        if held_at > anchor:
            break
        joint = n % JOINT_EVERY == JOINT_EVERY - 1
        unit = departments[n % len(departments)]  # the department heads take turns (轮流接访)
        present = tuple(sorted(rng.sample(departments, rng.randint(2, 4)))) if joint else ()
        recorded[0] = held_at + timedelta(minutes=5)
        with command_context(actor=supervisor, occurred_at=held_at, now=recorded[0], reason=None,
                             request_id=f"gen-reception-{n}"):  # fmt: skip
            reception = practices.Reception.record(
                leader_id=county.leaders_of[unit][0], held_on=day, place=JOINT_HALL if joint else HALL,
                kind=ReceptionKind.JOINT if joint else ReceptionKind.LEADER_DAY, unit_code=unit, unit_codes=present,
            )  # fmt: skip
        days[day] = ReceptionDay(str(reception.id), reception.kind, present)
        timed.append((held_at, _stored(ledger, reception.collect_events())))
        day += timedelta(days=RECEPTION_EVERY_DAYS)
    return timed, days


RECOMMENDATIONS = [
    (RecommendationKind.IMPROVE, "建议规范信访事项受理告知，按期出具书面告知书", 50),
    (RecommendationKind.IMPROVE, "建议落实首接责任制，减少重复交办", 20),
    (RecommendationKind.POLICY, "建议完善征地补偿标准公示制度", 15),
    (RecommendationKind.ACCOUNTABILITY, "建议对推诿拖延办理信访事项的有关人员追究责任", 15),
]


def recommendation_events(
    ledger: LedgerApplication,
    county: County,
    seed: int,
    first: datetime,
    anchor: datetime,
    recorded: list[datetime],
) -> TIMED:
    """One recommendation to a township about every ten days, with its unit's written feedback."""
    rng = random.Random(f"{seed}:recommendations")
    timed: TIMED = []
    at = first + timedelta(days=5, hours=2)
    n = 0
    while at <= anchor:
        kind, text, _ = rng.choices(RECOMMENDATIONS, weights=[w for *_, w in RECOMMENDATIONS])[0]
        target = rng.choice(county.townships)
        supervisor = Actor(rng.choice(county.supervisors), Role.SUPERVISOR.value, COUNTY_CODE)
        recorded[0] = at + timedelta(minutes=10)
        with command_context(actor=supervisor, occurred_at=at, now=recorded[0], reason=None,
                             request_id=f"gen-recommendation-{n}"):  # fmt: skip
            rec = Recommendation.issue(kind=kind, target_unit_code=target, text=text, issuing_unit=COUNTY_CODE,
                                       policy_version=default_policy_version())  # fmt: skip
        draw = rng.random()
        days = rng.uniform(3, 28) if draw < FEEDBACK_ON_TIME else rng.uniform(32, 60)
        answered = at + timedelta(days=days)
        if draw < FEEDBACK_ON_TIME + FEEDBACK_LATE and answered <= anchor:
            officer = Actor(county.officers_of[target][0], Role.OFFICER.value, target)
            adopted = rng.random() < 0.8
            recorded[0] = answered + timedelta(minutes=10)
            with command_context(actor=officer, occurred_at=answered, now=recorded[0], reason=None,
                                 request_id=f"gen-feedback-{n}"):  # fmt: skip
                rec.give_feedback(adopted=adopted,
                                  text="已采纳，已制定整改措施并落实" if adopted else "经研究，现行做法已能满足要求，暂不采纳")  # fmt: skip
        timed.append((at, _stored(ledger, rec.collect_events())))
        at += timedelta(days=RECOMMENDATION_EVERY_DAYS, minutes=rng.randint(0, 240))
        n += 1
    return timed
