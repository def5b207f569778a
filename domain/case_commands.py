"""The case commands: each one's API name, its `Case` method and its reference resolver.

A resolver adds the arguments that identify who acts (supervisor, deciding unit, ...) from the
audit context, never from the request, and checks that references (units, leaders, cases) exist.
It reads through `CaseReads`, never the application.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from domain import authority, case_events, practices
from domain.authority import CaseReads, ReferenceReads
from domain.case import ALLOWED_FROM, Case
from domain.context import current_context
from domain.corrections import is_correctable, typed_value
from domain.errors import InvalidInput, NotFound, TransitionNotAllowed
from domain.policy import local_date
from domain.rules import (
    CORRECTION_TARGET_CORRECTABLE,
    DIVERSION_BY_THE_PHASE_HOLDER,
    OUTSIDE_DECISION_ENTERED_AT_TOP,
    SELF_SERVICE_RATING_ONLY_BY_PETITIONER,
)
from domain.serialization import decode_state, to_json_value
from domain.vocabulary import ContactMethod, LocalPolicy, ReceptionKind, Role, Status, TerminationBasis

Resolver = Callable[[CaseReads, Case, dict[str, Any]], dict[str, Any]]


def _actor_unit() -> str:
    unit = current_context().actor.unit_code
    if not unit:
        raise InvalidInput("this command needs a user who belongs to a unit", field="actor")
    return unit


def _assignment(refs: CaseReads, case: Case, p: dict[str, Any]) -> dict[str, Any]:
    """R1 and R2: a known unit, a serving leader posted in it or above, an officer of its subtree,
    none of them on the accused side of an accusation. A registrar assigns only at a joint
    reception's window, to a unit present there (issue 21)."""
    unit_code, officer_id = p["unit_code"], p.get("officer_id")
    refs.get_unit(unit_code)
    context = current_context()
    if context.actor.role == Role.REGISTRAR and not context.transcribed:
        _joint_handover(refs, case, unit_code)
    leader = authority.serving_leader(refs, p["leader_id"], authority.ASSIGNED_LEADER_ABOVE, "leader_id")
    officer = authority.known_officer(refs, officer_id) if officer_id is not None else None
    authority.check_not_accused_side(refs, case, unit_code=unit_code, leader=leader, officer=officer)
    authority.check_leader_above(refs, leader, unit_code, authority.ASSIGNED_LEADER_ABOVE, "leader_id")
    if officer is not None:
        authority.check_officer_within(refs, officer, unit_code)
    return {"unit_code": unit_code, "leader_id": leader.leader_id, "officer_id": officer_id,
            "report_by": p.get("report_by")}  # fmt: skip


def _joint_handover(reads: CaseReads, case: Case, unit_code: str) -> None:
    """联合接访 (第十八条): a matter registered at a joint reception is handed at once to a unit
    present at the window; the accused-side and leader rules of any assignment still apply."""
    reception = None
    if case.reception_id is not None:
        try:
            reception = reads.get_reception(case.reception_id)
        except NotFound:
            reception = None
    practices.JOINT_RECEPTION_HANDOVER.check(
        reception is not None and reception.kind == ReceptionKind.JOINT and unit_code in reception.unit_codes,
        field="unit_code",
    )


def _instruction(refs: ReferenceReads, case: Case, p: dict[str, Any]) -> dict[str, Any]:
    """R2: the instruction is the logged-in leader's own; a leader_id in the body must be his."""
    try:
        own = refs.get_user(current_context().actor.user_id).leader_id
    except NotFound:
        own = None
    named = p.get("leader_id")
    authority.INSTRUCTED_BY_OWN_LEADER.check(own is not None and named in (None, own), field="leader_id")
    return {"leader_id": own, "text": p["text"]}


def _extension(refs: ReferenceReads, case: Case, p: dict[str, Any]) -> dict[str, Any]:
    """R2 (第三十四条): approved by a serving leader posted in the handling unit or above it."""
    rule, field = authority.EXTENSION_APPROVED_BY_UNIT_HEAD, "approved_by_leader_id"
    leader = authority.serving_leader(refs, p[field], rule, field)
    if case.unit_code is not None:  # an unassigned case is refused by the case's own rules
        authority.check_leader_above(refs, leader, case.unit_code, rule, field)
    return {"days": p["days"], "approved_by": leader.leader_id,
            "petitioner_notified_on": p["petitioner_notified_on"]}  # fmt: skip


def _transfer(refs: ReferenceReads, case: Case, p: dict[str, Any]) -> dict[str, Any]:
    """R1: an authority named by a unit code of the tree is not on the accused side."""
    try:
        refs.get_unit(p["authority"])
    except NotFound:
        return p
    authority.check_not_accused_side(refs, case, unit_code=p["authority"])
    return p


