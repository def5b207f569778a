"""The one path of every case command, for the API and the case pages: registration and the
commands on a case, each with its role check, the access rule, idempotency and the audit context.
The answers are the API's; api/routers/cases.py and api/pages/case_work.py only adapt them."""

from typing import Any
from uuid import UUID

from fastapi import Request

from api.access import reader_access
from api.auth import Principal, audit
from api.command_input import as_domain_params, expected_version, idempotency
from api.repeats import look_up
from api.schemas import CommandBody, RegisterIn
from domain.application import LedgerApplication
from domain.case import Case
from domain.errors import DuplicateExternalReference
from domain.query_code import hash_query_code, new_query_code, shown
from domain.values import Petitioner

CASES_PATH = "/api/v1/cases"
REGISTER_PATH = CASES_PATH
QUERY_CODE_REISSUE = "query-code-reissue"


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
    return f"{CASES_PATH}/{case_id}/{command}"
