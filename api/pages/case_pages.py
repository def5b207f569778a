"""One case: its timeline (chain status first, corrections beside what they correct) and its
replay, step by step. Both come from the API's own read functions (api/reads/: access, masking)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse

from api.access import reader_access
from api.auth import Ledger
from api.commands import DECLARATION_OF
from api.pages import command_panel, forms
from api.pages.reference import display_names
from api.pages.refusals import Refusal
from api.pages.render import PageError, call, page
from api.pages.session import CurrentPageUser, PageUser
from api.permissions import EXPORT_ROLES, UNMASK_ROLES
from api.reads.cases import case_state, case_timeline
from api.reads.replay import case_replay
from domain.policy import CHINA_TZ

router = APIRouter(include_in_schema=False)


def case_uuid(raw: str) -> UUID:
    try:
        return UUID(raw)
    except ValueError:
        raise PageError(404, f"没有这个案件编号：{raw[:60]}") from None


def _local_day(moment: Any) -> str:
    value = datetime.fromisoformat(moment) if isinstance(moment, str) else moment
    if isinstance(value, datetime):
        return value.astimezone(CHINA_TZ).date().isoformat() if value.tzinfo else value.date().isoformat()
    return value.isoformat() if isinstance(value, date) else str(value)


def _summary(request: Request, ledger: Ledger, user: CurrentPageUser, case_id: UUID) -> dict[str, Any]:
    summary: dict[str, Any] = call(case_state, request, ledger, user.principal, case_id)
    return summary


def _timeline(
    request: Request, ledger: Ledger, user: PageUser, case_id: str, purpose: str | None,
    work: WorkState | None = None,
) -> HTMLResponse:  # fmt: skip
    """The timeline page; with a purpose, personal data unmasked by the API's own rule (recorded).
    Above the events, the clocks and the forms of the commands this user may issue now."""
    cid = case_uuid(case_id)
    case = _summary(request, ledger, user, cid)
    unmask = purpose is not None
    result: dict[str, Any] = call(
        case_timeline, request, ledger, user.principal, cid, unmask=unmask, purpose=purpose
    )
    by_version = {item["version"]: item for item in result["items"]}
    for item in result["items"]:
        # each event lists the corrections made to it, shown beside it
        item["corrections"] = [by_version[v] for v in item["corrected_by"] if v in by_version]
    role = user.principal.role
    work = work or WorkState()
    commands = command_panel.available(reader_access(request, user.principal), ledger.get_case(cid), case)
    return page(
        request, "timeline.html", user, status=work.status, case=case, timeline=result,
        names=display_names(request), can_export=role in EXPORT_ROLES, can_unmask=role in UNMASK_ROLES,
        unmasked=unmask, clocks=command_panel.clock_lines(case["clocks"]), commands=commands,
        pickers=command_panel.pickers(request) if commands else {}, form_key=secrets.token_urlsafe(12),
        refusal=work.refusal, refusal_label=work.label, open_command=work.open_command, done=work.done,
        entered=work.entered,
    )  # fmt: skip


@dataclass(frozen=True)
class WorkState:
    """What the command panel says after a post: the command done, or its refusal (and status)."""

    status: int = 200
    done: str | None = None
    refusal: Refusal | None = None
    label: str = ""
    open_command: str | None = None
    entered: dict[str, Any] = field(default_factory=dict)  # the refused form's values, shown again


@router.get("/cases/{case_id}/timeline", response_class=HTMLResponse)
def timeline_page(
    case_id: str, request: Request, ledger: Ledger, user: CurrentPageUser,
    done: Annotated[str | None, Query(max_length=40)] = None,
) -> HTMLResponse:  # fmt: skip
    declaration = DECLARATION_OF.get(done or "")
    return _timeline(
        request, ledger, user, case_id, None, WorkState(done=declaration.label if declaration else None)
    )


@router.post("/cases/{case_id}/timeline", response_class=HTMLResponse)
def unmasked_timeline_page(
    case_id: str, request: Request, ledger: Ledger, user: CurrentPageUser,
    csrf: Annotated[str, Form(max_length=200)] = "", purpose: Annotated[str, Form(max_length=200)] = "",
) -> HTMLResponse:  # fmt: skip
    """Show id numbers and phones: a form (CSRF-checked), since the API records each such read."""
    if not user.csrf_ok(csrf):
        raise PageError(403, "表单已失效（CSRF 校验失败），请刷新页面后重试。")
    return _timeline(request, ledger, user, case_id, purpose.strip())


@router.get("/cases/{case_id}/replay", response_class=HTMLResponse)
def replay_page(
    case_id: str, request: Request, ledger: Ledger, user: CurrentPageUser,
    step: Annotated[str | None, Query(max_length=10)] = None,
    on: Annotated[str | None, Query(max_length=20, alias="date")] = None,
) -> HTMLResponse:  # fmt: skip
    cid = case_uuid(case_id)
    case = _summary(request, ledger, user, cid)
    result: dict[str, Any] = call(case_replay, request, ledger, user.principal, cid)
    steps = result["steps"]
    for s in steps:
        s["day"] = _local_day(s["occurred_at"])
    current = 1  # a replay starts at the beginning: the registration (issue 22)
    if step and step.isdigit():
        current = min(max(int(step), 1), len(steps))
    jump = forms.day(on, "跳转日期")
    if jump is not None:
        reached = [i for i, s in enumerate(steps, 1) if s["day"] <= jump.isoformat()]
        current = reached[-1] if reached else 1
    return page(
        request,
        "replay.html",
        user,
        case=case,
        steps=steps,
        current=current,
        names=display_names(request),
    )