def _link_repeat(reads: CaseReads, case: Case, p: dict[str, Any]) -> dict[str, Any]:
    earlier = reads.get_case(UUID(str(p["earlier_case_id"])))
    terminated = earlier.status is Status.TERMINATED or earlier.termination_basis is not None
    return {"earlier_case_id": earlier.id, "earlier_terminated": terminated}


def _accountability(refs: ReferenceReads, case: Case, p: dict[str, Any]) -> dict[str, Any]:
    if p.get("target_leader_id"):
        refs.get_leader(p["target_leader_id"])
    if p.get("target_unit_code"):
        refs.get_unit(p["target_unit_code"])
    return {**p, "decided_by": current_context().actor.user_id}


def _correction(reads: CaseReads, case: Case, p: dict[str, Any]) -> dict[str, Any]:
    target_version, field = int(p["target_version"]), str(p["field"])
    row = reads.case_row(case.id, target_version)
    if row is None:
        raise NotFound("no such entry to correct", target_version=target_version)
    cls, fields = decode_state(row.topic, row.state)
    CORRECTION_TARGET_CORRECTABLE.check(
        is_correctable(cls.__name__, field), event_type=cls.__name__, field=field
    )
    if cls is case_events.ReturnVisitRecorded:  # 第二十一条: the petitioner's own rating is his word
        SELF_SERVICE_RATING_ONLY_BY_PETITIONER.check(
            ContactMethod.SELF_SERVICE not in (fields.get("method"), p["new_value"]), field=field
        )
    if field == "notice_issued_on" and fields.get("notice_pending"):  # R5: the notice is its own entry
        raise InvalidInput(
            "that outcome was recorded without its notice: record it with `notice`", field="field"
        )
    try:
        new_value = typed_value(cls, field, p["new_value"])
        new_json = to_json_value(new_value)
    except (TypeError, ValueError) as e:
        raise InvalidInput(f"new_value is not a valid {field}: {e}", field="new_value") from None
    earlier = case.corrections.get(str(target_version), {})
    old_json = earlier[field] if field in earlier else to_json_value(fields[field])
    return {
        "target_version": target_version,
        "target_type": cls.__name__,
        "field": field,
        "old_value": old_json,
        "new_value": new_json,
    }


def _diversion(refs: ReferenceReads, case: Case, p: dict[str, Any]) -> dict[str, Any]:
    """R7: the registrar diverts during screening; once accepted, the holding unit's officer or
    the supervisor does (their unit scope is checked by the API like any command's)."""
    if case.status not in ALLOWED_FROM["divert"]:
        return p  # answered or later: the case itself refuses (409), whoever asks
    role = current_context().actor.role
    by = {Role.REGISTRAR} if case.status is Status.REGISTERED else {Role.OFFICER, Role.SUPERVISOR}
    DIVERSION_BY_THE_PHASE_HOLDER.check(
        role in by, role=role, case_status=case.status.value, allowed_roles=sorted(r.value for r in by)
    )
    return p


def _terminate(refs: ReferenceReads, case: Case, p: dict[str, Any]) -> dict[str, Any]:
    if p["basis"] == TerminationBasis.RE_REVIEW_DECIDED:
        raise TransitionNotAllowed("re_review_decided termination comes with the re-review decision")
    return p


# ---- the appeal chain's levels (R3, 第三十五条、第三十六条) --------------------------------------


def level_above(refs: ReferenceReads, unit_code: str | None) -> str | None:
    """The unit one level above `unit_code` in the jurisdiction's tree; None when that level is
    outside it (the unit is the top, or itself outside)."""
    path = authority.ancestry(refs, unit_code)
    return path[1] if len(path) > 1 else None


def _appeal_request(refs: ReferenceReads, lower_unit: str | None, p: dict[str, Any]) -> dict[str, Any]:
    """The request names who decides it: the level above `lower_unit`, or referred upward."""
    deciding = level_above(refs, lower_unit)
    return {**p, "deciding_unit": deciding, "referred_upward": deciding is None}


def _review_request(refs: ReferenceReads, case: Case, p: dict[str, Any]) -> dict[str, Any]:
    return _appeal_request(refs, case.answering_unit, p)


def _re_review_request(refs: ReferenceReads, case: Case, p: dict[str, Any]) -> dict[str, Any]:
    # Above an outside review authority lies the outside too.
    return _appeal_request(refs, None if case.review_decided_outside else case.review_unit, p)


def _appeal_decision(refs: ReferenceReads, case: Case, p: dict[str, Any]) -> dict[str, Any]:
    """The deciding unit is the actor's own; an outside decision (`decided_outside`:
    {authority, document_sha256}) is entered by a supervisor of the tree's top unit above the
    answering unit, who received it from the level above (the Case checks it was referred)."""
    outside = p.pop("decided_outside", None)
    if outside is None:
        return {**p, "reviewing_unit": _actor_unit()}
    actor_unit = _actor_unit()
    OUTSIDE_DECISION_ENTERED_AT_TOP.check(
        level_above(refs, actor_unit) is None and actor_unit in authority.ancestry(refs, case.answering_unit),
        field="decided_outside",
    )
    return {
        **p,
        "reviewing_unit": outside["authority"],
        "decided_outside": True,
        "document_sha256": outside["document_sha256"],
    }


