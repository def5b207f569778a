"""Rendering pages: the Jinja2 environment, its filters, and errors shown as pages.

Pages call the API's own read functions (api/reads/: same queries, scope checks, masking, redaction), so
their errors are the API's errors: `shown` turns them into a page with the status and message.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from typing import Any, TypeVar

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from jinja2 import pass_context
from markupsafe import Markup, escape

from api.errors import ProblemError, Unauthenticated
from api.pages.labels import field_value, label, reason_text
from api.pages.present import Names, actor_text, china_time, html_of, person_text, problem_text
from api.pages.session import PageUser, optional_user
from api.reads.accountability import READERS
from domain import errors as de

HERE = Path(__file__).parent
templates = Jinja2Templates(directory=str(HERE / "templates"))
T = TypeVar("T")


class PageError(Exception):
    """An error shown as a page: HTTP status and a message for the reader."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status, self.message = status, message


def percent(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def short_hash(value: str | None) -> str:
    return "—" if not value else value[:12] + "…"


def plain(value: Any) -> str:
    """A field value in a table cell: lists and dicts as short text."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, list | tuple):
        return "；".join(plain(v) for v in value) or "—"
    if isinstance(value, dict):
        if "name" in value or "id_number" in value:
            return person_text(value)
        return "，".join(f"{label(k, 'field')}：{plain(v)}" for k, v in value.items())
    if isinstance(value, datetime | date):
        return china_time(value)
    return str(value)


@pass_context
def show(context: Any, value: Any, field_name: str) -> Markup:
    """A field's value for a reader: labels for codes, names for units, leaders and users."""
    names = context.get("names")
    return html_of(value, field_name, names if isinstance(names, Names) else Names())


@pass_context
def ref(context: Any, code: Any, kind: str | None = None) -> Markup:
    """A unit, leader or user by name, its code on hover."""
    names = context.get("names")
    found = names.name(code, kind) if isinstance(names, Names) else None
    if found is None:
        return escape("—" if code in (None, "") else str(code))
    return Markup('<span class="ref" title="{}">{}</span>').format(code, found)


@pass_context
def actor(context: Any, who: Any) -> Markup:
    names = context.get("names")
    text, user_id = actor_text(who, names if isinstance(names, Names) else Names())
    return Markup('<span class="ref" title="{}">{}</span>').format(user_id, text)


def problem(text: str | None) -> Markup:
    """An integrity problem in Chinese, the check's own words on hover."""
    return Markup('<span class="ref" title="{}">{}</span>').format(text or "", problem_text(text))


templates.env.filters.update(
    label=label,
    field_value=field_value,
    china_time=china_time,
    percent=percent,
    short_hash=short_hash,
    plain=plain,
    show=show,
    ref=ref,
    actor=actor,
    reason=reason_text,
    problem=problem,
)


def page(
    request: Request, name: str, user: PageUser | None, status: int = 200, **context: Any
) -> HTMLResponse:
    context.update(user=user, csrf=user.csrf if user else None, path=request.url.path)
    # the register's own rule decides whether its link shows
    context.update(show_register=user is not None and user.principal.role in READERS)
    return templates.TemplateResponse(request, name, context, status_code=status)


ERROR_STATUS = {422: "输入有误", 403: "无权查看", 404: "未找到", 409: "冲突", 401: "未登录", 503: "暂不可用"}
ERROR_HINT = {
    403: "您的角色或所在单位无权查看或办理此项。",
    404: "没有找到要查看的案件或记录。",
    409: "台账状态已变化，请刷新后重试。",
    422: "请检查输入后重试。",
    503: "服务暂时不可用，请稍后重试。",
}


# The API answers in English for programs (problem+json); a page says the same in Chinese.
CODE_MESSAGE = {
    "validation_failed": "输入有误",
    "case_not_found": "没有找到这个案件",
    "not_found": "没有找到要查看的记录",
    "forbidden": "无权进行此项操作",
    "transition_not_allowed": "案件当前状态下不能办理此项",
    "deadline_passed": "已超过法定期限",
    "rule_violated": "不符合《信访工作条例》的规定",
    "version_conflict": "案件已被他人更新",
    "already_exists": "记录已存在",
}
# Query parameters a page may pass on to the API, named as the page's form names them.
PARAMETER = {"as_of": "截至日期", "known_at": "台账截至", "cursor": "翻页位置", "purpose": "用途"}


def chinese_message(status: int, code: str, context: dict[str, Any]) -> str:
    """A problem the API reports, said in Chinese: what kind of problem, and which field."""
    text = CODE_MESSAGE.get(code) or ERROR_STATUS.get(status, "出错了")
    errors = context.get("errors") or []
    fields = [e.get("field") for e in errors if isinstance(e, dict)] or [context.get("field")]
    named = [PARAMETER.get(f) or label(f, "field") for f in fields if isinstance(f, str)]
    if str(context.get("detail", "")).endswith("not both"):  # api/reads/case_lists.py `when`
        return "“截至”与“台账截至”只能填写一项。"
    extra = f"：{'、'.join(named)}" if named else ""
    if context.get("article"):
        extra += f"（{context['article']}）"
    return text + extra + "。"


@contextmanager
def shown() -> Iterator[None]:
    """Run API code; its errors become a PageError with the same status, said in Chinese."""
    try:
        yield
    except de.DomainError as exc:
        from api.errors import _status_for

        status = _status_for(exc)
        raise PageError(
            status, chinese_message(status, exc.code, {**exc.context, "article": exc.article})
        ) from None
    except ProblemError as exc:
        raise PageError(
            exc.status, chinese_message(exc.status, exc.code, {**exc.extra, "detail": exc.detail})
        ) from None
    except Unauthenticated:
        raise PageError(401, "未登录或会话已失效，请重新登录。") from None


def call(fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    with shown():
        return fn(*args, **kwargs)


def error_page(request: Request, exc: PageError) -> HTMLResponse:
    title = ERROR_STATUS.get(exc.status, "出错了")
    hint = ERROR_HINT.get(exc.status)
    user = optional_user(request)
    return page(request, "error.html", user, status=exc.status, title=title, message=exc.message, hint=hint)
