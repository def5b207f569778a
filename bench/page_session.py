"""A browser's page session, made over HTTP: the login form's CSRF cookie and hidden field, the
token posted, the session cookie kept. With `serve --workers N` the form, the login and every
later page may each be answered by a different process: the check is that a session made in one
process is honoured by the others (#19)."""

from __future__ import annotations

import re
from dataclasses import dataclass

import httpx

SESSION_COOKIE = "xinfang_session"  # api/pages/session.py's COOKIE; the bench does not import the app's pages
_CSRF_FIELD = re.compile(r'name="csrf" value="([^"]+)"')


class LoginFailed(RuntimeError):
    """The login form did not give a session: the status and what the page said."""


def _fresh_connections() -> httpx.Client:
    """A client that opens a new connection per request, so the processes behind one port take
    the requests in turn rather than one keep-alive connection pinning them to one process."""
    return httpx.Client(timeout=30, limits=httpx.Limits(max_keepalive_connections=0))


def page_cookie(base: str, token: str) -> str:
    """The `Cookie` header value of a fresh page session for `token`."""
    with _fresh_connections() as http:
        return _login(http, base, token)


def _login(http: httpx.Client, base: str, token: str) -> str:
    form = http.get(f"{base}/login")
    found = _CSRF_FIELD.search(form.text)
    if form.status_code != 200 or not found:
        raise LoginFailed(f"the login form answered {form.status_code} without a CSRF field")
    # the client keeps cookies as a browser does: the form's CSRF cookie goes back with the login
    answer = http.post(f"{base}/login", data={"token": token, "csrf": found.group(1), "next": "/cases"})
    session = answer.cookies.get(SESSION_COOKIE)
    if answer.status_code != 303 or not session:
        raise LoginFailed(f"the login answered {answer.status_code}: {answer.text[:200]}")
    return f"{SESSION_COOKIE}={session}"


@dataclass(frozen=True)
class PageSessionCheck:
    answered: int  # page loads that answered 200 with the page, not the login form
    loads: int

    @property
    def met(self) -> bool:
        return self.answered == self.loads


def page_session_check(base: str, cookie: str, loads: int = 20) -> PageSessionCheck:
    """Load the case list `loads` times with the page session `cookie` (made by `page_cookie`
    through the login form), each on a new connection, on a service started with several
    processes (`serve --workers N`); count the loads that show the list rather than a redirect
    to /login."""
    answered = 0
    with _fresh_connections() as http:
        for _ in range(loads):
            page = http.get(f"{base}/cases", headers={"Cookie": cookie})
            answered += page.status_code == 200 and 'action="/login"' not in page.text
    return PageSessionCheck(answered, loads)