def _accepting_unit(refs: ReferenceReads, case: Case, p: dict[str, Any]) -> dict[str, Any]:
    return {**p, "accepting_unit": _actor_unit()}


def _supervisor(refs: ReferenceReads, case: Case, p: dict[str, Any]) -> dict[str, Any]:
    return {**p, "supervisor_id": current_context().actor.user_id}


def _designation(reads: CaseReads, case: Case, p: dict[str, Any]) -> dict[str, Any]:
    """A campaign the ledger knows (issue 21)."""
    campaign_id = p["campaign_id"]
    try:
        reads.get_campaign(campaign_id)
    except NotFound:
        practices.BACKLOG_CAMPAIGN_KNOWN.broken(field="campaign_id", campaign_id=campaign_id)
    return {"campaign": campaign_id, "designated_by": current_context().actor.user_id}


def _clearance(refs: ReferenceReads, case: Case, p: dict[str, Any]) -> dict[str, Any]:
    """销号 approved by a serving leader posted over the case's unit (the holding one, or the one
    that received it before assignment)."""
    rule, field = practices.BACKLOG_CLEARANCE_APPROVED_BY_LEADER_ABOVE, "approved_by_leader_id"
    leader = authority.serving_leader(refs, p[field], rule, field)
    authority.check_leader_above(refs, leader, case.unit_code or case.received_unit, rule, field)
    return {"campaign": p.get("campaign_id"), "approved_by": leader.leader_id, "basis": p["basis"],
            "cleared_by": current_context().actor.user_id}  # fmt: skip


def _escalation(refs: ReferenceReads, case: Case, p: dict[str, Any]) -> dict[str, Any]:
    """Whether the local escalation policy is in force on the day of the closure or archiving:
    the jurisdiction's data, which the case cannot read itself (issue 21)."""
    day = local_date(current_context().effective_occurred_at())
    return {**p, "escalation_in_force": refs.local_policy_in_force(LocalPolicy.ESCALATION, day)}


@dataclass(frozen=True)
class CommandSpec:
    """A case command: its API name, the `Case` method it calls, and what resolves its references."""

    name: str
    method: str
    resolver: Resolver | None = None

    def arguments(self, reads: CaseReads, case: Case, params: dict[str, Any]) -> dict[str, Any]:
        """The method's arguments: the request's, with what the resolver adds and checks."""
        return self.resolver(reads, case, dict(params)) if self.resolver else dict(params)


S = CommandSpec
COMMAND_SPECS: tuple[CommandSpec, ...] = (
    S("accept", "accept", _accepting_unit),
    S("not-accept", "not_accept"),
    S("divert", "divert", _diversion),
    S("transfer", "transfer", _transfer),
    S("assign", "assign", _assignment),
    S("reassign", "reassign", _assignment),
    S("instruct", "instruct", _instruction),
    S("supervise", "supervise", _supervisor),
    S("supervision-answer", "answer_supervision"),
    S("progress", "record_progress"),
    S("mediation", "record_mediation"),
    S("extend", "extend", _extension),
    S("answer", "answer"),
    S("return-visit", "record_return_visit"),
    S("review-request", "request_review", _review_request),
    S("review-decision", "decide_review", _appeal_decision),
    S("re-review-request", "request_re_review", _re_review_request),
    S("hearing", "hold_hearing"),
    S("re-review-decision", "decide_re_review", _appeal_decision),
    S("close", "close", _escalation),
    S("reopen", "reopen"),
    S("terminate", "terminate", _terminate),
    S("archive", "archive", _escalation),
    S("backlog", "designate_backlog", _designation),
    S("link-repeat", "link_repeat", _link_repeat),
    S("accountability", "record_accountability", _accountability),
    S("notes", "add_note"),
    S("documents", "attach_document"),
    S("corrections", "correct", _correction),
    # issue 18 (R5, R6, R7)
    S("notice", "record_notice"),
    S("completion-report", "report_completion"),
    S("objection", "object_to_assignment"),
    S("objection-decision", "decide_objection"),
    S("diversion-outcome", "record_diversion_outcome"),
    # the petitioner's look-up (第二十一条): the API makes the code and passes only its hash
    S("query-code-reissue", "reissue_query_code"),
    # issue 21 (practices)
    S("backlog-clear", "clear_backlog", _clearance),
    # issue 21
    S("implementation", "record_implementation"),
)
SPEC_OF: dict[str, CommandSpec] = {spec.name: spec for spec in COMMAND_SPECS}


__all__ = ["COMMAND_SPECS", "SPEC_OF", "CommandSpec", "Resolver", "case_events"]
