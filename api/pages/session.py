"""Page sessions: a login form exchanges a bearer token for a signed, HttpOnly session cookie.

The cookie holds only a random session id, signed (itsdangerous) so a forged or altered cookie is
refused before any lookup. The session (whose token, its CSRF token, its expiry) is kept in the
database (migrations/*/0019), so it works whichever API process answers (`serve --workers N`) and
outlives a restart, and logout really ends it. The row holds no credential: it is keyed by the
SHA-256 of the session id and names the token by its SHA-256. Every request re-checks the token
with the ledger: a token revoked or expired since login ends its session too, and the user is the
ledger's user. The signing secret comes from `XINFANG_SESSION_SECRET`, else is made once and kept
in the database, shared by every process.
"""

from __future__ import annotations

import hmac
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from itsdangerous import BadSignature, URLSafeTimedSerializer

from api.auth import Ledger, Principal
from domain.application import hash_token
from domain.integrity import sha256_hex
from projections.engine.database import ViewDatabase

COOKIE = "xinfang_session"
LOGIN_CSRF_COOKIE = "xinfang_login_csrf"
SESSION_SECONDS = 8 * 3600  # one working day
LOGIN_FORM_SECONDS = 3600
SECRET_NAME = "page_session_signing"  # noqa: S105 - the row's name, not the secret


class LoginRequired(Exception):
    """No live session: the page redirects to the login form."""


@dataclass(frozen=True)
class Session:
    token_hash: str
    csrf: str
    expires: float


class SessionStore:
    """Page sessions in the database, shared by every API process and kept across restarts."""

    def __init__(
        self,
        database: Callable[[], ViewDatabase],
        secret: str | None = None,
        lifetime: int = SESSION_SECONDS,
    ) -> None:
        self._database = database
        self._secret = secret
        self._signer: URLSafeTimedSerializer | None = None
        self._lock = threading.Lock()
        self.lifetime = lifetime

    @property
    def signer(self) -> URLSafeTimedSerializer:
        if self._signer is None:
            with self._lock:
                if self._signer is None:
                    secret = self._secret or self._shared_secret()
                    self._signer = URLSafeTimedSerializer(secret, salt="xinfang-page-session")
        return self._signer

    def _shared_secret(self) -> str:
        """The secret every process uses: the first to ask makes it; the rest read the same row."""
        with self._database().transaction() as tx:
            tx.execute(
                "INSERT INTO service_secrets (name, value) VALUES (?, ?) ON CONFLICT (name) DO NOTHING",
                (SECRET_NAME, secrets.token_hex(32)),
            )
            tx.execute("SELECT value FROM service_secrets WHERE name = ?", (SECRET_NAME,))
            row = tx.fetchone()
        assert row is not None
        return str(row[0])

    def open(self, token: str) -> tuple[str, Session]:
        """A new session for a checked token: the signed cookie value and the session."""
        session_id = secrets.token_urlsafe(32)
        session = Session(hash_token(token), secrets.token_urlsafe(32), time.time() + self.lifetime)
        with self._database().transaction() as tx:
            tx.execute("DELETE FROM page_sessions WHERE expires_at <= ?", (time.time(),))
            tx.execute(
                "INSERT INTO page_sessions (session_hash, token_hash, csrf, expires_at) VALUES (?, ?, ?, ?)",
                (sha256_hex(session_id.encode()), session.token_hash, session.csrf, session.expires),
            )
        return self.signer.dumps(session_id), session

    def find(self, cookie: str | None) -> tuple[str, Session] | None:
        if not cookie:
            return None
        try:
            session_id = str(self.signer.loads(cookie, max_age=self.lifetime))
        except BadSignature:  # also SignatureExpired
            return None
        with self._database().transaction(write=False) as tx:
            tx.execute(
                "SELECT token_hash, csrf, expires_at FROM page_sessions WHERE session_hash = ?",
                (sha256_hex(session_id.encode()),),
            )
            row = tx.fetchone()
        if row is None or float(row[2]) <= time.time():
            return None
        return session_id, Session(str(row[0]), str(row[1]), float(row[2]))

    def close(self, session_id: str) -> None:
        with self._database().transaction() as tx:
            tx.execute("DELETE FROM page_sessions WHERE session_hash = ?", (sha256_hex(session_id.encode()),))

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
    user = ledger.user_for_token_hash(session.token_hash)
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
