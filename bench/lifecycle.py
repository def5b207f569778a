"""One petition case's life, driven through the real `Case` command methods.

Every step runs the domain's own rules (chronology, clocks, review windows...) inside a
command context whose `now` is the simulated moment the entry was recorded, so the events
are exactly those the service would have written. Proportions are set so a county's
published rates come out: on-time closure ~99%, satisfaction ~84%.
"""

from __future__ import annotations

import contextlib
import random
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from unittest import mock
from uuid import UUID

from faker import Faker

from bench.county import COUNTY_CODE, REGION_CODE, County
from bench.practices import ReceptionDay
from domain.case import ESCALATION_ASSIGNMENTS, Case
from domain.context import command_context
from domain.ledger import LedgerEvent
from domain.policy import default_policy_version, local_date
from domain.process import has_appeal_chain, has_handling_period
from domain.values import Actor, Petitioner
from domain.vocabulary import (
    AnswerOutcome,
    Channel,
    ClearanceBasis,
    ClosureType,
    ContactMethod,
    DossierItem,
    Kind,
    Measure,
    MediationOutcome,
    NotAcceptedReason,
    Pathway,
    ProgressStep,
    ReceptionKind,
    ReviewDecision,
    Satisfaction,
    TerminationBasis,
)

# Issue 21: the generated county's backlog campaign (opened with its reference data), and the
# share of petitions by someone who petitioned before (初信初访 is the rest: ~88%).
CAMPAIGN_ID = "gen-jaan"
REPEAT_PETITIONER = 0.12
# Complaint requests assigned three or more times and the petitioner still unsatisfied (集中督办,
# Yongxing's escalation policy, bench/practices.py); of those, the share settled at a later visit.
ESCALATED = 0.01
ESCALATED_SETTLED = 0.6

CHANNELS = [
    (Channel.ONLINE, 45),
    (Channel.VISIT, 25),
    (Channel.PHONE, 15),
    (Channel.LETTER, 10),
    (Channel.EMAIL, 5),
]
MATTERS = [
    ("land", "dept-land", ["土地征收补偿款未足额发放", "宅基地纠纷调处", "承包地被占用"], 18),
    ("labour", "dept-hrss", ["拖欠农民工工资", "工伤认定争议", "社保断缴"], 15),
    ("housing", "dept-housing", ["小区物业收费不合理", "房屋质量问题", "棚改安置延期"], 14),
    ("social_security", "dept-civil", ["低保资格认定有异议", "残疾人补贴未发放"], 10),
    ("environment", "dept-env", ["道路施工噪音扰民", "养殖场污染", "企业排污"], 9),
    ("urban_management", "dept-urban", ["违章建筑", "占道经营"], 8),
    ("health", "dept-health", ["医保报销比例争议", "医疗纠纷"], 7),
    ("education", "dept-edu", ["学校划片入学问题", "校车安全"], 7),
    ("rural_affairs", None, ["村务不公开", "集体收益分配"], 12),
]
SATISFACTION = [
    (Satisfaction.SATISFIED, 60),
    (Satisfaction.BASICALLY_SATISFIED, 24),
    (Satisfaction.UNSATISFIED, 16),
]
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


class CaseEnded(Exception):
    """The next step would happen after the generator's 'now': the case stays open there."""


def _weighted(rng: random.Random, choices: list[tuple[Any, int]]) -> Any:
    return rng.choices([c for c, _ in choices], weights=[w for _, w in choices])[0]


@contextmanager
def recorded_clock() -> Iterator[list[datetime]]:
    """Events take their `timestamp` (when recorded) from the simulated clock, not the machine's,
    so the same seed gives the same bytes and hashes. Single-threaded use only (the generator)."""
    holder = [datetime.min]
    with mock.patch.object(LedgerEvent, "create_timestamp", staticmethod(lambda: holder[0])):
        yield holder


