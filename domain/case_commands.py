"""The case commands by their API names, and the arguments the application adds to them.

Arguments that identify who acts (supervisor, deciding unit, ...) come from the audit
context, never from the request; references (units, leaders, cases) must exist.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from uuid import UUID

from domain import authority, case_events
from domain.authority import ReferenceReads
from domain.case import ALLOWED_FROM
from domain.context import current_context
from domain.corrections import is_correctable, typed_value
from domain.errors import InvalidInput, NotFound, TransitionNotAllowed
from domain.rules import (
    CORRECTION_TARGET_CORRECTABLE,
    DIVERSION_BY_THE_PHASE_HOLDER,
    OUTSIDE_DECISION_ENTERED_AT_TOP,
)
from domain.serialization import decode_state, to_json_value
from domain.vocabulary import Role, Status, TerminationBasis

if TYPE_CHECKING:
    from domain.application import LedgerApplication
    from domain.case import Case

COMMANDS: dict[str, str] = {
    "accept": "accept",
    "not-accept": "not_accept",
    "divert": "divert",
    "transfer": "transfer",
    "assign": "assign",
    "reassign": "reassign",
    "instruct": "instruct",
    "supervise": "supervise",
    "supervision-answer": "answer_supervision",
    "progress": "record_progress",
    "mediation": "record_mediation",
    "extend": "extend",
    "answer": "answer",
    "return-visit": "record_return_visit",
    "review-request": "request_review",
    "review-decision": "decide_review",
    "re-review-request": "request_re_review",
    "hearing": "hold_hearing",
    "re-review-decision": "decide_re_review",
    "close": "close",
    "reopen": "reopen",
    "terminate": "terminate",
    "archive": "archive",
    "backlog": "designate_backlog",
    "link-repeat": "link_repeat",
    "accountability": "record_accountability",
    "notes": "add_note",
    "documents": "attach_document",
    "corrections": "correct",
    # issue 18 (R5, R6, R7)
    "notice": "record_notice",
    "completion-report": "report_completion",
    "objection": "object_to_assignment",
    "objection-decision": "decide_objection",
    "diversion-outcome": "record_diversion_outcome",
}


def _actor_unit() -> str:
    unit = current_context().actor.unit_code
    if not unit:
        raise InvalidInput("this command needs a user who belongs to a unit", field="actor")
    return unit


def _assignment(refs: ReferenceReads, case: Case, p: dict[str, Any]) -> dict[str, Any]:
    """R1 and R2: a known unit, a serving leader posted in it or above, an officer of its subtree,
    none of them on the accused side of an accusation."""
    unit_code, officer_id = p["unit_code"], p.get("officer_id")
    refs.get_unit(unit_code)
    leader = authority.serving_leader(refs, p["leader_id"], authority.ASSIGNED_LEADER_ABOVE, "leader_id")
    officer = authority.known_officer(refs, officer_id) if officer_id is not None else None
    authority.check_not_accused_side(refs, case, unit_code=unit_code, leader=leader, officer=officer)
    authority.check_leader_above(refs, leader, unit_code, authority.ASSIGNED_LEADER_ABOVE, "leader_id")
    if officer is not None:
        authority.check_officer_within(refs, officer, unit_code)
    return {"unit_code": unit_code, "leader_id": leader.leader_id, "officer_id": officer_id,
            "report_by": p.get("report_by")}  # fmt: skip


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


def _link_repeat(app: LedgerApplication, case: Case, p: dict[str, Any]) -> dict[str, Any]:
    earlier = app.get_case(UUID(str(p["earlier_case_id"])))
    terminated = earlier.status is Status.TERMINATED or earlier.termination_basis is not None
    return {"earlier_case_id": earlier.id, "earlier_terminated": terminated}


def _accountability(app: LedgerApplication, case: Case, p: dict[str, Any]) -> dict[str, Any]:
    if p.get("target_leader_id"):
        app.get_leader(p["target_leader_id"])
    if p.get("target_unit_code"):
        app.get_unit(p["target_unit_code"])
    return {**p, "decided_by": current_context().actor.user_id}


def _correction(app: LedgerApplication, case: Case, p: dict[str, Any]) -> dict[str, Any]:
    target_version, field = int(p["target_version"]), str(p["field"])
    rows = app.reads.aggregate_rows(case.id, lte=target_version)
    if not rows or rows[-1].version != target_version:
        raise NotFound("no such entry to correct", target_version=target_version)
    cls, fields = decode_state(rows[-1].topic, rows[-1].state)
    CORRECTION_TARGET_CORRECTABLE.check(
        is_correctable(cls.__name__, field), event_type=cls.__name__, field=field
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


def _diversion(app: LedgerApplication, case: Case, p: dict[str, Any]) -> dict[str, Any]:
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


def _terminate(app: LedgerApplication, case: Case, p: dict[str, Any]) -> dict[str, Any]:
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


PREPARE = {
    "accept": lambda app, case, p: {**p, "accepting_unit": _actor_unit()},
    "divert": _diversion,
    "assign": _assignment,
    "reassign": _assignment,
    "instruct": _instruction,
    "extend": _extension,
    "transfer": _transfer,
    "supervise": lambda app, case, p: {**p, "supervisor_id": current_context().actor.user_id},
    "review-request": _review_request,
    "re-review-request": _re_review_request,
    "review-decision": _appeal_decision,
    "re-review-decision": _appeal_decision,
    "backlog": lambda app, case, p: {**p, "designated_by": current_context().actor.user_id},
    "link-repeat": _link_repeat,
    "accountability": _accountability,
    "corrections": _correction,
    "terminate": _terminate,
}


def prepare_arguments(
    app: LedgerApplication, case: Case, command: str, params: dict[str, Any]
) -> dict[str, Any]:
    prepare = PREPARE.get(command)
    return prepare(app, case, dict(params)) if prepare else dict(params)


__all__ = ["COMMANDS", "case_events", "prepare_arguments"]
