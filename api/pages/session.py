"""Page sessions: a login form exchanges a bearer token for a signed, HttpOnly session cookie.

The cookie holds only a random session id, signed (itsdangerous) so a forged or altered cookie is
refused before any lookup. The session itself (the user's token, its CSRF token, its expiry) is
kept server-side, so logout really ends it. Every request re-checks the token with the ledger:
a token revoked or expired since login ends its session too, and the user is the ledger's user.
"""

from __future__ import annotations

import hmac
import secrets
import threading
import time
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from itsdangerous import BadSignature, URLSafeTimedSerializer

from api.auth import Ledger, Principal

COOKIE = "xinfang_session"
LOGIN_CSRF_COOKIE = "xinfang_login_csrf"
SESSION_SECONDS = 8 * 3600  # one working day
LOGIN_FORM_SECONDS = 3600


class LoginRequired(Exception):
    """No live session: the page redirects to the login form."""


@dataclass
class Session:
    token: str
    csrf: str
    expires: float


class SessionStore:
    """Server-side sessions of one service process (a restart asks everyone to log in again)."""

    def __init__(self, secret: str | None = None, lifetime: int = SESSION_SECONDS) -> None:
        # A fresh secret per process: sessions live in this process only, so nothing outlives it.
        self.signer = URLSafeTimedSerializer(secret or secrets.token_hex(32), salt="xinfang-page-session")
        self.lifetime = lifetime
        self._sessions: dict[str, Session] = {}
        self._lock = threading.Lock()

    def open(self, token: str) -> tuple[str, Session]:
        """A new session for a checked token: the signed cookie value and the session."""
        session_id = secrets.token_urlsafe(32)
        session = Session(token, secrets.token_urlsafe(32), time.time() + self.lifetime)
        with self._lock:
            self._drop_expired()
            self._sessions[session_id] = session
        return self.signer.dumps(session_id), session

    def find(self, cookie: str | None) -> tuple[str, Session] | None:
        if not cookie:
            return None
        try:
            session_id = self.signer.loads(cookie, max_age=self.lifetime)
        except BadSignature:  # also SignatureExpired
            return None
        with self._lock:
            session = self._sessions.get(str(session_id))
            if session is None:
                return None
            if session.expires <= time.time():
                del self._sessions[str(session_id)]
                return None
        return str(session_id), session

    def close(self, session_id: str) -> None:
        with self._lock:
            self._sessions.pop(session_id, None)

    def _drop_expired(self) -> None:
        now = time.time()
        for key in [k for k, s in self._sessions.items() if s.expires <= now]:
            del self._sessions[key]

    # --- the login form's CSRF token, before there is a session (signed double submit) ---------

    def login_csrf(self) -> tuple[str, str]:
        """A token for the form and the signed cookie that vouches for it."""
        token = secrets.token_urlsafe(32)
        return token, self.signer.dumps(token, salt="xinfang-login-csrf")

    def login_csrf_ok(self, cookie: str | None, submitted: str | None) -> bool:
        if not cookie or not submitted:
            return False
        try:
            expected = self.signer.loads(cookie, salt="xinfang-login-csrf", max_age=LOGIN_FORM_SECONDS)
        except BadSignature:
            return False
        return hmac.compare_digest(str(expected), submitted)


def sessions(request: Request) -> SessionStore:
    store: SessionStore = request.app.state.page_sessions
    return store


@dataclass(frozen=True)
class PageUser:
    """The logged-in user of a page request, with the session's id and CSRF token."""

    principal: Principal
    session_id: str
    csrf: str

    def csrf_ok(self, submitted: str | None) -> bool:
        return bool(submitted) and hmac.compare_digest(self.csrf, submitted or "")


def page_user(request: Request, ledger: Ledger) -> PageUser:
    store = sessions(request)
    found = store.find(request.cookies.get(COOKIE))
    if found is None:
        raise LoginRequired
    session_id, session = found
    user = ledger.user_for_token(session.token)
    if user is None:  # revoked or expired since login: the session ends with the token
        store.close(session_id)
        raise LoginRequired
    principal = Principal(user.user_id, user.name, user.role, user.unit_code, user.leader_id)
    return PageUser(principal, session_id, session.csrf)


CurrentPageUser = Annotated[PageUser, Depends(page_user)]


def optional_user(request: Request) -> PageUser | None:
    """The logged-in user, if any (error pages keep their navigation)."""
    try:
        return page_user(request, request.app.state.ledger)
    except LoginRequired:
        return None
