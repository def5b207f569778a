"""A small demo data set: a county's units, leaders, one user per role and ~40 cases in every stage.

It reads as an office's month on the day it started keeping the ledger: the month's cases were
entered from the paper 台账 today, so they are late entries (补录) and say so in their reason;
today's own intake (registered in the last hours) is entered as it happens and is not. The
ledger's recording time is the database's clock, so no other honest split is possible."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID

from domain.application import LedgerApplication
from domain.context import command_context
from domain.errors import DomainError, NotFound
from domain.policy import local_date
from domain.values import Actor, Petitioner
from domain.vocabulary import Channel, Kind, LocalPolicy, ReceptionKind, RecommendationKind, Role

DEMO_MARKER_UNIT = "demo-county"
UNITS = [
    ("demo-county", "示范县信访局", None),
    ("demo-dongcheng", "东城镇人民政府", "demo-county"),
    ("demo-xishan", "西山乡人民政府", "demo-county"),
    ("demo-nanhu", "南湖街道办事处", "demo-county"),
    ("demo-dongcheng-v1", "东城镇李家村", "demo-dongcheng"),
    ("demo-xishan-v1", "西山乡王庄村", "demo-xishan"),
]
LEADERS = [
    ("L-zhao", "赵建国", "demo-dongcheng", "镇长"),
    ("L-qian", "钱卫东", "demo-xishan", "乡长"),
    ("L-sun", "孙丽华", "demo-nanhu", "街道办主任"),
    ("L-li", "李志强", "demo-dongcheng", "党委书记"),
]
# Demo tokens are well known on purpose: this data is for trying the service, never for real use.
USERS = [
    ("demo-admin", "管理员", Role.ADMIN, None, None),
    ("demo-registrar", "登记员 周敏", Role.REGISTRAR, "demo-county", None),
    ("demo-supervisor", "督办 吴刚", Role.SUPERVISOR, "demo-county", None),
    ("demo-officer", "承办人 郑洁", Role.OFFICER, "demo-dongcheng", None),
    ("demo-leader", "包案领导 赵建国", Role.LEADER, "demo-dongcheng", "L-zhao"),
    ("demo-inspector", "纪检 王正", Role.INSPECTOR, "demo-county", None),
    ("demo-accused", "西山乡 干部", Role.OFFICER, "demo-xishan", None),
]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = ["伟", "芳", "娜", "秀英", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛"]
MATTERS = [
    ("土地征收补偿款未足额发放", "land"),
    ("拖欠农民工工资", "labour"),
    ("小区物业收费不合理", "housing"),
    ("低保资格认定有异议", "social_security"),
    ("道路施工噪音扰民", "environment"),
    ("宅基地纠纷调处", "land"),
    ("医保报销比例争议", "health"),
    ("学校划片入学问题", "education"),
    ("占道经营影响通行", "urban_management"),
    ("灌溉水渠年久失修", "rural_affairs"),
    ("企业未缴纳社会保险", "labour"),
]
BACK_ENTRY = "据纸质信访台账补录"
# One case in four is today's intake, entered as it happens; the rest come from the paper 台账.
TODAY_EVERY = 4


def demo_token(user_id: str) -> str:
    return f"{user_id}-token"


@dataclass
class DemoClock:
    """Hands out increasing times in the past, so every step happens after the one before."""

    at: datetime

    def step(self, days: float) -> datetime:
        self.at += timedelta(days=days)
        return self.at


def load_demo(ledger: LedgerApplication, *, cases: int = 40, seed: int = 7) -> dict[str, str]:
    """Load the demo set unless it is there already; returns user id → token."""
    tokens = {u[0]: demo_token(u[0]) for u in USERS}
    try:
        ledger.get_unit(DEMO_MARKER_UNIT)
        return tokens
    except NotFound:
        pass
    admin = Actor("demo-admin", Role.ADMIN.value, None)
    # The county's units, leaders' posts and users date from well before its cases (a leader's
    # reception day needs the post he held that day).
    with command_context(
        actor=admin, reason="demo data", occurred_at=datetime.now(UTC) - timedelta(days=400)
    ):
        for code, name, parent in UNITS:
            ledger.create_unit(code=code, name=name, parent_code=parent)
        for leader_id, name, unit, post in LEADERS:
            ledger.appoint_leader(leader_id=leader_id, name=name, unit_code=unit, post=post)
        for user_id, user_name, role, user_unit, user_leader in USERS:
            ledger.create_user(
                user_id=user_id,
                name=user_name,
                role=role,
                unit_code=user_unit,
                leader_id=user_leader,
                token=tokens[user_id],
            )
    rng = random.Random(seed)  # noqa: S311 - demo data, not security
    made = [_demo_case(ledger, rng, n) for n in range(cases)]  # each drawn from the seeded generator
    # today's intake (registered hours ago) is not yet on a campaign designated two days back
    designated = [c for c, n in made if n % 10 in (1, 2, 5, 7, 8) and n % 3 == 0 and n % TODAY_EVERY != 1]
    _demo_campaign(ledger, designated)
    _demo_reception_day(ledger, rng)
    _demo_practices(ledger)
    return tokens


CAMPAIGN_ID = "demo-2026-jaan"
CAMPAIGN_NAME = "2026年积案化解专项行动"


def _demo_campaign(ledger: LedgerApplication, case_ids: list[UUID]) -> None:
    """A backlog campaign (积案化解专项) due ten days ago: its closed cases struck off (销号) on their
    包案领导's approval, the others still open on the board, past the due date."""
    now = datetime.now(UTC)
    opened = now - timedelta(days=160)
    with command_context(
        actor=_actor("demo-supervisor"), occurred_at=opened, reason="县委县政府部署积案化解"
    ):
        ledger.open_campaign(campaign_id=CAMPAIGN_ID, name=CAMPAIGN_NAME, starts_on=local_date(opened),
                             due_on=local_date(now - timedelta(days=10)))  # fmt: skip
    for i, case_id in enumerate(case_ids):
        at = now - timedelta(days=2, minutes=10 * (len(case_ids) - i))
        _run(ledger, "demo-supervisor", case_id, "backlog", {"campaign_id": CAMPAIGN_ID}, at, None)
        case = ledger.get_case(case_id)
        if case.status.value == "closed" and case.leader_id is not None:  # approved by its 包案领导
            _run(ledger, "demo-supervisor", case_id, "backlog-clear",
                 {"approved_by_leader_id": case.leader_id, "basis": "closed"}, at + timedelta(days=1), "已办结，回访满意")  # fmt: skip


