"""Authority from the token and the accused side (DOMAIN.md R1, R2): the named rules that need
reference data (units, leaders' posts, users) as well as the case, checked before a command runs.

Rules that need only the case's own state live in domain/rules.py and the `Case`; these read the
unit tree and who holds which post, through `ReferenceReads`, never through a request body.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Protocol
from uuid import UUID

from domain.accused_side import Accusation, Exposure, exposure
from domain.errors import Forbidden, NotFound
from domain.rules import Rule
from domain.vocabulary import Role

if TYPE_CHECKING:
    from domain.case import Case
    from domain.persistence import LedgerRow
    from domain.practices import Campaign, Reception
    from domain.reference import Leader, Unit, User
    from domain.reference_index import LeaderPostIndex


class ReferenceReads(Protocol):
    """What a command's resolver may read besides the case: reference data, nothing else."""

    @property
    def leader_posts(self) -> LeaderPostIndex: ...

    def get_unit(self, code: str) -> Unit: ...

    def unit_path(self, code: str) -> list[str]: ...

    def get_leader(self, leader_id: str) -> Leader: ...

    def get_user(self, user_id: str) -> User: ...

    def local_policy_in_force(self, option: str, day: date) -> bool:
        """Whether the jurisdiction has the local policy `option` in force on `day` (issue 21)."""
        ...


class CaseReads(ReferenceReads, Protocol):
    """Reference data and other cases' records: what the link and correction resolvers need."""

    def get_case(self, case_id: UUID) -> Case: ...

    def case_row(self, case_id: UUID, version: int) -> LedgerRow | None:
        """The stored entry of a case at exactly `version`, or None."""
        ...

    def get_campaign(self, campaign_id: str) -> Campaign: ...

    def get_reception(self, reception_id: str) -> Reception: ...


NOT_HANDED_TO_ACCUSED_SIDE = Rule(
    "accusation_not_handed_to_accused_side",
    "an accusation is never assigned, reassigned or transferred to the accused side, "
    "nor is an officer or leader of it named on it",
    "第三十条",
)
ACCUSED_SIDE_REGISTRAR_ONLY_SCREENS = Rule(
    "accused_side_registrar_only_screens",
    "on the accused side, the user who registered the accusation may only finish its screening: "
    "accept, transfer, or divert it (to 纪检监察), and record the notice of that outcome",
    "第三十条",
    Forbidden,
)
ACCUSED_KNOWN = Rule(
    "accused_named_from_reference_data",
    "an accusation names an accused unit and leader the ledger knows, so their side can be barred",
    "第三十条",
)
REGISTERED_IN_OWN_SUBTREE = Rule(
    "registered_within_own_subtree",
    "a registrar registers petitions received by his own unit or a unit below it",
    None,
    Forbidden,
)
INSTRUCTED_BY_OWN_LEADER = Rule(
    "instruction_by_the_logged_in_leader",
    "a leader instructs only as himself: the login must be a leader's, and a leader_id given must be his",
)
EXTENSION_APPROVED_BY_UNIT_HEAD = Rule(
    "extension_approved_by_unit_head",
    "an extension is approved by a serving leader with a post in the handling unit or a unit above it",
    "第三十四条",
)
ASSIGNED_LEADER_ABOVE = Rule(
    "assigned_leader_posted_in_unit_or_above",
    "the responsible leader is a serving leader with a post in the assigned unit or a unit above it",
)
ASSIGNED_OFFICER_WITHIN = Rule(
    "assigned_officer_within_unit",
    "the handling officer is an active officer of the assigned unit or a unit below it",
)

# The notice of the outcome (R5) belongs to screening: the registrar who decided it records it.
SCREENING_COMMANDS = frozenset({"accept", "transfer", "divert", "notice"})


def ancestry(refs: ReferenceReads, unit_code: str | None) -> list[str]:
    """The unit and every unit above it; a unit the tree does not know stands alone."""
    if not unit_code:
        return []
    try:
        return refs.unit_path(unit_code)
    except NotFound:
        return [unit_code]


def exposure_of(refs: ReferenceReads, unit_code: str | None, leader_id: str | None) -> Exposure:
    return exposure(ancestry(refs, unit_code), leader_id, refs.leader_posts)


def check_not_accused_side(
    refs: ReferenceReads,
    case: Case,
    *,
    unit_code: str | None = None,
    leader: Leader | None = None,
    officer: User | None = None,
) -> None:
    """The unit, leader and officer a command would name are not on the case's accused side."""
    accusation = Accusation.of(case)
    if accusation is None:
        return
    named = []
    if unit_code is not None:
        named.append(("unit_code", exposure_of(refs, unit_code, None)))
    if leader is not None:
        named.append(("leader_id", exposure_of(refs, leader.unit_code, leader.leader_id)))
    if officer is not None:
        named.append(("officer_id", exposure_of(refs, officer.unit_code, officer.leader_id)))
    for field, person in named:
        NOT_HANDED_TO_ACCUSED_SIDE.check(not person.covers(accusation), field=field)


def serving_leader(refs: ReferenceReads, leader_id: str, rule: Rule, field: str) -> Leader:
    try:
        leader = refs.get_leader(leader_id)
    except NotFound:
        rule.broken(field=field, leader_id=leader_id)
    rule.check(leader.active, field=field, leader_id=leader_id)
    return leader


def check_leader_above(refs: ReferenceReads, leader: Leader, unit_code: str, rule: Rule, field: str) -> None:
    """The leader's current post is in `unit_code` or a unit above it."""
    rule.check(leader.unit_code in ancestry(refs, unit_code), field=field, leader_id=leader.leader_id)


def known_officer(refs: ReferenceReads, officer_id: str) -> User:
    try:
        return refs.get_user(officer_id)
    except NotFound:
        ASSIGNED_OFFICER_WITHIN.broken(field="officer_id", officer_id=officer_id)


def check_officer_within(refs: ReferenceReads, officer: User, unit_code: str) -> None:
    """An active officer whose unit is `unit_code` or below it."""
    ASSIGNED_OFFICER_WITHIN.check(
        officer.active and officer.role is Role.OFFICER and unit_code in ancestry(refs, officer.unit_code),
        field="officer_id",
        officer_id=officer.user_id,
    )


def check_registration(
    refs: ReferenceReads,
    registrar_unit: str | None,
    received_unit: str,
    accused_unit: str | None,
    accused_leader: str | None,
) -> None:
    """R2: a registrar registers within his own subtree; R1: the accused are known to the ledger."""
    REGISTERED_IN_OWN_SUBTREE.check(
        registrar_unit is not None and registrar_unit in ancestry(refs, received_unit),
        field="received_unit",
    )
    for field, lookup, code in (
        ("accused_unit", refs.get_unit, accused_unit),
        ("accused_leader", refs.get_leader, accused_leader),
    ):
        if code is not None:
            try:
                lookup(code)
            except NotFound:
                ACCUSED_KNOWN.broken(field=field, **{field: code})
