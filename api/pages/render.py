"""Rendering pages: the Jinja2 environment, its filters, and errors shown as pages.

Pages call the API's own handler functions (same queries, scope checks, masking, redaction), so
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

from api.errors import ProblemError, Unauthenticated
from api.pages.labels import field_value, label
from api.pages.session import PageUser, optional_user
from api.routers.accountability import READERS
from domain import errors as de
from domain.policy import CHINA_TZ

HERE = Path(__file__).parent
templates = Jinja2Templates(directory=str(HERE / "templates"))
T = TypeVar("T")


class PageError(Exception):
    """An error shown as a page: HTTP status and a message for the reader."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status, self.message = status, message


def china_time(value: Any) -> str:
    """A moment as China local time, to the minute (the office's clock)."""
    if value in (None, ""):
        return "—"
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    if isinstance(moment, datetime):
        if moment.tzinfo is not None:
            moment = moment.astimezone(CHINA_TZ)
        return moment.strftime("%Y-%m-%d %H:%M")
    if isinstance(moment, date):
        return moment.isoformat()
    return str(value)


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
        return "，".join(f"{k}: {plain(v)}" for k, v in value.items())
    if isinstance(value, datetime | date):
        return china_time(value)
    return str(value)


templates.env.filters.update(
    label=label, field_value=field_value, china_time=china_time, percent=percent, short_hash=short_hash, plain=plain
)


def page(request: Request, name: str, user: PageUser | None, status: int = 200, **context: Any) -> HTMLResponse:
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


@contextmanager
def shown() -> Iterator[None]:
    """Run API code; its errors become a PageError with the same status and message."""
    try:
        yield
    except de.DomainError as exc:
        from api.errors import _status_for

        raise PageError(_status_for(exc), str(exc)) from None
    except ProblemError as exc:
        raise PageError(exc.status, exc.detail) from None
    except Unauthenticated as exc:
        raise PageError(401, str(exc)) from None


def call(fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    with shown():
        return fn(*args, **kwargs)


def error_page(request: Request, exc: PageError) -> HTMLResponse:
    title = ERROR_STATUS.get(exc.status, "出错了")
    hint = ERROR_HINT.get(exc.status)
    user = optional_user(request)
    return page(request, "error.html", user, status=exc.status, title=title, message=exc.message, hint=hint)