def _demo_reception_day(ledger: LedgerApplication, rng: random.Random) -> None:
    """东城镇镇长's reception day (领导接访日) 25 days ago: three petitions registered there, one by a
    petitioner with an earlier case (so not a first petition); one resolved, one in handling, one
    just registered; and a joint reception (联合接访) with the township and the street office."""
    now = datetime.now(UTC)
    held = datetime.combine(local_date(now - timedelta(days=25)), datetime.min.time(), tzinfo=UTC)
    held = held + timedelta(hours=1, minutes=30)  # 09:30 in China
    with command_context(actor=_actor("demo-supervisor"), occurred_at=held):
        reception_id, _ = ledger.record_reception(
            leader_id="L-zhao",
            held_on=local_date(held),
            place="东城镇综治中心接待室",
            kind=ReceptionKind.LEADER_DAY,
            unit_codes=(),
        )
        ledger.record_reception(
            leader_id="L-sun", held_on=local_date(held), place="县群众工作部联合接访大厅", kind=ReceptionKind.JOINT,
            unit_codes=("demo-dongcheng", "demo-nanhu"),
        )  # fmt: skip
    repeat_id = f"3301{rng.randint(10**13, 10**14 - 1)}"
    for i, (subject, category, stage) in enumerate(
        (("村道硬化工程占地补偿", "land", "closed"), ("养殖场异味扰民", "environment", "in_handling"),
         ("村集体经济收益分配不公", "land", "registered"))
    ):  # fmt: skip
        at = held + timedelta(minutes=40 * i)
        name = rng.choice(SURNAMES) + rng.choice(GIVEN)
        id_number = repeat_id if i == 2 else f"3301{rng.randint(10**13, 10**14 - 1)}"
        if i == 2:  # the same petitioner came before: an earlier letter, registered first
            with command_context(
                actor=_actor("demo-registrar"), occurred_at=at - timedelta(days=60), reason=BACK_ENTRY
            ):
                ledger.register_case(**_reception_case(name, id_number, "村务公开不及时", "land", None))
        with command_context(actor=_actor("demo-registrar"), occurred_at=at, reason=BACK_ENTRY):
            case_id = ledger.register_case(
                **_reception_case(name, id_number, subject, category, reception_id)
            ).case_id
        if stage == "registered":
            continue
        day = local_date(at)
        _run(
            ledger,
            "demo-registrar",
            case_id,
            "accept",
            {"notice_issued_on": day},
            at + timedelta(hours=1),
            None,
        )
        _run(ledger, "demo-supervisor", case_id, "assign",
             {"unit_code": "demo-dongcheng", "leader_id": "L-zhao", "officer_id": "demo-officer"},
             at + timedelta(hours=2), None)  # fmt: skip
        if stage == "closed":
            answered = at + timedelta(days=12)
            _run(ledger, "demo-officer", case_id, "answer",
                 {"outcome": "support", "delivered_on": local_date(answered)}, answered, None)  # fmt: skip
            _run(ledger, "demo-officer", case_id, "return-visit",
                 {"satisfaction": "satisfied", "signed": True, "method": "visit"}, answered + timedelta(days=2), None)  # fmt: skip
            _run(ledger, "demo-officer", case_id, "close", {"closure_type": "resolved"},
                 answered + timedelta(days=3), None)  # fmt: skip


