"""Case commands: POST /api/v1/cases registers; POST /api/v1/cases/{id}/<command> for the rest.

(No `from __future__ import annotations` here: the command endpoints are made in a loop and
FastAPI must see their body classes as real objects, not strings.)
"""

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Header, Request
from starlette.concurrency import run_in_threadpool

from api.access import reader_access
from api.auth import BearerToken, CurrentUser, Ledger, Principal, audit, authenticate
from api.commands import DECLARATIONS
from api.repeats import look_up
from api.responses import JSON
from api.routers.common import as_domain_params, expected_version, idempotency
from api.schemas import CommandBody, CommandOut, QueryCodeOut, RegisterIn, RegisterOut
from domain.application import LedgerApplication
from domain.case import Case
from domain.errors import DuplicateExternalReference
from domain.query_code import hash_query_code, new_query_code, shown
from domain.values import Petitioner

router = APIRouter(prefix="/api/v1/cases", tags=["case commands"])
REGISTER_PATH = router.prefix
QUERY_CODE_REISSUE = "query-code-reissue"

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
    return JSON(registration(request, ledger, who, body, idempotency_key), status_code=201)


def registration(
    request: Request, ledger: LedgerApplication, who: Principal, body: RegisterIn, idempotency_key: str | None
) -> dict[str, Any]:
    """The one registration path, for the API and the registration page: role, idempotency,
    audit context, repeats (R10); the answer as the API gives it."""
    access = reader_access(request, who)
    access.check_command("register", None)
    fields = body.model_dump(exclude={"occurred_at", "reason", "petitioners"})
    fields["petitioners"] = tuple(Petitioner(**p.model_dump()) for p in body.petitioners)
    if body.reception_id is not None:
        fields["reception_id"] = str(body.reception_id)
    key = idempotency(request, who, idempotency_key, body.model_dump(mode="json"), path=REGISTER_PATH)
    repeats = look_up(request, access, fields["petitioners"])
    fields["terminated_matter_on_record"] = repeats.terminated_on_record
    with audit(who, request, occurred_at=body.occurred_at, reason=body.reason):
        try:
            result = ledger.register_case(idempotency=key, **fields)
        except DuplicateExternalReference as exc:
            raise _without_unseen_case(exc, ledger, access.may_see) from None
    return {
        **result.as_dict(),
        "query_code": shown(result.query_code) if result.query_code else None,  # shown once, never stored
        "possible_repeats": repeats.possible_repeats(str(result.case_id)),
    }


def _without_unseen_case(
    exc: DuplicateExternalReference, ledger: Any, may_see: Any
) -> DuplicateExternalReference:
    """The conflict names the existing case only to a caller who may see it (第三十条)."""
    existing = ledger.get_case(UUID(exc.context["case_id"]))
    if may_see(existing):
        return exc
    context = {k: v for k, v in exc.context.items() if k != "case_id"}
    return DuplicateExternalReference(exc.message, article=exc.article, **context)


def case_command(
    request: Request, ledger: LedgerApplication, who: Principal, case_id: UUID, command: str,
    body: CommandBody, *, if_match: str | None = None, idempotency_key: str | None = None,
) -> dict[str, Any]:  # fmt: skip
    """The one path of a case command, for the API and the case page: the role (403) before
    anything is read, the case in the caller's sight (404, as for no case), the command's own
    rules, idempotency and the audit context. The answer as the API gives it."""
    access = reader_access(request, who)
    access.check_command(command, None)  # the role, before anything is read

    def in_scope(case: Case) -> None:
        access.check_command(command, case)

    params = as_domain_params(body.model_dump(exclude={"occurred_at", "reason"}))
    if command == "link-repeat":  # the earlier case must be one the caller may see, else 404
        access.check_read(ledger.get_case(params["earlier_case_id"]))
    code = new_query_code() if command == QUERY_CODE_REISSUE else None
    if code is not None:  # the ledger gets the hash; the code is in this answer alone
        params["query_code_hash"] = hash_query_code(code)
    key = idempotency(
        request, who, idempotency_key, body.model_dump(mode="json"), path=command_path(case_id, command)
    )
    with audit(who, request, occurred_at=body.occurred_at, reason=body.reason):
        result = ledger.execute(
            case_id,
            command,
            params,
            expected_version=expected_version(if_match),
            idempotency=key,
            authorize=in_scope,
        )
    if code is not None:  # a replayed request cannot show the code again: it was never stored
        return {**result.as_dict(), "query_code": None if result.replayed else shown(code)}
    return result.as_dict()


def command_path(case_id: UUID, command: str) -> str:
    """The API path of a command: an Idempotency-Key means the same request from a page form."""
    return f"{router.prefix}/{case_id}/{command}"


def _command_endpoint(command: str, body_class: type[CommandBody]) -> Any:
    async def endpoint(
        case_id: UUID, body: body_class, request: Request, ledger: Ledger, token: BearerToken,  # type: ignore[valid-type]
        if_match: IfMatch = None, idempotency_key: IdempotencyKey = None,
    ) -> Any:  # fmt: skip
        # The token check and the command in one hand-off to a worker thread, not one each (a
        # `def` dependency and a `def` endpoint): waking a worker thread cost the event loop
        # about a tenth of its CPU under a write load (issue 23, bench/RESULTS.md). A missing
        # token is still a 401 before the body is parsed (`bearer_token`); a wrong one, with a
        # body that fails validation, is now the 422.
        def run() -> Any:
            who = authenticate(ledger, request, token)
            return case_command(
                request,
                ledger,
                who,
                case_id,
                command,
                body,
                if_match=if_match,
                idempotency_key=idempotency_key,
            )

        return await run_in_threadpool(run)

    endpoint.__name__ = command.replace("-", "_")
    endpoint.__doc__ = f"{command} (see DOMAIN.md)."
    return endpoint


for _declared in DECLARATIONS:
    router.add_api_route(
        f"/{{case_id}}/{_declared.name}",
        _command_endpoint(_declared.name, _declared.body),
        methods=["POST"],
        response_model=QueryCodeOut if _declared.name == QUERY_CODE_REISSUE else CommandOut,
        summary=_declared.summary,
        name=f"case_{_declared.name.replace('-', '_')}",
    )
