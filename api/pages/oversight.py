"""Pages for the oversight practices of issue 21: the month's concentrated-supervision list
(集中督办) and the recommendations of 第四十条 with their feedback. Each calls the API's own
function, so it shows only what the reader may see (api/access.py).

The unit's written feedback is given on the recommendations page, through the API's own command
(api/recommendation_feedback.py `feedback`: the same access rule, the same domain rules, the
same audit context). A refusal records nothing, is told in Chinese and keeps what was typed."""

from __future__ import annotations

import contextlib
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool

from api.access import may_give_feedback
from api.auth import Ledger
from api.errors import ProblemError
from api.freshness import wait_for_views
from api.pages import forms, labels
from api.pages.command_forms import PROBLEMS
from api.pages.reference import display_names
from api.pages.refusals import refusal
from api.pages.render import PageError, call, page
from api.pages.session import CurrentPageUser, PageUser
from api.reads.escalations import escalation_list
from api.reads.recommendations import recommendation_page
from api.recommendation_feedback import feedback
from api.schemas import RecommendationFeedbackIn
from domain import errors as de
from domain.context import utcnow
from domain.plausible import EARLIEST_DAY
from domain.policy import local_date

router = APIRouter(include_in_schema=False)
Text = Annotated[str | None, Query(max_length=500)]
ANSWERABLE = frozenset({"awaiting", "overdue"})
NOT_FOUND = "没有找到这条改进建议。"
# The feedback's own rules, said for a recommendation (refusals.HEADLINE speaks of cases).
RULE_TEXT = {
    "recommendation_feedback_once": "此建议已有书面反馈，每条建议只反馈一次（如需更正，请信访部门另提建议）",
    "recommendation_feedback_in_writing": "须以书面说明是否采纳及采纳情况",
}


@router.get("/escalations", response_class=HTMLResponse)
def escalations_page(
    request: Request, ledger: Ledger, user: CurrentPageUser, month: Text = None
) -> HTMLResponse:
    """The month's list; `month` (年-月) picks an earlier month's, as of its end, to print."""
    asked = forms.text(month, "月份", 20)
    try:
        result: dict[str, Any] = call(escalation_list, request, ledger, user.principal, asked)
    except PageError as exc:
        if exc.status != 422:
            raise
        problem = f"月份“{asked}”有误：请填写 {EARLIEST_DAY:%Y-%m} 至本月之间的年-月，如 2026-11。"
        empty: dict[str, Any] = {"month": asked, "policy_in_force": None, "items": []}
        return page(request, "escalations.html", user, status=422, result=empty, names=display_names(request),
                    month=asked, current=False, problem=problem)  # fmt: skip
    current = asked is None or result["month"] == local_date(utcnow()).strftime("%Y-%m")
    return page(request, "escalations.html", user, result=result, names=display_names(request),
                month=result["month"], current=current, problem=None)  # fmt: skip


@router.get("/recommendations", response_class=HTMLResponse)
def recommendations_page(
    request: Request, user: CurrentPageUser, cursor: Text = None, done: Text = None
) -> HTMLResponse:
    return _recommendations(request, user, cursor=forms.text(cursor, "游标", 500), done=done is not None)


def _recommendations(
    request: Request,
    user: PageUser,
    *,
    cursor: str | None = None,
    done: bool = False,
    status: int = 200,
    refused: str | None = None,
    entered: dict[str, str] | None = None,
) -> HTMLResponse:
    """The list; each recommendation the user answers for, not yet answered, with its form."""
    result: dict[str, Any] = call(recommendation_page, request, user.principal, limit=50, cursor=cursor)
    more = f"?cursor={result['next_cursor']}" if result["next_cursor"] else None
    items = [
        {
            **r,
            "answerable": r["state"] in ANSWERABLE
            and may_give_feedback(user.principal, r["target_unit_code"]),
        }
        for r in result["items"]
    ]
    return page(
        request, "recommendations.html", user, status=status, items=items, names=display_names(request),
        next_link=more, done=done, refused=refused, entered=entered or {},
    )  # fmt: skip


def _feedback_body(adopted: str, text: str) -> RecommendationFeedbackIn:
    """The form as the API's body, validated as the API validates it; else 422 said in Chinese."""
    problems = []
    if adopted not in ("1", "0"):
        problems.append(f"“{labels.label('adopted', 'recommendation_feedback')}”"
                        + ("必须选择" if not adopted else "取值无效"))  # fmt: skip
    try:
        body = RecommendationFeedbackIn.model_validate({"adopted": adopted == "1", "text": text})
    except ValidationError as exc:
        for error in exc.errors():
            name = str(error["loc"][0]) if error.get("loc") else "text"
            problems.append(f"“{labels.label(name, 'recommendation_feedback')}”"
                            + PROBLEMS.get(str(error.get("type")), "填写有误"))  # fmt: skip
    if problems:
        raise PageError(422, "；".join(problems))
    return body


@router.post("/recommendations/{recommendation_id}/feedback", response_class=HTMLResponse)
async def recommendation_feedback(
    recommendation_id: str, request: Request, ledger: Ledger, user: CurrentPageUser
) -> Response:
    data = await request.form()
    if not user.csrf_ok(str(data.get("csrf") or "")):
        raise PageError(403, "表单已失效（CSRF 校验失败），请刷新页面后重试。")
    try:
        rid = UUID(recommendation_id)
    except ValueError:
        raise PageError(404, NOT_FOUND) from None
    entered = {
        "recommendation_id": str(rid),
        "adopted": str(data.get("adopted") or "").strip()[:10],
        "text": str(data.get("text") or "")[:20000],
    }
    try:
        body = _feedback_body(entered["adopted"], entered["text"])
        answer = feedback(rid, body, request, ledger, user.principal)
    except PageError as exc:  # the form does not make a valid body: said beside the form
        return _recommendations(request, user, status=exc.status, refused=exc.message, entered=entered)
    except de.NotFound:  # unknown, or not the reader's to see: nothing about it
        raise PageError(404, NOT_FOUND) from None
    except de.Forbidden:
        raise PageError(403, "只有被建议单位的人员可以反馈此建议。") from None
    except de.DomainError as exc:
        told = refusal(exc)
        message = "；".join((RULE_TEXT.get(told.rule or "", told.headline), *told.details))
        return _recommendations(request, user, status=told.status, refused=message, entered=entered)
    # The list reads a view: show it once the view holds the feedback (or after the bounded wait).
    with contextlib.suppress(ProblemError):
        await run_in_threadpool(wait_for_views, request, answer["position"])
    return RedirectResponse(f"/recommendations?done=1#rec-{rid}", status_code=303)