def _reception_case(
    name: str, id_number: str, subject: str, category: str, reception_id: str | None
) -> dict[str, Any]:
    return {
        "channel": Channel.VISIT if reception_id else Channel.LETTER, "kind": Kind.COMPLAINT_REQUEST,
        "petitioners": (Petitioner(name, id_number, f"139{id_number[-8:]}", "示范县东城镇"),),
        "headcount": 1, "subject": subject, "content": f"{name}反映：{subject}。", "category": category,
        "region_code": "330100", "received_unit": "demo-dongcheng", "reception_id": reception_id,
    }  # fmt: skip


def _actor(user_id: str) -> Actor:
    user = next(u for u in USERS if u[0] == user_id)
    return Actor(user_id, user[2].value, user[3])


def _demo_case(ledger: LedgerApplication, rng: random.Random, n: int) -> tuple[UUID, int]:
    now = datetime.now(UTC)
    today = n % TODAY_EVERY == 1
    clock = DemoClock(now - timedelta(days=rng.randint(20, 150), hours=rng.randint(0, 8)))
    # today's intake: registered a few hours ago, its steps hours apart (a day's work, not a month's)
    scale = 1 / 24 if today else 1.0
    if today:
        clock = DemoClock(now - timedelta(hours=rng.randint(8, 20), minutes=rng.randint(0, 59)))
    subject, category = MATTERS[n % len(MATTERS)]
    accusation = n % 13 == 5
    name = rng.choice(SURNAMES) + rng.choice(GIVEN)
    fields: dict[str, Any] = {
        "channel": rng.choice(list(Channel)),
        "kind": Kind.ACCUSATION if accusation else rng.choice([Kind.COMPLAINT_REQUEST, Kind.SUGGESTION]),
        "petitioners": (
            Petitioner(
                name,
                f"3301{rng.randint(10**13, 10**14 - 1)}",
                f"139{rng.randint(10**7, 10**8 - 1)}",
                "示范县",
            ),
        ),
        "headcount": 1,
        "subject": ("检举西山乡干部截留补助资金" if accusation else subject),
        "content": f"{name}反映：{subject}，请求依法处理。",
        "category": "discipline" if accusation else category,
        "region_code": "330100",
        "received_unit": "demo-county",
        "accused_unit": "demo-xishan" if accusation else None,
        "accused_leader": "L-qian" if accusation else None,
    }
    stage = n % 10
    if stage in (3, 6) and not accusation:  # extended or reviewed: only a complaint request is (R4)
        fields["kind"] = Kind.COMPLAINT_REQUEST
    reason = None if today else BACK_ENTRY
    with command_context(actor=_actor("demo-registrar"), occurred_at=clock.step(0), reason=reason):
        case_id = ledger.register_case(**fields).case_id
    steps: list[tuple[str, str, dict[str, Any], float, str | None]] = [
        # the written notice of acceptance goes out the same day (第二十二条、第二十三条)
        ("demo-registrar", "accept", {"notice_issued_on": None, "notice_mode": "written"}, 2, None),
        (
            "demo-supervisor",
            "assign",
            {
                "unit_code": "demo-dongcheng",
                "leader_id": rng.choice(["L-zhao", "L-li"]),
                "officer_id": "demo-officer",
            },
            1,
            None,
        ),
        ("demo-officer", "progress", {"step": "met_petitioner", "note": "已约见信访人"}, 3, None),
        (
            "demo-officer",
            "answer",
            {"outcome": rng.choice(["support", "explain", "reject"])},
            rng.randint(10, 70),
            None,
        ),
        (
            "demo-officer",
            "return-visit",
            {
                "satisfaction": rng.choice(["satisfied", "satisfied", "basically_satisfied", "unsatisfied"]),
                "signed": True,
                "method": "phone",
            },
            2,
            None,
        ),
        ("demo-officer", "close", {"closure_type": rng.choice(["resolved", "answered_only"])}, 1, None),
    ]
    if accusation:
        steps[1] = ("demo-supervisor", "assign", {"unit_code": "demo-nanhu", "leader_id": "L-sun"}, 1, None)
    if stage == 3:
        steps.insert(
            3,
            (
                "demo-leader",
                "extend",
                {"days": 15, "approved_by_leader_id": "L-zhao", "petitioner_notified_on": None},
                40,
                "案情复杂需补充调查",
            ),
        )
    if stage == 4:
        steps.insert(
            2, ("demo-supervisor", "supervise", {"reply_by": None, "text": "请于期限内报送办理情况"}, 5, None)
        )
    last = {0: 0, 1: 1, 2: 2, 3: 4, 4: 3, 5: 6, 6: 6, 7: 6, 8: 6, 9: 5}[stage]
    for user_id, command, params, days, why in steps[:last]:
        at = clock.step(days * scale)
        if at >= now:
            return case_id, n
        _run(ledger, user_id, case_id, command, _dated(params, at), at, why)
    if today:
        return case_id, n
    if stage == 2 and n % 4 == 2 and clock.at < now - timedelta(days=1):
        # an overdue-prone case: the inspector holds its leader to account (第四十七条)
        _run(
            ledger,
            "demo-inspector",
            case_id,
            "accountability",
            {
                "target_leader_id": ledger.get_case(case_id).leader_id or "L-zhao",
                "measure": "interview",
                "basis": "未按期报送办理情况",
            },
            clock.step(0.5),
            "督办后仍未报送办理情况",
        )
    if stage == 6 and not accusation and clock.at < now - timedelta(days=3):
        _run(
            ledger,
            "demo-registrar",
            case_id,
            "review-request",
            {"requested_on": local_date(clock.step(2))},
            clock.at,
            None,
        )
    if stage == 7:
        _run(
            ledger,
            "demo-registrar",
            case_id,
            "notes",
            {"text": "信访人补充材料已收悉"},
            clock.step(0.5),
            None,
        )
        _run(
            ledger,
            "demo-registrar",
            case_id,
            "corrections",
            {"target_version": 1, "field": "category", "new_value": "housing"},
            clock.step(0.1),
            "登记类别有误",
        )
    return case_id, n


