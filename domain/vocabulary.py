"""The closed vocabularies of DOMAIN.md, as string enums (their values are the API's codes)."""

from __future__ import annotations

from enum import StrEnum


class Channel(StrEnum):
    VISIT = "visit"
    PHONE = "phone"
    LETTER = "letter"
    EMAIL = "email"
    ONLINE = "online"


class Kind(StrEnum):
    COMPLAINT_REQUEST = "complaint_request"
    ACCUSATION = "accusation"
    SUGGESTION = "suggestion"


class Status(StrEnum):
    REGISTERED = "registered"
    ACCEPTED = "accepted"
    NOT_ACCEPTED = "not_accepted"
    DIVERTED = "diverted"
    TRANSFERRED = "transferred"
    IN_HANDLING = "in_handling"
    ANSWERED = "answered"
    CLOSED = "closed"
    UNDER_REVIEW = "under_review"
    REVIEWED = "reviewed"
    UNDER_RE_REVIEW = "under_re_review"
    TERMINATED = "terminated"
    ARCHIVED = "archived"


class NotAcceptedReason(StrEnum):
    IN_LITIGATION = "in_litigation"
    SKIPPED_LEVELS = "skipped_levels"
    ALREADY_IN_HANDLING = "already_in_handling"
    TERMINATED_SAME_MATTER = "terminated_same_matter"
    CLOSED_BY_COURT = "closed_by_court"
    OUT_OF_REMIT = "out_of_remit"
    ANONYMOUS_UNCLEAR = "anonymous_unclear"


class Pathway(StrEnum):
    LITIGATION = "litigation"
    PROCURATORATE = "procuratorate"
    ARBITRATION = "arbitration"
    PARTY_APPEAL = "party_appeal"
    ADMINISTRATIVE_RECONSIDERATION = "administrative_reconsideration"
    ADMINISTRATIVE_PROCEDURE = "administrative_procedure"
    POLICE = "police"
    # 第二十二条 (last paragraph): an accusation no unit outside the accused side can handle
    DISCIPLINE_INSPECTION = "discipline_inspection"


class ProgressStep(StrEnum):
    MET_PETITIONER = "met_petitioner"
    SITE_INVESTIGATION = "site_investigation"
    COORDINATION_MEETING = "coordination_meeting"
    FACTS_ESTABLISHED = "facts_established"


class MediationOutcome(StrEnum):
    AGREEMENT = "agreement"
    SETTLEMENT = "settlement"
    FAILED = "failed"


class AnswerOutcome(StrEnum):
    SUPPORT = "support"
    EXPLAIN = "explain"
    REJECT = "reject"


class Satisfaction(StrEnum):
    SATISFIED = "satisfied"
    BASICALLY_SATISFIED = "basically_satisfied"
    UNSATISFIED = "unsatisfied"


class ContactMethod(StrEnum):
    VISIT = "visit"
    PHONE = "phone"
    LETTER = "letter"
    ONLINE = "online"
    # The petitioner's own rating on the public look-up (第二十一条); only the public principal
    # records it (rule self_service_rating_only_by_the_petitioner).
    SELF_SERVICE = "self_service"


class ReviewDecision(StrEnum):
    UPHELD = "upheld"
    CHANGED = "changed"


class ClosureType(StrEnum):
    RESOLVED = "resolved"
    ANSWERED_ONLY = "answered_only"
    MEDIATED = "mediated"


class TerminationBasis(StrEnum):
    RE_REVIEW_DECIDED = "re_review_decided"
    NO_REVIEW_IN_TIME = "no_review_in_time"
    MEDIATION_AGREEMENT = "mediation_agreement"


class Measure(StrEnum):
    INTERVIEW = "interview"
    NOTICE_OF_CRITICISM = "notice_of_criticism"
    ADMONISHMENT = "admonishment"
    PARTY_DISCIPLINE = "party_discipline"
    ORGANISATIONAL = "organisational"
    # 第三十九条: the joint meeting's measures on a unit or leader failing its petition work
    LISTED_SUPERVISION = "listed_supervision"  # 挂牌督办
    ORDERED_RECTIFICATION = "ordered_rectification"  # 责令限期整改: carries its deadline (rectify_by)


class DossierItem(StrEnum):
    """The 六个一 checklist of an archived dossier."""

    RECORD = "record"
    VERIFICATION = "verification"
    SCREENING = "screening"
    DETERMINATION = "determination"
    RESOLUTION = "resolution"
    DOSSIER = "dossier"


class Role(StrEnum):
    REGISTRAR = "registrar"
    OFFICER = "officer"
    LEADER = "leader"
    SUPERVISOR = "supervisor"
    INSPECTOR = "inspector"
    ADMIN = "admin"


OPEN_STATUSES = frozenset(
    {
        Status.REGISTERED,
        Status.ACCEPTED,
        Status.IN_HANDLING,
        Status.ANSWERED,
        Status.UNDER_REVIEW,
        Status.REVIEWED,
        Status.UNDER_RE_REVIEW,
    }
)


# ---- notices, objections and diversions (issue 18; DOMAIN.md R5, R6, R7) ------------------


class NoticeMode(StrEnum):
    """How the petitioner was told of a screening outcome (第二十三条)."""

    WRITTEN = "written"
    ON_THE_SPOT = "on_the_spot"  # 当场书面告知: dated the day of the decision
    ADDRESS_UNCLEAR = "address_unclear"  # 姓名（名称）、住址不清: the one case with no notice


class DiversionOutcome(StrEnum):
    """What became of a matter routed to a legal pathway (第二十八条、第三十一条)."""

    TAKEN_UP = "taken_up"
    RETURNED = "returned"  # 回流: the institution sent it back; screening starts again


# ---- practices the county reports describe (issue 21) -----------------------------------


class ReceptionKind(StrEnum):
    """A leader's reception of petitioners (第十八条: 定期接待群众来访、定期下访)."""

    LEADER_DAY = "leader_day"  # 领导接访日 / 轮流接访
    HOME_VISIT = "home_visit"  # 下访
    APPOINTMENT = "appointment"  # 约访
    JOINT = "joint"  # 联合接访: departments sit together at one window


class ClearanceBasis(StrEnum):
    """Why a backlog case is struck off its campaign (销号)."""

    CLOSED = "closed"  # 办结
    TERMINATED = "terminated"  # 依法终结
    LEFT_THE_PETITION_PATH = "left_the_petition_path"  # 不予受理、导入法定途径或转送
    # 息诉罢访: the petitioner undertook in writing to stop; the one basis for a case still open
    PETITIONER_DESISTED = "petitioner_desisted"


class RecommendationKind(StrEnum):
    """The petition bureau's recommendations of 第四十条."""

    IMPROVE = "improve"  # 改进工作的建议
    POLICY = "policy"  # 完善政策的建议
    ACCOUNTABILITY = "accountability"  # 追究责任的建议


class LocalPolicy(StrEnum):
    """Local policy options a jurisdiction may put in force (off until it does, as an event)."""

    # Yongxing county: a matter assigned 3 or more times with the petitioner still unsatisfied
    # goes to a monthly concentrated supervision meeting and closes only when satisfied.
    ESCALATION = "escalation"
