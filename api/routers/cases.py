"""Case commands: POST /api/v1/cases registers; POST /api/v1/cases/{id}/<command> for the rest
(the one command path is api/case_work_service.py).

(No `from __future__ import annotations` here: the command endpoints are made in a loop and
FastAPI must see their body classes as real objects, not strings.)
"""

from collections.abc import Callable, Coroutine
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Header, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from starlette.concurrency import run_in_threadpool

from api.auth import BearerToken, CurrentUser, Ledger, authenticate, bearer
from api.case_work_service import CASES_PATH, QUERY_CODE_REISSUE, case_command, registration
from api.commands import DECLARATIONS
from api.responses import JSON
from api.schemas import CommandBody, CommandOut, QueryCodeOut, RegisterIn, RegisterOut


class AuthenticatedFirst(APIRoute):
    """A command authenticates inside its one worker hand-off, after FastAPI has validated the
    body; so that an invalid body with a token that is not valid still answers 401, not 422
    ("401 without a valid token", API.md), a refused validation checks the token first. Only
    the refused requests pay for it."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def checked(request: Request) -> Response:
            try:
                return await handler(request)
            except RequestValidationError:
                credentials = await bearer(request)  # the header, read as the dependencies read it
                await run_in_threadpool(authenticate, request.app.state.ledger, request, credentials)
                raise

        return checked


router = APIRouter(prefix=CASES_PATH, tags=["case commands"], route_class=AuthenticatedFirst)

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
    async def endpoint(
        case_id: UUID, body: body_class, request: Request, ledger: Ledger, token: BearerToken,  # type: ignore[valid-type]
        if_match: IfMatch = None, idempotency_key: IdempotencyKey = None,
    ) -> Any:  # fmt: skip
        # The token check and the command in one hand-off to a worker thread, not one each (a
        # `def` dependency and a `def` endpoint): waking a worker thread cost the event loop
        # about a tenth of its CPU under a write load (issue 23, bench/RESULTS.md). A missing
        # token is still a 401 before the body is parsed (`bearer_token`); a wrong one with a
        # body that fails validation is a 401 too (AuthenticatedFirst).
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