# ---- the practices of the county reports (issue 21) ---------------------------------------


def _demo_practices(ledger: LedgerApplication) -> None:
    """The demo county has Yongxing's escalation policy in force, an escalated matter, a supported
    answer not yet carried out past its 30 days and one carried out, a listed-supervision measure,
    an order to rectify, and recommendations: one answered, one still awaited."""
    now = datetime.now(UTC)
    with command_context(actor=_actor("demo-admin"), reason="县委办关于交办三次以上不满意事项集中督办的通知"):
        ledger.set_local_policy(option=LocalPolicy.ESCALATION, in_force=True, effective_from=date(2020, 1, 1))
    escalated = _demo_matter(ledger, now - timedelta(days=120), "村道硬化工程占用耕地补偿", "land")
    clock = DemoClock(now - timedelta(days=119))
    holders = [("demo-nanhu", "L-sun", None), ("demo-dongcheng", "L-zhao", "demo-officer")]
    for unit, leader, officer in holders:  # 交办 three times in all, counting the first assignment
        body: dict[str, Any] = {"unit_code": unit, "leader_id": leader, "officer_id": officer}
        _run(ledger, "demo-supervisor", escalated, "reassign", body, clock.step(12), None)
    at = clock.step(20)
    _run(
        ledger,
        "demo-officer",
        escalated,
        "answer",
        {"outcome": "explain", "delivered_on": local_date(at)},
        at,
        None,
    )
    visit = {"satisfaction": "unsatisfied", "signed": True, "method": "visit", "comment": "补偿标准仍有异议"}
    _run(ledger, "demo-officer", escalated, "return-visit", visit, clock.step(3), None)

    for days_ago, done in ((75, False), (70, True)):  # 落实: one overdue, one carried out
        case_id = _demo_matter(
            ledger, now - timedelta(days=days_ago), "低保金停发后未恢复", "social_security"
        )
        at = now - timedelta(days=days_ago - 10)
        _run(
            ledger,
            "demo-officer",
            case_id,
            "answer",
            {"outcome": "support", "delivered_on": local_date(at)},
            at,
            None,
        )
        if done:
            done_at = at + timedelta(days=18)
            body = {"done_on": local_date(done_at), "note": "已恢复发放并补发欠款"}
            _run(ledger, "demo-officer", case_id, "implementation", body, done_at, None)

    measures: list[dict[str, Any]] = [
        {"target_unit_code": "demo-dongcheng", "measure": "listed_supervision", "basis": "积案长期未化解，挂牌督办"},
        {"target_unit_code": "demo-dongcheng", "measure": "ordered_rectification", "basis": "办理推诿拖延",
         "rectify_by": local_date(now) + timedelta(days=30)},
    ]  # fmt: skip
    for measure in measures:
        _run(ledger, "demo-inspector", escalated, "accountability", measure, now - timedelta(days=5), None)

    recommendations = [
        ("demo-xishan", RecommendationKind.ACCOUNTABILITY, "建议对截留补助资金问题中失职的有关人员依规追究责任", 45,
         ("demo-accused", True, "已采纳，对两名责任人作出诫勉处理")),
        ("demo-dongcheng", RecommendationKind.IMPROVE, "建议规范信访事项受理告知，做到当场书面告知", 40, None),
        ("demo-nanhu", RecommendationKind.POLICY, "建议完善老旧小区物业收费指导标准", 10, None),
    ]  # fmt: skip
    for target, kind, text, days_ago, answer in recommendations:
        with command_context(actor=_actor("demo-supervisor"), occurred_at=now - timedelta(days=days_ago)):
            rid, _ = ledger.issue_recommendation(kind=kind, target_unit_code=target, text=text)
        if answer is not None:
            user_id, adopted, feedback = answer
            with command_context(actor=_actor(user_id), occurred_at=now - timedelta(days=days_ago - 20)):
                ledger.give_recommendation_feedback(
                    rid, adopted=adopted, text=feedback, authorize=lambda _r: None
                )


