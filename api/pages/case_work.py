"""Working on cases from the pages: registering a petition (/cases/new) and issuing a command from
the case page's panel (POST /cases/{id}/commands/{name}).

Both run the API's own paths (api/case_work_service.py `registration`, `case_command`): the same
role check, the one access rule (a case the user may not see is not found), the same rules and
authority checks, the same idempotency (each rendered form carries its own key, so a form sent
twice records once) and the same audit context. A refusal records nothing and is told in Chinese.
"""

from __future__ import annotations

import secrets
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api.access import reader_access
from api.auth import Ledger
from api.case_work_service import case_command, registration
from api.commands import DECLARATION_OF, REGISTER_ROLES
from api.pages import command_forms
from api.pages.case_pages import WorkState, _summary, _timeline, case_uuid
from api.pages.command_panel import pickers
from api.pages.reference import display_names
from api.pages.refusals import Refusal, refusal
from api.pages.render import PageError, page
from api.pages.session import CurrentPageUser, PageUser
from api.schemas import CommandBody, RegisterIn
from domain import errors as de
from domain.context import utcnow
from domain.policy import CHINA_TZ

router = APIRouter(include_in_schema=False)
REGISTER_FORM = command_forms.form_of(RegisterIn)
MAX_FORM_KEY = 100
NOT_FOUND = "没有找到这个案件。"


async def _posted(request: Request, user: PageUser) -> Any:
    """The posted form, once its CSRF token is the session's (else 403, nothing read further)."""
    data = await request.form()
    if not user.csrf_ok(str(data.get("csrf") or "")):
        raise PageError(403, "表单已失效（CSRF 校验失败），请刷新页面后重试。")
    return data


def _form_key(data: Any) -> str | None:
    key = str(data.get("form_key") or "").strip()
    return key[:MAX_FORM_KEY] or None


@router.post("/cases/{case_id}/commands/{command}", response_class=HTMLResponse)
async def issue_command(
    case_id: str, command: str, request: Request, ledger: Ledger, user: CurrentPageUser
) -> Response:
    data = await _posted(request, user)
    declaration = DECLARATION_OF.get(command)
    if declaration is None:
        raise PageError(404, "没有这项办理事项。")
    cid = case_uuid(case_id)
    try:  # the role first, as the API: a role without the command learns nothing of the case
        reader_access(request, user.principal).check_command(command, None)
    except de.Forbidden:
        raise PageError(403, "您的角色无权办理此事项。") from None
    try:
        body = command_forms.body_from(declaration.body, command_forms.form_of(declaration.body), data)
    except PageError as exc:  # the form does not make a valid body: said beside the form
        told = Refusal(exc.status, exc.message, (), None)
        work = WorkState(
            status=told.status, refusal=told, label=declaration.label, open_command=command,
            entered=command_forms.entered(data),
        )  # fmt: skip
        return _timeline(request, ledger, user, case_id, None, work)
    assert isinstance(body, CommandBody)
    try:
        result = case_command(
            request, ledger, user.principal, cid, command, body, idempotency_key=_form_key(data)
        )
    except de.CaseNotFound:  # unknown or unseen: the same page, nothing about the case
        raise PageError(404, NOT_FOUND) from None
    except de.Forbidden:
        raise PageError(403, "您的角色或单位无权办理此事项。") from None
    except de.DomainError as exc:
        told = refusal(exc)
        work = WorkState(
            status=told.status, refusal=told, label=declaration.label, open_command=command,
            entered=command_forms.entered(data),
        )  # fmt: skip
        return _timeline(request, ledger, user, case_id, None, work)
    return RedirectResponse(
        f"/cases/{result['case_id']}/timeline?done={command}#event-{result['version']}", status_code=303
    )


def _registrar(user: PageUser) -> None:
    if user.principal.role not in REGISTER_ROLES:
        raise PageError(403, "只有登记员可以登记信访事项。")


@router.get("/cases/new", response_class=HTMLResponse)
def registration_page(request: Request, user: CurrentPageUser) -> HTMLResponse:
    _registrar(user)
    return _registration_form(request, user)


def _registration_form(
    request: Request,
    user: PageUser,
    status: int = 200,
    problem: str | None = None,
    typed: dict[str, str | list[str]] | None = None,
) -> HTMLResponse:
    """The form, blank but for its defaults; or, refused, with `problem` and what was `typed`."""
    defaults = (
        typed
        if typed is not None
        else {
            "received_unit": user.principal.unit_code or "",
            "headcount": "1",
            "occurred_at": utcnow().astimezone(CHINA_TZ).strftime("%Y-%m-%d %H:%M"),
        }
    )
    return page(
        request, "register.html", user, status=status, form=REGISTER_FORM, pickers=pickers(request),
        rows=range(command_forms.PETITIONER_ROWS), form_key=secrets.token_urlsafe(12), problem=problem,
        defaults=defaults,
    )  # fmt: skip


@router.post("/cases/new", response_class=HTMLResponse)
async def register(request: Request, ledger: Ledger, user: CurrentPageUser) -> HTMLResponse:
    data = await _posted(request, user)
    _registrar(user)
    try:
        body = command_forms.body_from(RegisterIn, REGISTER_FORM, data)
    except PageError as exc:
        return _registration_form(request, user, exc.status, exc.message, command_forms.entered(data))
    assert isinstance(body, RegisterIn)
    try:
        answer = registration(request, ledger, user.principal, body, _form_key(data))
    except de.DomainError as exc:
        told = refusal(exc)
        problem = "；".join((told.headline, *told.details))
        return _registration_form(request, user, told.status, problem, command_forms.entered(data))
    case = _summary(request, ledger, user, case_uuid(answer["case_id"]))
    return page(
        request, "registered.html", user, answer=answer, case=case, names=display_names(request),
        repeats=answer.get("possible_repeats", []), query_code=answer.get("query_code"),
    )  # fmt: skip
