"""Which recorded facts may be corrected, and what a correction changes in the case's state.

A correction never edits the earlier event; it is a new event naming the earlier one.
The case state, the clocks and the views read the corrected value; the timeline shows both.
"""

from __future__ import annotations

from typing import Any

from domain.serialization import converter_for, field_type

# event type → correctable fields. Ids, topics, actors and the chain are never correctable.
CORRECTABLE: dict[str, frozenset[str]] = {
    "Registered": frozenset(
        {"occurred_at", "channel", "headcount", "subject", "content", "category", "region_code"}
    ),
    "Accepted": frozenset({"occurred_at", "notice_issued_on"}),
    "NotAccepted": frozenset({"occurred_at", "reason_code", "notice_issued_on"}),
    "Diverted": frozenset({"occurred_at", "pathway", "institution", "notice_issued_on"}),
    "Transferred": frozenset({"occurred_at", "authority", "notice_issued_on"}),
    "Assigned": frozenset({"occurred_at", "officer_id", "report_by"}),
    "Reassigned": frozenset({"occurred_at", "officer_id", "report_by"}),
    "Instructed": frozenset({"text"}),
    "SupervisionIssued": frozenset({"reply_by", "text"}),
    "ProgressRecorded": frozenset({"occurred_at", "note"}),
    "MediationRecorded": frozenset({"outcome", "document_sha256"}),
    "ExtensionGranted": frozenset({"approved_by", "petitioner_notified_on"}),
    "Answered": frozenset({"occurred_at", "outcome", "delivered_on", "document_sha256"}),
    "ReturnVisitRecorded": frozenset({"occurred_at", "satisfaction", "signed", "method", "comment"}),
    "ReviewRequested": frozenset({"requested_on"}),
    "ReviewDecided": frozenset({"decision", "delivered_on"}),
    "ReReviewRequested": frozenset({"requested_on"}),
    "HearingHeld": frozenset({"started_on", "ended_on"}),
    "ReReviewDecided": frozenset({"decision", "delivered_on"}),
    "Closed": frozenset({"occurred_at", "closure_type"}),
    "AccountabilityRecorded": frozenset({"measure", "basis"}),
    "NoteAdded": frozenset({"text"}),
    "DocumentAttached": frozenset({"file_name", "media_type"}),
    # issue 18 (R5, R6, R7): the dates the clocks read are facts a typo can get wrong
    "NoticeIssued": frozenset({"issued_on"}),
    "CompletionReported": frozenset({"occurred_at", "text", "document_sha256"}),
    "DiversionOutcomeRecorded": frozenset({"on"}),
    # issue 21: the day the implementation clock stops on
    "ImplementationRecorded": frozenset({"done_on", "note"}),
}

# (event type, field) → the case attribute that holds it while that event is in force.
_STATE: dict[tuple[str, str], str] = {
    ("Registered", "occurred_at"): "registered_at",
    ("Registered", "channel"): "channel",
    ("Registered", "headcount"): "headcount",
    ("Registered", "subject"): "subject",
    ("Registered", "content"): "content",
    ("Registered", "category"): "category",
    ("Registered", "region_code"): "region_code",
    ("Accepted", "occurred_at"): "accepted_at",
    ("NotAccepted", "reason_code"): "not_accepted_reason",
    ("NotAccepted", "notice_issued_on"): "notice_issued_on",
    ("Transferred", "authority"): "transferred_to",
    ("Assigned", "occurred_at"): "assigned_at",
    ("Assigned", "officer_id"): "officer_id",
    ("Reassigned", "occurred_at"): "assigned_at",
    ("Reassigned", "officer_id"): "officer_id",
    ("MediationRecorded", "outcome"): "mediation_outcome",
    ("Answered", "occurred_at"): "answered_at",
    ("Answered", "outcome"): "answer_outcome",
    ("Answered", "delivered_on"): "answer_delivered_on",
    ("Answered", "document_sha256"): "answer_document",
    ("ReturnVisitRecorded", "satisfaction"): "satisfaction",
    ("ReviewRequested", "requested_on"): "review_requested_on",
    ("ReviewDecided", "decision"): "review_decision",
    ("ReviewDecided", "delivered_on"): "review_delivered_on",
    ("ReReviewRequested", "requested_on"): "re_review_requested_on",
    ("ReReviewDecided", "decision"): "re_review_decision",
    ("ReReviewDecided", "delivered_on"): "re_review_delivered_on",
    ("Closed", "occurred_at"): "closed_at",
    ("Closed", "closure_type"): "closure_type",
    ("NoticeIssued", "issued_on"): "notice_issued_on",
    ("Accepted", "notice_issued_on"): "notice_issued_on",
    ("Diverted", "notice_issued_on"): "notice_issued_on",
    ("Transferred", "notice_issued_on"): "notice_issued_on",
    ("Assigned", "report_by"): "report_by",
    ("Reassigned", "report_by"): "report_by",
    ("ImplementationRecorded", "done_on"): "implemented_on",
}

# Facts superseded by later events of the same kind: a correction of an old one leaves
# the current state alone. Maps the event type to the case attribute naming the version in force.
_SUPERSEDABLE: dict[str, str] = {
    "Assigned": "assignment_version",
    "Reassigned": "assignment_version",
    "Answered": "answer_version",
}
# Issue 18: a screening outcome's notice is in force until the next outcome (after 回流), while
# the rest of that outcome (an acceptance's time) stays in force.
_SUPERSEDABLE_FIELD: dict[tuple[str, str], str] = {
    (name, "notice_issued_on"): "screening_version"
    for name in ("Accepted", "NotAccepted", "Diverted", "Transferred")
}


def is_correctable(event_type: str, field: str) -> bool:
    return field in CORRECTABLE.get(event_type, frozenset())


def typed_value(event_cls: type[Any], field: str, json_value: Any) -> Any:
    """Convert a JSON value to the type the event class declares for `field`."""
    return converter_for(field_type(event_cls, field))(json_value)


def correction_effect(case: Any, event: Any) -> tuple[str, Any] | None:
    """The (attribute, typed value) a correction changes in the case now, if any."""
    attribute = _STATE.get((event.target_type, event.field))
    if attribute is None:
        return None
    in_force = _SUPERSEDABLE_FIELD.get((event.target_type, event.field)) or _SUPERSEDABLE.get(
        event.target_type
    )
    if in_force and getattr(case, in_force) != event.target_version:
        return None
    if event.target_type == "Closed" and case.closed_at is None:
        return None  # reopened since: that closure is no longer in force
    from domain import case_events

    cls = getattr(case_events, event.target_type)
    return attribute, typed_value(cls, event.field, event.new_value)
