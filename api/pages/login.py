"""Login (a token for a session cookie), logout, and the start page."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlsplit

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api.auth import Ledger, user_for_token
from api.errors import ProblemError
from api.pages.render import PageError, page
from api.pages.session import (
    COOKIE,
    LOGIN_CSRF_COOKIE,
    LOGIN_FORM_SECONDS,
    CurrentPageUser,
    sessions,
)

router = APIRouter(include_in_schema=False)


def _safe_next(target: str | None) -> str:
    """Only a path on this site: a login link must not send the user elsewhere."""
    if not target:
        return "/cases"
    parts = urlsplit(target)
    # browsers read "/\\host" as "//host": no backslash either
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/cases"
    return target


def _secure(request: Request) -> bool:
    return request.url.scheme == "https"


def _login_form(request: Request, next_path: str, error: str | None = None, status: int = 200) -> Response:
    token, cookie = sessions(request).login_csrf()
    response = page(request, "login.html", None, status=status, login_csrf=token, next=next_path, error=error)
    response.set_cookie(
        LOGIN_CSRF_COOKIE, cookie, max_age=LOGIN_FORM_SECONDS, httponly=True, samesite="strict",
        secure=_secure(request), path="/login",
    )  # fmt: skip
    return response


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, next: str | None = None) -> Response:
    return _login_form(request, _safe_next(next))


@router.post("/login")
def login(
    request: Request,
    ledger: Ledger,
    token: Annotated[str, Form(max_length=500)] = "",
    csrf: Annotated[str, Form(max_length=200)] = "",
    next: Annotated[str, Form(max_length=500)] = "/cases",
) -> Response:
    store = sessions(request)
    target = _safe_next(next)
    if not store.login_csrf_ok(request.cookies.get(LOGIN_CSRF_COOKIE), csrf):
        return _login_form(request, target, "表单已失效，请重新登录。", status=403)
    try:  # the same failed-authentication limit as bearer tokens: a form is no way around it
        user = user_for_token(ledger, request, token.strip()) if token.strip() else None
    except ProblemError as exc:
        if exc.status != 429:
            raise
        response = _login_form(request, target, "失败次数过多，请稍后再试。", status=429)
        response.headers.update(exc.headers)
        return response
    if user is None:
        return _login_form(request, target, "令牌无效、已撤销或已过期。", status=401)
    cookie, _session = store.open(token.strip())
    response = RedirectResponse(target, status_code=303)
    response.set_cookie(
        COOKIE, cookie, max_age=store.lifetime, httponly=True, samesite="strict", secure=_secure(request), path="/"
    )
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/login")
    return response


@router.post("/logout")
def logout(request: Request, user: CurrentPageUser, csrf: Annotated[str, Form(max_length=200)] = "") -> Response:
    if not user.csrf_ok(csrf):
        raise PageError(403, "表单已失效（CSRF 校验失败），请刷新页面后重试。")
    sessions(request).close(user.session_id)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(COOKIE, path="/")
    return response


@router.get("/")
def start(_: CurrentPageUser) -> Response:
    return RedirectResponse("/cases", status_code=303)
