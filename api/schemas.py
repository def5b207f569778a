"""Request bodies: strict (unknown fields refused), bounded, typed by the domain's vocabularies."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any
from uuid import UUID

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StringConstraints,
    field_validator,
)

from api.hostile_text import checked
from domain.vocabulary import (
    AnswerOutcome,
    Channel,
    ClearanceBasis,
    ClosureType,
    ContactMethod,
    DiversionOutcome,
    DossierItem,
    Kind,
    LocalPolicy,
    Measure,
    MediationOutcome,
    NotAcceptedReason,
    NoticeMode,
    Pathway,
    ProgressStep,
    ReceptionKind,
    RecommendationKind,
    ReviewDecision,
    Role,
    Satisfaction,
    TerminationBasis,
)


def _free_text(value: str) -> str:
    return checked(value, free_text=True)


def _name(value: str) -> str:
    return checked(value)


Printable = AfterValidator(_free_text)
SingleLine = AfterValidator(_name)  # names and labels: no line breaks, no invisible characters
Code = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,63}$")]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100), SingleLine]
ShortText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200), Printable]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000), Printable]
LongText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=20000), Printable]
Sha256 = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    @field_validator("*", mode="before")
    @classmethod
    def _no_hostile_text(cls, value: Any) -> Any:
        """Every string of every body, whatever its declared type, passes api.hostile_text's
        free-text rule and is NFC; the types above add the stricter rule for names."""
        if isinstance(value, str):
            return _free_text(value)
        if isinstance(value, list):
            return [_free_text(v) if isinstance(v, str) else v for v in value]
        return value


class CommandBody(Body):
    """Every command may say when it happened in the world, and why."""

    occurred_at: AwareDatetime | None = Field(None, description="when it happened; now if absent")
    reason: Text | None = None


# ---- reference data ------------------------------------------------------------------------


class UnitIn(Body):
    code: Code
    name: Name
    parent_code: Code | None = None


class LeaderIn(Body):
    leader_id: Code
    name: Name
    unit_code: Code
    post: Name


class LeaderPostIn(Body):
    unit_code: Code
    post: Name
    occurred_at: AwareDatetime | None = Field(None, description="when the post was taken; now if absent")


class LeaderLeftIn(Body):
    occurred_at: AwareDatetime | None = Field(None, description="when the leader left; now if absent")


class UserIn(Body):
    user_id: Code
    name: Name
    role: Role
    unit_code: Code | None = None
    leader_id: Code | None = Field(None, description="for a leader's login: the leader it is")


class PolicyAdoptionIn(Body):
    policy_version: Code = Field(description="a version of GET /api/v1/policies")
    effective_from: date = Field(description="matters arising on or after this day take the version")
    reason: Text | None = Field(None, description="why, e.g. the notice that adopts it")


class LocalPolicyIn(Body):
    option: LocalPolicy = Field(description="the local policy option (escalation: Yongxing's concentrated supervision)")
    in_force: StrictBool = Field(description="true puts it in force, false takes it out of force")
    effective_from: date = Field(description="the day it takes effect")
    reason: Text | None = Field(None, description="why, e.g. the local document that adopts it")


# ---- cases ---------------------------------------------------------------------------------


class PetitionerIn(Body):
    name: Name
    id_number: Annotated[str, StringConstraints(pattern=r"^[0-9]{15}$|^[0-9]{17}[0-9Xx]$")] | None = None
    phone: Annotated[str, StringConstraints(pattern=r"^\+?[0-9\-]{5,20}$")] | None = None
    address: ShortText | None = None


class RegisterIn(Body):
    channel: Channel
    kind: Kind
    petitioners: list[PetitionerIn] = Field(default_factory=list, max_length=50)
    headcount: int = Field(1, ge=1, le=100_000)
    subject: ShortText
    content: LongText
    category: Annotated[str, StringConstraints(min_length=1, max_length=64), SingleLine]
    region_code: Annotated[str, StringConstraints(pattern=r"^[0-9]{6,12}$")]
    received_unit: Code
    occurred_at: AwareDatetime
    reason: Text | None = None
    external_ref: Annotated[str, StringConstraints(min_length=1, max_length=128), SingleLine] | None = None
    accused_unit: Code | None = None
    accused_leader: Code | None = None
    reception_id: UUID | None = Field(None, description="the leader's reception it was received at")
    # No policy_version: the jurisdiction's adoptions decide it (R8); extra fields are refused.


class ScreeningNoticeIn(CommandBody):
    """R5: every screening outcome records its written notice, or that it is still owed."""

    notice_issued_on: date | None = Field(
        None, description="the day the written notice was issued; absent: the notice is still owed"
    )
    notice_mode: NoticeMode | None = Field(
        None, description="written (the default with a date), on_the_spot, or address_unclear (no notice)"
    )


class AcceptIn(ScreeningNoticeIn):
    different_matter_reason: Text | None = Field(
        None,
        description="why this is not the terminated matter of the same petitioner (R10, 第三十六条); "
        "needed to accept when the registration found one",
    )


class NotAcceptIn(ScreeningNoticeIn):
    reason_code: NotAcceptedReason


class DivertIn(ScreeningNoticeIn):
    pathway: Pathway
    institution: ShortText


class TransferIn(ScreeningNoticeIn):
    authority: ShortText


class AssignIn(CommandBody):
    unit_code: Code
    leader_id: Code
    officer_id: Code | None = None
    report_by: date | None = Field(None, description="the 办结报告 deadline (第二十二条第三项)")


class InstructIn(CommandBody):
    text: Text
    leader_id: Code | None = Field(
        None, description="optional; the instructing leader is the token's, and this must name him"
    )


class SuperviseIn(CommandBody):
    reply_by: date
    text: Text


class SupervisionAnswerIn(CommandBody):
    supervision_version: int | None = Field(
        None, ge=1, description="the letter answered; the oldest open one if absent"
    )
    reply: Text


class ProgressIn(CommandBody):
    step: ProgressStep
    note: Text | None = None


class MediationIn(CommandBody):
    outcome: MediationOutcome
    document_sha256: Sha256 | None = None


class ExtendIn(CommandBody):
    days: int = Field(ge=1, le=30)
    approved_by_leader_id: Code = Field(
        description="the leader approving it, with a post in the handling unit or above (第三十四条)"
    )
    petitioner_notified_on: date


class AnswerIn(CommandBody):
    outcome: AnswerOutcome
    document_sha256: Sha256 | None = None
    delivered_on: date


class ReturnVisitIn(CommandBody):
    satisfaction: Satisfaction
    signed: bool
    method: ContactMethod
    comment: Text | None = None


class RequestIn(CommandBody):
    requested_on: date
    received_on: date | None = Field(
        None, description="the day the deciding unit received it; the decision clock counts from it (R3)"
    )


class OutsideDecisionIn(Body):
    authority: ShortText = Field(description="the authority above this jurisdiction that decided")
    document_sha256: Sha256 = Field(description="SHA-256 of its written decision")


class DecisionIn(CommandBody):
    decision: ReviewDecision
    delivered_on: date
    decided_outside: OutsideDecisionIn | None = Field(
        None,
        description="for a request referred upward (the level above is outside this jurisdiction): "
        "the outside decision, entered by a supervisor of the top unit (R3)",
    )


class HearingIn(CommandBody):
    started_on: date
    ended_on: date


class CloseIn(CommandBody):
    closure_type: ClosureType


class ReopenIn(CommandBody):
    pass


class TerminateIn(CommandBody):
    basis: TerminationBasis


class ArchiveIn(CommandBody):
    dossier: list[DossierItem] = Field(max_length=6)


class BacklogIn(CommandBody):
    campaign_id: Code = Field(description="a campaign of POST /api/v1/campaigns")


class BacklogClearIn(CommandBody):
    """销号 (issue 21)."""

    approved_by_leader_id: Code = Field(description="the approving leader: posted over the case's unit")
    basis: ClearanceBasis = Field(
        description="closed, terminated, left_the_petition_path (true of the case), or "
        "petitioner_desisted (息诉罢访: the one basis for a case still open)"
    )
    campaign_id: Code | None = Field(None, description="needed only when the case is on several campaigns")


# ---- practices: receptions and campaigns (issue 21) ----------------------------------------


class ReceptionIn(Body):
    leader_id: Code
    held_on: date
    place: Name
    kind: ReceptionKind
    unit_codes: list[Code] = Field(default_factory=list, max_length=50,
                                   description="a joint reception's units present")  # fmt: skip


class CampaignIn(Body):
    campaign_id: Code
    name: Name
    starts_on: date
    due_on: date


class LinkRepeatIn(CommandBody):
    earlier_case_id: UUID


class AccountabilityIn(CommandBody):
    target_leader_id: Code | None = None
    target_unit_code: Code | None = None
    measure: Measure
    basis: Text
    rectify_by: date | None = Field(None, description="the deadline of ordered_rectification (责令限期整改) only")


class NoteIn(CommandBody):
    text: LongText


class DocumentIn(CommandBody):
    file_name: ShortText
    media_type: Annotated[str, StringConstraints(pattern=r"^[a-z]+/[a-z0-9.+\-]+$", max_length=100)]
    sha256: Sha256


class CorrectionIn(CommandBody):
    target_version: int = Field(ge=1)
    field: Annotated[str, StringConstraints(pattern=r"^[a-z_]{1,40}$")]
    new_value: str | int | bool | None


# ---- notices, completion reports, objections, diversion outcomes (issue 18) ---------------


class NoticeIn(CommandBody):
    issued_on: date
    notice_mode: NoticeMode


class CompletionReportIn(CommandBody):
    text: LongText
    document_sha256: Sha256 | None = None


class ObjectionIn(CommandBody):
    reason: Text = Field(description="why the matter is not the assigned unit's (第二十三条: 详细说明理由)")


class ObjectionDecisionIn(CommandBody):
    upheld: bool


class DiversionOutcomeIn(CommandBody):
    outcome: DiversionOutcome
    on: date


class CommandOut(BaseModel):
    case_id: UUID
    version: int
    position: int = Field(description="the ledger position written; pass as min_position to read it back")


class QueryCodeReissueIn(CommandBody):
    """No fields: the code is made by the service (a CSPRNG), never chosen by a client."""


class QueryCodeOut(CommandOut):
    query_code: str | None = Field(
        None,
        description="the petitioner's query code (查询码), e.g. ABCD-EFGH: shown in this answer only, "
        "stored only as a hash; null when an Idempotency-Key replays an earlier answer",
    )


class PossibleRepeatOut(BaseModel):
    case_id: UUID
    status: str
    registered_on: date


class RegisterOut(QueryCodeOut):
    possible_repeats: list[PossibleRepeatOut] = Field(
        default_factory=list,
        description="earlier cases of a petitioner with the same id number that the registrar may read (R10)",
    )


# ---- practices of the county reports (issue 21) ---------------------------------------------


class ImplementationIn(CommandBody):
    done_on: date = Field(description="the day the supported answer was carried out (落实)")
    note: Text | None = None


class RecommendationIn(Body):
    """A recommendation names no case and no party (第三十条): a target unit and its text only."""

    kind: RecommendationKind
    target_unit_code: Code
    text: LongText


class RecommendationFeedbackIn(Body):
    adopted: StrictBool = Field(description="whether the unit adopts the recommendation (采纳情况)")
    text: LongText = Field(description="the unit's written feedback (书面反馈, 第四十条)")