@dataclass
class Driver:
    """Runs commands on one case at simulated moments, in order."""

    case: Any
    clock: datetime
    anchor: datetime
    recorded: list[datetime]
    rng: random.Random
    request_seq: int = 0

    def later(self, days: float) -> datetime:
        """Advance the clock by about `days` (office hours jitter); stop at the anchor."""
        self.clock += timedelta(days=days, minutes=self.rng.randint(5, 240))
        if self.clock > self.anchor:
            raise CaseEnded
        return self.clock

    def run(
        self, actor: Actor, method: str, /, *, reason: str | None = None, delay_minutes: int = 0, **kw: Any
    ) -> None:
        recorded = self.clock + timedelta(minutes=delay_minutes or self.rng.randint(1, 30))
        recorded = min(recorded, self.anchor)
        self.recorded[0] = recorded
        self.request_seq += 1
        with command_context(
            actor=actor, occurred_at=self.clock, now=recorded, reason=reason,
            request_id=f"gen-{self.request_seq}",
        ):  # fmt: skip
            if method == "register":
                self.case = Case.register(**kw)
            else:
                getattr(self.case, method)(**kw)
        # The next step cannot be recorded before this one was (late entries push the clock on).
        self.clock = max(self.clock, recorded)


def id_number(rng: random.Random) -> str:
    """A well-formed 18-digit resident id number (GB 11643 check digit)."""
    born = 1945 * 365 + rng.randrange(60 * 365)
    body = f"330110{1945 + born // 365 - 1945:04d}{1 + rng.randrange(12):02d}{1 + rng.randrange(28):02d}{rng.randrange(1000):03d}"
    check = _ID_CHECK[sum(int(c) * w for c, w in zip(body, _ID_WEIGHTS, strict=True)) % 11]
    return body + check


