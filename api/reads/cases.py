"""Reading one case from the ledger: its state now, after event N, as of a time, and its timeline."""

from __future__ import annotations

import dataclasses
from datetime import datetime
from typing import Any
from uuid import UUID

from eventsourcing.persistence import StoredEvent
from fastapi import Request

from api.access import masked_fields, petitioners_for, reader_access
from api.auth import Principal, audit
from api.errors import ProblemError
from api.permissions import UNMASK_ROLES
from domain import replay
from domain.application import LedgerApplication
from domain.case import Case
from domain.case_events import CaseEvent
from domain.checkpoint_store import CheckpointStore
from domain.clocks import compute_clocks
from domain.context import current_context
from domain.errors import CaseNotFound, Forbidden, NotFound
from domain.timeline import build_timeline, check_head


def logged_events(ledger: LedgerApplication, case_id: UUID) -> list[replay.Recorded]:
    """The case's events with their database-side recorded times, from one read of its rows."""
    out = []
    for row in ledger.case_rows(case_id):
        stored = StoredEvent(originator_id=row.originator_id, originator_version=row.version,
                             topic=row.topic, state=row.state)  # fmt: skip
        event = ledger.mapper.to_domain_event(stored)
        assert isinstance(event, CaseEvent)
        out.append(replay.Recorded(event, row.recorded_at))
    return out


def _one_moment(version: int | None, as_of: datetime | None, known_at: datetime | None) -> None:
    given = [n for n, v in (("version", version), ("as_of", as_of), ("known_at", known_at)) if v is not None]
    if len(given) > 1:
        message = f"ask for one of version, as_of and known_at, not {' and '.join(given)}"
        raise ProblemError(
            422, "validation_failed", message, errors=[{"field": given[1], "message": message}]
        )
    for name, value in (("as_of", as_of), ("known_at", known_at)):
        if value is not None and value.tzinfo is None:
            message = f"{name} needs a time zone offset"
            raise ProblemError(
                422, "validation_failed", message, errors=[{"field": name, "message": message}]
            )


def _snapshot(
    ledger: LedgerApplication, case_id: UUID, as_of: datetime | None, known_at: datetime | None
) -> replay.Snapshot:
    if as_of is not None:
        snap = replay.as_of(ledger.case_events(case_id), as_of)
        when, instant = "as_of", as_of
    else:
        assert known_at is not None
        snap = replay.known_at(logged_events(ledger, case_id), known_at)
        when, instant = "known_at", known_at
    if snap is None:
        raise CaseNotFound(f"the case was not registered at {instant.isoformat()} ({when})",
                           case_id=str(case_id), **{when: instant.isoformat()})  # fmt: skip
    return snap


def unmask_if_asked(
    request: Request,
    ledger: Any,
    who: Principal,
    case_id: UUID,
    unmask: bool,
    purpose: str | None,
) -> bool:
    if not unmask:
        return False
    if who.role not in UNMASK_ROLES:
        raise Forbidden("your role may not see unmasked personal data", role=who.role.value)
    if not purpose or not purpose.strip():
        raise Forbidden("state the purpose to see unmasked personal data", field="purpose")
    with audit(who, request, reason=purpose.strip()):
        ledger.record_personal_data_view(case_id, purpose.strip())
    return True


def case_view(case: Case, *, unmasked: bool) -> dict[str, Any]:
    return {
        "case_id": str(case.id),
        "version": case.version,
        "status": case.status.value,
        "channel": case.channel,
        "kind": case.kind,
        "petitioners": petitioners_for(case.petitioners, unmasked=unmasked),
        "headcount": case.headcount,
        "subject": case.subject,
        "content": case.content,
        "category": case.category,
        "region_code": case.region_code,
        "received_unit": case.received_unit,
        "external_ref": case.external_ref,
        "accused_unit": case.accused_unit,
        "accused_leader": case.accused_leader,
        "policy_version": case.policy_version,
        "registered_at": case.registered_at,
        "accepted_at": case.accepted_at,
        "unit_code": case.unit_code,
        "leader_id": case.leader_id,
        "officer_id": case.officer_id,
        "handling_period": case.handling_period,
        "extension_days": case.extension_days if case.extension_period == case.handling_period else 0,
        "answer_outcome": case.answer_outcome,
        "answer_delivered_on": case.answer_delivered_on,
        "satisfaction": case.satisfaction,
        "closure_type": case.closure_type,
        "closed_at": case.closed_at,
        "termination_basis": case.termination_basis,
        "archived_at": case.archived_at,
        "backlog_campaigns": list(case.backlog_campaigns),
        "backlog_cleared": list(case.backlog_cleared),
        "reception_id": case.reception_id,
        "repeat_of": [str(c) for c in case.repeat_of],
        "documents": list(case.documents),
        "late_entry": case.is_late_entry,
        "corrections": case.corrections,
        **_process_fields(case),
    }


