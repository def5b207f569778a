"""Case commands: POST /api/v1/cases registers; POST /api/v1/cases/{id}/<command> for the rest.

(No `from __future__ import annotations` here: the command endpoints are made in a loop and
FastAPI must see their body classes as real objects, not strings.)
"""

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Header, Request

from api.access import reader_access
from api.auth import CurrentUser, Ledger, audit
from api.repeats import look_up
from api.responses import JSON
from api.routers.common import as_domain_params, expected_version, idempotency
from api.schemas import COMMAND_BODIES, CommandBody, CommandOut, RegisterIn, RegisterOut
from domain.case import Case
from domain.errors import DuplicateExternalReference
from domain.values import Petitioner

router = APIRouter(prefix="/api/v1/cases", tags=["case commands"])

IfMatch = Annotated[str | None, Header(description="the case version this command expects")]
IdempotencyKey = Annotated[
    str | None, Header(description="repeat a command safely: same key and body, same answer")
]


@router.post("", status_code=201, response_model=RegisterOut)
def register_case(
    body: RegisterIn, request: Request, ledger: Ledger, who: CurrentUser,
    idempotency_key: IdempotencyKey = None,
) -> Any:  # fmt: skip
    """Register a petition from any channel (登记); the answer lists possible repeats (R10)."""
    access = reader_access(request, who)
    access.check_command("register", None)
    fields = body.model_dump(exclude={"occurred_at", "reason", "petitioners"})
    fields["petitioners"] = tuple(Petitioner(**p.model_dump()) for p in body.petitioners)
    key = idempotency(request, who, idempotency_key, body.model_dump(mode="json"))
    repeats = look_up(request, access, fields["petitioners"])
    fields["terminated_matter_on_record"] = repeats.terminated_on_record
    with audit(who, request, occurred_at=body.occurred_at, reason=body.reason):
        try:
            result = ledger.register_case(idempotency=key, **fields)
        except DuplicateExternalReference as exc:
            raise _without_unseen_case(exc, ledger, access.may_see) from None
    answer = {**result.as_dict(), "possible_repeats": repeats.possible_repeats(str(result.case_id))}
    return JSON(answer, status_code=201)


def _without_unseen_case(
    exc: DuplicateExternalReference, ledger: Any, may_see: Any
) -> DuplicateExternalReference:
    """The conflict names the existing case only to a caller who may see it (第三十条)."""
    existing = ledger.get_case(UUID(exc.context["case_id"]))
    if may_see(existing):
        return exc
    context = {k: v for k, v in exc.context.items() if k != "case_id"}
    return DuplicateExternalReference(exc.message, article=exc.article, **context)


def _command_endpoint(command: str, body_class: type[CommandBody]) -> Any:
    def endpoint(
        case_id: UUID, body: body_class, request: Request, ledger: Ledger, who: CurrentUser,  # type: ignore[valid-type]
        if_match: IfMatch = None, idempotency_key: IdempotencyKey = None,
    ) -> Any:  # fmt: skip
        command_body: CommandBody = body
        access = reader_access(request, who)
        access.check_command(command, None)  # the role, before anything is read

        def in_scope(case: Case) -> None:
            access.check_command(command, case)

        params = as_domain_params(command_body.model_dump(exclude={"occurred_at", "reason"}))
        if command == "link-repeat":  # the earlier case must be one the caller may see, else 404
            access.check_read(ledger.get_case(params["earlier_case_id"]))
        key = idempotency(request, who, idempotency_key, command_body.model_dump(mode="json"))
        with audit(who, request, occurred_at=command_body.occurred_at, reason=command_body.reason):
            result = ledger.execute(
                case_id,
                command,
                params,
                expected_version=expected_version(if_match),
                idempotency=key,
                authorize=in_scope,
            )
        return result.as_dict()

    endpoint.__name__ = command.replace("-", "_")
    endpoint.__doc__ = f"{command} (see DOMAIN.md)."
    return endpoint


COMMAND_SUMMARIES = {
    "accept": "Accept the case for handling (受理); the 60-day clock starts",
    "not-accept": "Refuse the case with a reason code and written notice (不予受理)",
    "divert": "Route the case to a legal pathway (导入法定途径), until the answer",
    "transfer": "Send the case to another authority (转送)",
    "assign": "Assign to a unit, a responsible leader and an officer (交办)",
    "reassign": "Hand the case to another unit or leader",
    "instruct": "Record the logged-in leader's written instruction (批示)",
    "supervise": "Issue a supervision letter with a reply-by date (督办函)",
    "supervision-answer": "Record the unit's written reply to a supervision letter",
    "progress": "Record a handling step (五到位)",
    "mediation": "Record a mediation outcome (调解)",
    "extend": "Grant the one extension of a handling period, at most 30 days, approved by a leader of the handling unit or above (延期)",
    "answer": "Record the written answer and its delivery (答复)",
    "return-visit": "Record the return visit and the petitioner's satisfaction (回访)",
    "review-request": "Record the petitioner's review request (复查) on a complaint request's answer, and the day it was received",
    "review-decision": "Record the review decision of the unit one level above the answering unit, or the outside decision of a request referred upward (decided_outside)",
    "re-review-request": "Record the petitioner's re-review request (复核)",
    "hearing": "Record a hearing (听证), in re-review (its days do not count against that deadline) or during handling of a complaint request",
    "re-review-decision": "Record the re-review decision of the unit one level above the reviewing unit, or the outside one; the matter is terminated (终结)",
    "close": "Close the case (办结)",
    "reopen": "Reopen a closed case (回流); give the reason",
    "terminate": "Terminate the matter (终结)",
    "archive": "Archive the complete dossier (归档)",
    "backlog": "Put the case on a backlog campaign (积案)",
    "link-repeat": "Link this case as a repeat of an earlier one (重信重访)",
    "accountability": "Record an accountability measure (问责)",
    "notes": "Add a note",
    "documents": "Attach a document by its SHA-256",
    "corrections": "Correct an earlier entry; the original stays on the record",
    "notice": "Record the written notice of a screening outcome decided without one; the screening clock stops on its date (告知)",
    "completion-report": "Record the holding unit's completion report (办结报告); its deadline stops",
    "objection": "Object to the assignment within 5 working days, with reasons (异议)",
    "objection-decision": "Decide an objection; upheld, the case returns for reassignment (交还)",
    "diversion-outcome": "Record what the legal pathway did: taken up, or returned (回流) to screening",
}

for _command, _body in COMMAND_BODIES.items():
    router.add_api_route(
        f"/{{case_id}}/{_command}",
        _command_endpoint(_command, _body),
        methods=["POST"],
        response_model=CommandOut,
        summary=COMMAND_SUMMARIES[_command],
        name=f"case_{_command.replace('-', '_')}",
    )