class CaseWriter:
    """Draws one case's whole history; the caller collects its pending events."""

    def __init__(self, county: County, fake: Faker, anchor: datetime, recorded: list[datetime]) -> None:
        self.county = county
        self.fake = fake
        self.anchor = anchor
        self.recorded = recorded
        self.recent: list[UUID] = []  # earlier cases a repeat petition may link to
        self.petitioners: list[Petitioner] = []  # recent petitioners, some of whom come again
        self.actors: dict[str, Actor] = {
            u.user_id: Actor(u.user_id, u.role, u.unit_code) for u in county.users
        }
        # Reception days by China date (bench/practices.py) and the share of that day's complaint
        # requests received there; none unless the generator sets them.
        self.receptions: dict[date, ReceptionDay] = {}
        self.reception_share = 0.0

    def write(self, n: int, seed: int, registered_at: datetime) -> Any:
        rng = random.Random(f"{seed}:{n}")
        d = Driver(None, registered_at, self.anchor, self.recorded, rng)
        # The practices' draws (issue 21) come from a stream of their own, so adding them left
        # every other draw of a case where it was.
        practices = random.Random(f"{seed}:{n}:practices")
        with contextlib.suppress(CaseEnded):  # the rest of its life is after 'now'
            self._life(n, rng, d, practices)
        if len(self.recent) < 500 or rng.random() < 0.05:
            self.recent.append(d.case.id)
            self.recent = self.recent[-500:]
        return d.case

    def _a(self, user_id: str) -> Actor:
        return self.actors[user_id]

    def _life(self, n: int, rng: random.Random, d: Driver, extra: random.Random) -> None:  # noqa: PLR0912 - one story
        c = self.county
        township = rng.choice(c.townships)
        village = rng.choice(c.villages[township])
        category, department, subjects, _ = _weighted(rng, [(m, m[3]) for m in MATTERS])
        kind = _weighted(rng, [(Kind.COMPLAINT_REQUEST, 88), (Kind.SUGGESTION, 5), (Kind.ACCUSATION, 7)])
        headcount = 1 if rng.random() < 0.9 else rng.randint(2, 12)
        petitioners = tuple(
            Petitioner(
                self.fake.name(), id_number(rng), f"1{rng.choice('3589')}{rng.randrange(10**9):09d}",
                self.fake.address() if rng.random() < 0.7 else None,
            )
            for _ in range(min(headcount, rng.randint(1, 3)))
        )  # fmt: skip
        if self.petitioners and rng.random() < REPEAT_PETITIONER:  # not a first petition (初信初访)
            petitioners = (rng.choice(self.petitioners), *petitioners[1:])
        self.petitioners = [*self.petitioners[-999:], petitioners[0]]
        subject = rng.choice(subjects)
        accused_leader = rng.choice(c.leaders_of[township]) if kind is Kind.ACCUSATION else None
        registrar = self._a(rng.choice(c.registrars))
        late_entry = rng.random() < 0.02
        delay = rng.randint(26 * 60, 5 * 24 * 60) if late_entry else 0
        channel = _weighted(rng, CHANNELS)
        reception = self.receptions.get(local_date(d.clock))
        if reception is not None and kind is Kind.COMPLAINT_REQUEST and extra.random() < self.reception_share:
            channel, delay = Channel.VISIT, 0  # received at the leader's reception that day (领导接访)
        else:
            reception = None
        d.run(
            registrar, "register",
            delay_minutes=delay, reception_id=reception.reception_id if reception else None,
            channel=channel, kind=kind, petitioners=petitioners, headcount=headcount,
            subject=f"{subject}（{village}）" if kind is not Kind.ACCUSATION else f"检举{subject}问题",
            content=f"{petitioners[0].name}反映：{subject}，请求依法处理。{self.fake.sentence()}",
            category="discipline" if kind is Kind.ACCUSATION else category,
            region_code=REGION_CODE, received_unit=COUNTY_CODE, policy_version=default_policy_version(),
            external_ref=f"GEN-{n:08d}",
            accused_unit=township if kind is Kind.ACCUSATION else None, accused_leader=accused_leader,
        )  # fmt: skip
        if rng.random() < 0.02 and self.recent:
            d.later(0.01)
            d.run(registrar, "link_repeat", earlier_case_id=rng.choice(self.recent), earlier_terminated=False)
        screening = rng.random()
        d.later(rng.uniform(0.2, 6))
        if screening < 0.12:
            self._not_handled(rng, d, registrar, screening)
            return
        # R5: the written notice goes out the day of the outcome (it stops the screening clock)
        d.run(registrar, "accept", accepting_unit=COUNTY_CODE, notice_issued_on=local_date(d.clock))
        if kind is Kind.ACCUSATION:  # 第三十条: never the accused; the county department handles it
            unit = department or "dept-civil"
        else:
            unit = township if department is None or rng.random() < 0.6 else department
        leader = rng.choice(c.leaders_of[unit])
        officer = rng.choice(c.officers_of[township]) if unit in c.officers_of else None
        supervisor = self._a(rng.choice(c.supervisors))
        assigner = supervisor
        if reception is not None and reception.kind is ReceptionKind.JOINT:
            # 联合接访: handed at once to a department at the window, by the registrar there
            unit = extra.choice(reception.unit_codes)
            leader, officer, assigner = extra.choice(c.leaders_of[unit]), None, registrar
        d.later(rng.uniform(0.1, 2))
        d.run(assigner, "assign", unit_code=unit, leader_id=leader, officer_id=officer)
        accepted = d.case.accepted_at
        handler = self._a(officer) if officer else supervisor
        if rng.random() < 0.06:  # reassignment (wrong township, leader change)
            d.later(rng.uniform(1, 6))
            other = rng.choice([t for t in c.townships if t not in (township, d.case.accused_unit)])
            leader = rng.choice(c.leaders_of[other])
            officer = rng.choice(c.officers_of[other])
            handler = self._a(officer)
            d.run(supervisor, "reassign", unit_code=other, leader_id=leader, officer_id=officer)
        escalated = kind is Kind.COMPLAINT_REQUEST and extra.random() < ESCALATED
        while escalated and d.case.assignment_count < ESCALATION_ASSIGNMENTS:
            # passed on again and again (交办 three times or more): another township each time
            d.later(extra.uniform(1, 6))
            other = extra.choice([t for t in c.townships if t != d.case.unit_code])
            leader, officer = extra.choice(c.leaders_of[other]), extra.choice(c.officers_of[other])
            handler = self._a(officer)
            d.run(supervisor, "reassign", unit_code=other, leader_id=leader, officer_id=officer)
        if rng.random() < 0.10:
            d.later(rng.uniform(0.5, 4))
            d.run(
                supervisor,
                "instruct",
                leader_id=leader,
                text=f"请{self.fake.name()}同志牵头办理，依法依规解决。",
            )
        for step in rng.sample(list(ProgressStep), rng.randint(1, 3)):
            d.later(rng.uniform(1, 7))
            d.run(
                handler,
                "record_progress",
                step=step,
                note=self.fake.sentence() if rng.random() < 0.5 else None,
            )
        if rng.random() < 0.08:
            d.later(rng.uniform(1, 5))
            d.run(supervisor, "supervise", supervisor_id=supervisor.user_id,
                  reply_by=local_date(d.clock) + timedelta(days=10), text="请于期限内报送办理情况")  # fmt: skip
            if rng.random() < 0.9:
                d.later(rng.uniform(1, 9))
                d.run(
                    handler, "answer_supervision", supervision_version=None, reply="已按要求办理并报送情况。"
                )
        mediated = rng.random() < 0.05
        if mediated:
            d.later(rng.uniform(1, 5))
            d.run(handler, "record_mediation", outcome=MediationOutcome.AGREEMENT, document_sha256=_sha(rng))
        if rng.random() < 0.15:
            d.later(rng.uniform(0.1, 3))
            d.run(handler, "add_note", text=self.fake.sentence())
        if rng.random() < 0.10:
            d.later(rng.uniform(0.1, 3))
            d.run(
                handler,
                "attach_document",
                file_name="调查笔录.pdf",
                media_type="application/pdf",
                sha256=_sha(rng),
            )
        if rng.random() < 0.03:
            d.later(0.01)
            d.run(self._a("insp-1"), "record_personal_data_view", purpose="核实信访人身份")
        if rng.random() < 0.02:
            d.later(0.05)
            new = rng.choice([m[0] for m in MATTERS if m[0] != d.case.category])
            d.run(registrar, "correct", reason="登记类别有误", target_version=1, target_type="Registered",
                  field="category", old_value=d.case.category, new_value=new)  # fmt: skip
        # Answer: ~95% well inside 60 days, ~4% extended, ~1% late (no extension).
        path = rng.random()
        elapsed = (d.clock - accepted).total_seconds() / 86400
        # An extension is granted while the 60 days still run (第三十四条), never after.
        # Only a complaint request has a handling period to extend (R4).
        if path < 0.04 and elapsed < 55 and has_handling_period(d.case.kind):
            d.clock = max(d.clock, accepted + timedelta(days=rng.uniform(48, 55)))
            if d.clock > self.anchor:
                raise CaseEnded
            d.run(self._a("leader-1") if rng.random() < 0.3 else supervisor, "extend",
                  reason="案情复杂需补充调查", days=rng.randint(15, 30), approved_by=self.fake.name(),
                  petitioner_notified_on=local_date(d.clock))  # fmt: skip
            target = rng.uniform(58, 60 + d.case.extension_days - 6) if d.case.extension_days else 56.0
        elif path < 0.05:
            target = rng.uniform(63, 80)
        else:
            target = rng.uniform(min(elapsed + 1, 50), 52) if elapsed < 51 else elapsed + 0.2
        d.later(max(0.1, target - (d.clock - accepted).total_seconds() / 86400))
        d.run(handler, "answer", outcome=_weighted(rng, [(AnswerOutcome.SUPPORT, 45), (AnswerOutcome.EXPLAIN, 45), (AnswerOutcome.REJECT, 10)]),
              delivered_on=local_date(d.clock), document_sha256=_sha(rng) if rng.random() < 0.5 else None)  # fmt: skip
        satisfaction = _weighted(rng, SATISFACTION)
        if escalated:
            satisfaction = Satisfaction.UNSATISFIED
        d.later(rng.uniform(0.5, 3))
        d.run(handler, "record_return_visit", satisfaction=satisfaction, signed=rng.random() < 0.8,
              method=_weighted(rng, [(ContactMethod.PHONE, 60), (ContactMethod.VISIT, 30), (ContactMethod.ONLINE, 10)]),
              comment=None)  # fmt: skip
        if escalated:
            # on the month's concentrated supervision list; it closes only once the petitioner is
            # satisfied (the policy's closing rule), which most come to at a later visit
            if extra.random() < ESCALATED_SETTLED:
                d.later(extra.uniform(20, 75))
                d.run(handler, "record_return_visit", signed=True, method=ContactMethod.VISIT, comment=None,
                      satisfaction=extra.choice([Satisfaction.SATISFIED, Satisfaction.BASICALLY_SATISFIED]))  # fmt: skip
                d.later(extra.uniform(0.1, 2))
                d.run(handler, "close", closure_type=ClosureType.RESOLVED, escalation_in_force=True)
            return
        d.later(rng.uniform(0.1, 1.5))
        closure = (
            ClosureType.MEDIATED
            if mediated
            else rng.choice([ClosureType.RESOLVED, ClosureType.ANSWERED_ONLY])
        )
        d.run(handler, "close", closure_type=closure)
        if d.case.answer_outcome is AnswerOutcome.SUPPORT and rng.random() < 0.85:
            # 落实 (issue 21): most supported answers are carried out within the 30 days, some
            # late; the rest are still owed (on the overdue list)
            d.later(rng.uniform(3, 40))
            d.run(handler, "record_implementation", done_on=local_date(d.clock), note=None)
        if path >= 0.04 and path < 0.05 and rng.random() < 0.5:
            d.later(rng.uniform(3, 20))
            d.run(self._a("insp-1"), "record_accountability", measure=Measure.INTERVIEW,
                  basis="未在法定期限内办结", decided_by="insp-1", target_leader_id=leader)  # fmt: skip
            if rng.random() < 0.3:  # 第三十九条: the unit's failing put under listed supervision
                d.run(self._a("insp-1"), "record_accountability", measure=Measure.LISTED_SUPERVISION,
                      basis="逾期未办结，挂牌督办", decided_by="insp-1", target_leader_id=leader)  # fmt: skip
        if satisfaction is Satisfaction.UNSATISFIED and rng.random() < 0.35:
            self._review(rng, d, registrar)
            return
        if rng.random() < 0.02:
            d.later(rng.uniform(1, 10))
            d.run(supervisor, "designate_backlog", campaign=CAMPAIGN_ID, designated_by=supervisor.user_id)
            if rng.random() < 0.6:  # most are struck off (销号) once closed, on their leader's approval
                d.later(rng.uniform(5, 40))
                d.run(supervisor, "clear_backlog", campaign=CAMPAIGN_ID, approved_by=leader,
                      basis=ClearanceBasis.CLOSED, cleared_by=supervisor.user_id)  # fmt: skip
        if rng.random() < 0.4:
            d.later(rng.uniform(31, 60))
            d.run(registrar, "archive", dossier=tuple(DossierItem))

    def _not_handled(self, rng: random.Random, d: Driver, registrar: Actor, draw: float) -> None:
        if draw < 0.05:
            d.run(registrar, "not_accept", reason_code=rng.choice(list(NotAcceptedReason)),
                  notice_issued_on=local_date(d.clock))  # fmt: skip
        elif draw < 0.09:
            d.run(
                registrar,
                "divert",
                pathway=rng.choice(list(Pathway)),
                institution=f"{self.fake.city_name()}人民法院",
                notice_issued_on=local_date(d.clock),
            )
        else:
            d.run(
                registrar,
                "transfer",
                authority=f"{self.fake.city_name()}市信访局",
                notice_issued_on=local_date(d.clock),
            )
        if rng.random() < 0.5:
            d.later(rng.uniform(5, 40))
            d.run(registrar, "archive", dossier=tuple(DossierItem))

    def _review(self, rng: random.Random, d: Driver, registrar: Actor) -> None:
        if not has_appeal_chain(d.case.kind):
            return  # a suggestion's reply and an accusation have no review here (R4)
        reviewer = Actor("reg-1", "registrar", COUNTY_CODE)
        d.later(rng.uniform(1, 8))
        answered = d.case.answer_delivered_on
        if answered is None or (local_date(d.clock) - answered).days > 25:
            return  # the 30-day review window (第三十五条) has passed: no review
        d.run(registrar, "request_review", requested_on=local_date(d.clock))
        d.later(rng.uniform(5, 28))
        decision = ReviewDecision.UPHELD if rng.random() < 0.85 else ReviewDecision.CHANGED
        d.run(
            reviewer,
            "decide_review",
            reviewing_unit=COUNTY_CODE,
            decision=decision,
            delivered_on=local_date(d.clock),
        )
        if rng.random() < 0.25:
            d.later(rng.uniform(2, 25))
            d.run(registrar, "request_re_review", requested_on=local_date(d.clock))
            if rng.random() < 0.3:
                d.later(rng.uniform(3, 10))
                day = local_date(d.clock)
                d.run(reviewer, "hold_hearing", started_on=day, ended_on=day)
            d.later(rng.uniform(5, 25))
            d.run(reviewer, "decide_re_review", reviewing_unit=COUNTY_CODE, decision=ReviewDecision.UPHELD,
                  delivered_on=local_date(d.clock))  # fmt: skip
        else:  # no re-review asked for in time: the matter is terminated (第三十六条)
            d.later(rng.uniform(32, 45))
            d.run(registrar, "terminate", basis=TerminationBasis.NO_REVIEW_IN_TIME)


def _sha(rng: random.Random) -> str:
    return f"{rng.getrandbits(256):064x}"


def moments(count: int, anchor: datetime, span_days: int) -> Iterator[datetime]:
    """Registration moments spread evenly over `span_days` before the anchor, office hours."""
    start = anchor - timedelta(days=span_days)
    for n in range(count):
        day = start + timedelta(days=span_days * n / max(count, 1))
        yield day.replace(hour=1 + (n * 7) % 8, minute=(n * 13) % 60, second=0, microsecond=0)
