"""Case commands: POST /api/v1/cases registers; POST /api/v1/cases/{id}/<command> for the rest
(the one command path is api/case_work_service.py).

(No `from __future__ import annotations` here: the command endpoints are made in a loop and
FastAPI must see their body classes as real objects, not strings.)
"""

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Header, Request

from api.auth import CurrentUser, Ledger
from api.case_work_service import CASES_PATH, QUERY_CODE_REISSUE, case_command, registration
from api.commands import DECLARATIONS
from api.responses import JSON
from api.schemas import CommandBody, CommandOut, QueryCodeOut, RegisterIn, RegisterOut

router = APIRouter(prefix=CASES_PATH, tags=["case commands"])

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


def _command_endpoint(command: str, body_class: type[CommandBody]) -> Any:
    def endpoint(
        case_id: UUID, body: body_class, request: Request, ledger: Ledger, who: CurrentUser,  # type: ignore[valid-type]
        if_match: IfMatch = None, idempotency_key: IdempotencyKey = None,
    ) -> Any:  # fmt: skip
        return case_command(
            request, ledger, who, case_id, command, body, if_match=if_match, idempotency_key=idempotency_key
        )

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
