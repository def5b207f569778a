"""Page /q: the petitioner's look-up and rating on a phone (第二十一条), no login, no script.

Plain forms posted to this page: no session and no cookie, so no CSRF token either (a forged
post would need the code, which is the credential). The same limits as the API apply: the page
calls api/public_lookup.py, so a wrong pair counts and a limited address or case gets 429.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse

from api.errors import ProblemError
from api.hostile_text import refusal
from api.pages.render import templates
from api.public_lookup import COMMENT_MAX, PublicProgress, checked_case, progress, rate
from domain import errors as de
from domain.vocabulary import Satisfaction

router = APIRouter(include_in_schema=False)

STATUS = {
    "registered": "已登记，等待受理审查", "accepted": "已受理，等待交办", "not_accepted": "不予受理",
    "diverted": "已导入法定途径办理", "transferred": "已转送有权处理的机关", "in_handling": "办理中",
    "answered": "已出具处理意见", "closed": "已办结", "under_review": "复查中", "reviewed": "已作出复查意见",
    "under_re_review": "复核中", "terminated": "已终结", "archived": "已办结归档",
}  # fmt: skip
CLOCK = {
    "screening": "受理告知期限（第二十二条）", "handling": "办理期限（第三十四条）",
    "review_request_window": "申请复查截止（第三十五条）", "review_decision": "复查期限（第三十五条）",
    "re_review_request_window": "申请复核截止（第三十六条）", "re_review_decision": "复核期限（第三十六条）",
}  # fmt: skip
STATE = {
    "running": "进行中", "met": "已按期完成", "overdue": "已超期", "met_late": "超期后完成",
    "window_open": "可申请", "window_closed": "已届满",
}  # fmt: skip
SATISFACTION = {"satisfied": "满意", "basically_satisfied": "基本满意", "unsatisfied": "不满意"}
MESSAGES = {
    404: "案件编号或查询码不正确，请核对回执后重试。",
    409: "现在还不能评价：处理意见送达后、办结前方可评价。",
    422: "输入有误，请检查后重试。",
}
NO_STORE = {"Cache-Control": "no-store"}  # the code is in the page: no cache keeps it


def _page(
    request: Request, status: int = 200, headers: dict[str, str] | None = None, **context: Any
) -> HTMLResponse:
    context.setdefault("case_id", "")
    limiter = request.app.state.public_limiter
    context.update(failure_limit=limiter.max_failures, pause_minutes=max(1, round(limiter.window / 60)))
    context.update(status_labels=STATUS, clock_labels=CLOCK, state_labels=STATE, satisfaction_labels=SATISFACTION,
                   comment_max=COMMENT_MAX)  # fmt: skip
    response = templates.TemplateResponse(request, "public_q.html", context, status_code=status)
    response.headers.update({**NO_STORE, **(headers or {})})
    return response


def _problem_page(request: Request, exc: ProblemError | de.DomainError, case_id: str) -> HTMLResponse:
    if isinstance(exc, ProblemError):
        status, headers = exc.status, exc.headers
    else:
        from api.errors import _status_for

        status, headers = _status_for(exc), {}
    if status == 429:
        minutes = max(1, -(-int(headers.get("Retry-After", "60")) // 60))
        message = f"错误次数过多，请 {minutes} 分钟后再试。"
    else:
        message = MESSAGES.get(status, "暂时无法办理，请稍后再试。")
    return _page(request, status, headers, case_id=case_id, error=message)


def _clean(value: str, limit: int) -> str | None:
    """A form field fit to check: within its length and free of refused characters."""
    value = value.strip()
    return value if len(value) <= limit and refusal(value, free_text=True) is None else None


@router.get("/q", response_class=HTMLResponse)
def lookup_form(request: Request, case: str = "") -> HTMLResponse:
    return _page(request, case_id=_clean(case, 64) or "")


@router.post("/q", response_class=HTMLResponse)
def lookup(
    request: Request,
    case_id: Annotated[str, Form(max_length=64)] = "",
    query_code: Annotated[str, Form(max_length=32)] = "",
) -> HTMLResponse:
    try:
        case = checked_case(request, _clean(case_id, 64) or "", _clean(query_code, 32) or "")
    except ProblemError as exc:
        return _problem_page(request, exc, case_id)
    found: PublicProgress = progress(request.app.state.ledger, case)
    return _page(request, case_id=found.case_id, query_code=query_code, found=found)


@router.post("/q/rating", response_class=HTMLResponse)
def rating(
    request: Request,
    case_id: Annotated[str, Form(max_length=64)] = "",
    query_code: Annotated[str, Form(max_length=32)] = "",
    satisfaction: Annotated[str, Form(max_length=32)] = "",
    comment: Annotated[str, Form(max_length=COMMENT_MAX * 2)] = "",
) -> HTMLResponse:
    try:
        case = checked_case(request, _clean(case_id, 64) or "", _clean(query_code, 32) or "")
    except ProblemError as exc:
        return _problem_page(request, exc, case_id)
    found = progress(request.app.state.ledger, case)
    text = _clean(comment, COMMENT_MAX)
    if satisfaction not in SATISFACTION or text is None:
        error = f"请选择满意程度；意见不超过 {COMMENT_MAX} 字，且不含控制字符。"
        return _page(request, 422, case_id=found.case_id, query_code=query_code, found=found, error=error)
    try:
        rate(request, case, Satisfaction(satisfaction), text or None)
    except (ProblemError, de.DomainError) as exc:
        return _problem_page(request, exc, found.case_id)
    ledger = request.app.state.ledger
    found = progress(ledger, ledger.get_case(case.id))
    return _page(
        request, case_id=found.case_id, query_code=query_code, found=found, rated=SATISFACTION[satisfaction]
    )