def _process_fields(case: Case) -> dict[str, Any]:
    """Notices, the completion report, objections and diversion (issue 18: R5, R6, R7)."""
    return {
        "notice_issued_on": case.notice_issued_on,
        "notice_mode": case.notice_mode,
        "notice_pending": case.notice_pending,
        "report_by": case.report_by,
        "completion_reported": case.completion_reported_version > 0
        and case.completion_reported_version == case.assignment_version,
        "objection_pending": case.objection_pending,
        "diverted_to": list(case.diverted_to) if case.diverted_to else None,
        "diversion_outcome": case.diversion_outcome,
        # issue 21: 落实 of the answer in force, and the times assigned (the escalation policy's count)
        "implemented_on": case.implemented_on
        if case.implemented_answer_version == case.answer_version
        else None,
        "assignment_count": case.assignment_count,
    }


def readable_case(request: Request, ledger: LedgerApplication, who: Principal, case_id: UUID) -> Case:
    """The case now, if this reader may see it; else 404 as for a case that does not exist."""
    case = ledger.get_case(case_id)
    reader_access(request, who).check_read(case)
    return case


def case_state(
    request: Request, ledger: LedgerApplication, who: Principal, case_id: UUID, *,
    version: int | None = None, as_of: datetime | None = None, known_at: datetime | None = None,
    unmask: bool = False, purpose: str | None = None,
) -> dict[str, Any]:  # fmt: skip
    """The case now, after event `version`, as of a time in the world, or as the ledger knew it then."""
    case = readable_case(request, ledger, who, case_id)
    _one_moment(version, as_of, known_at)
    if as_of is not None or known_at is not None:
        snap = _snapshot(ledger, case_id, as_of, known_at)
        case, clocks = snap.case, snap.clocks
    else:
        if version is not None:
            if version > case.version:
                raise NotFound(f"the case has {case.version} events", version=version)
            case = ledger.get_case(case_id, version=version)
        clocks = compute_clocks(ledger.case_events(case_id, lte=case.version), at=current_context().now)
    unmasked = unmask_if_asked(request, ledger, who, case_id, unmask, purpose)
    view = case_view(case, unmasked=unmasked)
    view["clocks"] = [dataclasses.asdict(c) for c in clocks]
    view["as_of"], view["known_at"] = as_of, known_at
    return view


def case_timeline(
    request: Request, ledger: LedgerApplication, who: Principal, case_id: UUID, *,
    unmask: bool = False, purpose: str | None = None,
) -> dict[str, Any]:  # fmt: skip
    """Every event in order, with both times, actor, reason, corrections and hashes; `chain_ok` re-checked now."""
    readable_case(request, ledger, who, case_id)
    unmasked = unmask_if_asked(request, ledger, who, case_id, unmask, purpose)
    result = check_head(build_timeline(ledger.case_rows(case_id)), case_id, CheckpointStore(ledger.recorder))
    items = []
    for e in result.entries:
        fields = masked_fields(e.fields, unmasked=unmasked)
        items.append({
            "version": e.version, "type": e.type, "position": e.position, "actor": e.actor,
            "occurred_at": e.occurred_at, "recorded_at": e.recorded_at, "timestamp": e.timestamp,
            "late_entry": e.late_entry, "reason": e.reason, "request_id": e.request_id, "fields": fields,
            "hash": e.hash, "prev_hash": e.prev_hash, "corrected_by": e.corrected_by,
        })  # fmt: skip
    return {"case_id": str(case_id), "chain_ok": result.chain_ok, "first_bad_version": result.first_bad_version,
            "problem": result.problem, "items": items}  # fmt: skip