def _demo_matter(ledger: LedgerApplication, at: datetime, subject: str, category: str) -> UUID:
    """A complaint request registered at `at`, accepted the next day and assigned to 东城镇."""
    fields: dict[str, Any] = {
        "channel": Channel.VISIT, "kind": Kind.COMPLAINT_REQUEST,
        "petitioners": (Petitioner("陈秀英", "330100196805121234", "13905710000", "示范县东城镇"),),
        "headcount": 1, "subject": subject, "content": f"陈秀英反映：{subject}。", "category": category,
        "region_code": "330100", "received_unit": "demo-county",
    }  # fmt: skip
    with command_context(actor=_actor("demo-registrar"), occurred_at=at, reason=BACK_ENTRY):
        case_id = ledger.register_case(**fields).case_id
    accepted = at + timedelta(days=1)
    _run(
        ledger,
        "demo-registrar",
        case_id,
        "accept",
        {"notice_issued_on": local_date(accepted)},
        accepted,
        None,
    )
    assign = {"unit_code": "demo-dongcheng", "leader_id": "L-zhao", "officer_id": "demo-officer"}
    _run(ledger, "demo-supervisor", case_id, "assign", assign, at + timedelta(days=1, hours=2), None)
    return case_id


def _dated(params: dict[str, Any], at: datetime) -> dict[str, Any]:
    out = dict(params)
    if "delivered_on" not in out and "outcome" in out and out["outcome"] in ("support", "explain", "reject"):
        out["delivered_on"] = local_date(at)
    for field in ("petitioner_notified_on", "notice_issued_on"):  # None: the day of the step
        if out.get(field, 0) is None:
            out[field] = local_date(at)
    if out.get("reply_by", 0) is None:
        out["reply_by"] = local_date(at) + timedelta(days=10)
    return out


def _run(
    ledger: LedgerApplication,
    user_id: str,
    case_id: UUID,
    command: str,
    params: dict[str, Any],
    at: datetime,
    reason: str | None,
) -> None:
    from api.command_input import as_domain_params
    from api.commands import COMMAND_BODIES

    body = COMMAND_BODIES[command].model_validate({**_jsonable(params)})
    typed = as_domain_params(body.model_dump(exclude={"occurred_at", "reason"}))
    with command_context(actor=_actor(user_id), occurred_at=at, reason=reason):
        try:
            ledger.execute(case_id, command, typed)
        except DomainError as error:  # a demo step that a rule refuses is skipped, and says so
            print(f"demo: {command} on {case_id} refused: {error}")


def _jsonable(params: dict[str, Any]) -> dict[str, Any]:
    return {k: v.isoformat() if isinstance(v, date) else v for k, v in params.items()}
