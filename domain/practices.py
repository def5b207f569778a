"""Practices the county reports describe (DOMAIN.md, issue 21): leaders' receptions (领导接访) and
backlog campaigns (积案化解专项), as aggregates of their own, and the rules that need reference
data to check them (like domain/authority.py; each has a breaking request in
tests/api/test_practices.py).

A reception is a leader's day receiving petitioners (第十八条: 领导干部应当…定期接待群众来访、定期
下访); a case registered there names it. A campaign lists hard cases with a due date; a case is
designated to it and struck off (销号) only on a leader's approval (domain/case.py `clear_backlog`).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid4, uuid5

from domain import authority
from domain.authority import ReferenceReads
from domain.errors import NotFound
from domain.ledger import LedgerAggregate, LedgerCreated, LedgerEvent
from domain.policy import local_date
from domain.reference import Post
from domain.rules import Rule
from domain.vocabulary import ReceptionKind


def campaign_id_for(campaign_id: str) -> UUID:
    return uuid5(NAMESPACE_URL, f"/xinfang/campaigns/{campaign_id}")


# ---- receptions --------------------------------------------------------------------------


class ReceptionRecorded(LedgerCreated):
    reception_id: str
    leader_id: str
    held_on: date
    place: str
    kind: ReceptionKind
    unit_code: str  # the unit of the leader's post on that day
    unit_codes: tuple[str, ...]  # a joint reception: the units present at the window

    def apply(self, reception: Any) -> None:
        for name in ("reception_id", "leader_id", "held_on", "place", "kind", "unit_code", "unit_codes"):
            setattr(reception, name, getattr(self, name))


class Reception(LedgerAggregate):
    def __init__(self) -> None:
        super().__init__()
        self.reception_id = self.leader_id = self.place = self.unit_code = ""
        self.held_on = date.min
        self.kind = ReceptionKind.LEADER_DAY
        self.unit_codes: tuple[str, ...] = ()

    @classmethod
    def record(
        cls, *, leader_id: str, held_on: date, place: str, kind: ReceptionKind, unit_code: str,
        unit_codes: tuple[str, ...],
    ) -> Reception:  # fmt: skip
        reception_id = uuid4()
        return cls._start(
            ReceptionRecorded, id=reception_id, reception_id=str(reception_id), leader_id=leader_id,
            held_on=held_on, place=place, kind=kind, unit_code=unit_code, unit_codes=unit_codes,
        )  # fmt: skip


# ---- campaigns ---------------------------------------------------------------------------


class CampaignOpened(LedgerCreated):
    campaign_id: str
    name: str
    starts_on: date
    due_on: date
    unit_code: str | None  # the unit of the user who opened it

    def apply(self, campaign: Any) -> None:
        for name in ("campaign_id", "name", "starts_on", "due_on", "unit_code"):
            setattr(campaign, name, getattr(self, name))


class Campaign(LedgerAggregate):
    def __init__(self) -> None:
        super().__init__()
        self.campaign_id = self.name = ""
        self.starts_on = self.due_on = date.min
        self.unit_code: str | None = None

    @classmethod
    def open(
        cls, *, campaign_id: str, name: str, starts_on: date, due_on: date, unit_code: str | None
    ) -> Campaign:
        CAMPAIGN_DUE_AFTER_START.check(due_on >= starts_on, field="due_on")
        return cls._start(
            CampaignOpened, id=campaign_id_for(campaign_id), campaign_id=campaign_id, name=name,
            starts_on=starts_on, due_on=due_on, unit_code=unit_code,
        )  # fmt: skip


RECEPTION_EVENTS: tuple[type[LedgerEvent], ...] = (ReceptionRecorded,)
CAMPAIGN_EVENTS: tuple[type[LedgerEvent], ...] = (CampaignOpened,)


# ---- the rules that need reference data --------------------------------------------------

RECEPTION_LEADER_POSTED_THAT_DAY = Rule(
    "reception_leader_held_a_post_that_day",
    "a reception is a leader's: the leader held a post on the day it was held",
    "第十八条",
)
RECEPTION_WITHIN_OWN_JURISDICTION = Rule(
    "reception_recorded_within_own_jurisdiction",
    "a supervisor records the receptions of leaders whose post that day was in his own unit or below it",
    "第十八条",
)
JOINT_RECEPTION_NAMES_UNITS = Rule(
    "joint_reception_names_units_present",
    "a joint reception (联合接访) names the units present, units the ledger knows; other kinds name none",
    "第十八条",
)
REGISTERED_AT_RECEPTION_ON_ITS_DAY = Rule(
    "registered_at_a_known_reception_on_its_day",
    "a petition registered at a reception names one the ledger knows, and arose on the day it was held",
    "第十八条",
)
JOINT_RECEPTION_HANDOVER = Rule(
    "registrar_assigns_only_at_a_joint_reception",
    "a registrar assigns a case only when it was registered at a joint reception (联合接访), and only "
    "to a unit present there; other assignments are the supervisor's",
    "第十八条",
)
CAMPAIGN_DUE_AFTER_START = Rule(
    "campaign_due_on_or_after_start",
    "a campaign's due date is on or after its start",
)
BACKLOG_CAMPAIGN_KNOWN = Rule(
    "backlog_campaign_known",
    "a case is designated to a campaign the ledger knows (POST /api/v1/campaigns)",
    "第十八条",
)
BACKLOG_CLEARANCE_APPROVED_BY_LEADER_ABOVE = Rule(
    "backlog_clearance_approved_by_leader_above",
    "a 销号 is approved by a serving leader with a post in the unit handling the case (or that "
    "received it, before assignment) or a unit above it",
    "第十八条",
)


def post_on(posts: tuple[Post, ...], day: date) -> Post | None:
    """The post held for some part of a China-local day, the latest begun if several."""
    held = [
        p
        for p in posts
        if local_date(p.started_at) <= day and (p.ended_at is None or local_date(p.ended_at) >= day)
    ]
    return max(held, key=lambda p: p.started_at, default=None)


def reception_unit(
    refs: ReferenceReads, actor_unit: str | None, *, leader_id: str, held_on: date,
    kind: ReceptionKind, unit_codes: tuple[str, ...], admin: bool,
) -> str:  # fmt: skip
    """The unit of the leader's post on `held_on`, checked against the rules above."""
    post = post_on(refs.leader_posts.posts_of(leader_id), held_on)
    RECEPTION_LEADER_POSTED_THAT_DAY.check(post is not None, field="leader_id", leader_id=leader_id)
    assert post is not None
    RECEPTION_WITHIN_OWN_JURISDICTION.check(
        admin or (actor_unit is not None and actor_unit in authority.ancestry(refs, post.unit_code)),
        field="leader_id",
    )
    JOINT_RECEPTION_NAMES_UNITS.check((kind == ReceptionKind.JOINT) == bool(unit_codes), field="unit_codes")
    for code in unit_codes:
        try:
            refs.get_unit(code)
        except NotFound:
            JOINT_RECEPTION_NAMES_UNITS.broken(field="unit_codes", unit_code=code)
    return post.unit_code


def check_reception_day(reception: Reception | None, occurred_at: datetime) -> None:
    REGISTERED_AT_RECEPTION_ON_ITS_DAY.check(
        reception is not None and reception.held_on == local_date(occurred_at), field="reception_id"
    )
