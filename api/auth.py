"""Bearer-token authentication: the token names a user; the user's role and unit scope every call."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated
from uuid import uuid4

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from api.errors import ProblemError, Unauthenticated
from api.login_limit import FailedLoginLimiter
from domain.application import LedgerApplication
from domain.context import CommandContext, command_context
from domain.errors import Forbidden
from domain.reference import User
from domain.values import Actor
from domain.vocabulary import Role

bearer = HTTPBearer(auto_error=False, description="the token given when the user was created")


@dataclass(frozen=True)
class Principal:
    user_id: str
    name: str
    role: Role
    unit_code: str | None
    leader_id: str | None

    @property
    def actor(self) -> Actor:
        return Actor(user_id=self.user_id, role=self.role.value, unit_code=self.unit_code)

    def require(self, roles: frozenset[Role], what: str) -> None:
        if self.role not in roles:
            raise Forbidden(
                f"a {self.role.value} may not {what}", role=self.role.value,
                allowed_roles=sorted(r.value for r in roles),
            )  # fmt: skip


async def get_ledger(request: Request) -> LedgerApplication:
    # async: there is no I/O here, and FastAPI would run a plain `def` dependency on a worker
    # thread, a hand-off that costs far more than this attribute read.
    ledger: LedgerApplication = request.app.state.ledger
    return ledger


Ledger = Annotated[LedgerApplication, Depends(get_ledger)]


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def user_for_token(ledger: LedgerApplication, request: Request, token: str) -> User | None:
    """The token's user, or None; counts failures per client address and refuses (429) a failed
    attempt from an address with too many. Shared by bearer authentication and the login form."""
    # Tokens are looked up by their SHA-256 hash (hash_token), never compared as strings: the
    # database index lookup sees only the hash, whose timing says nothing useful about the token.
    user = ledger.user_for_token(token)
    if user is not None:
        # A valid token is served even from a limited address: one misbehaving client behind an
        # office's NAT must not lock the whole office out. Guessing 256-bit tokens stays hopeless.
        return user
    limiter: FailedLoginLimiter = request.app.state.login_limiter
    address = client_address(request)
    wait = limiter.retry_after(address)
    if wait is not None:
        raise ProblemError(
            429, "too_many_failed_logins",
            f"too many failed authentications from this address; retry in {wait} s",
            headers={"Retry-After": str(wait)}, retry_after_seconds=wait,
        )  # fmt: skip
    limiter.record_failure(address)
    return None


def _present(credentials: HTTPAuthorizationCredentials | None) -> HTTPAuthorizationCredentials:
    """The credentials, if they are a bearer token at all (not yet that it is valid); else 401."""
    if credentials is None or credentials.scheme.lower() != "bearer" or not credentials.credentials:
        raise Unauthenticated("a bearer token is required")
    return credentials


async def bearer_token(
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> HTTPAuthorizationCredentials:
    """A bearer token is there (not yet that it is valid): 401 before the body is even parsed,
    as with `authenticate`, and on the event loop, since there is no I/O in it."""
    return _present(credentials)


BearerToken = Annotated[HTTPAuthorizationCredentials, Depends(bearer_token)]


def authenticate(
    ledger: Ledger,
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Principal:
    user = user_for_token(ledger, request, _present(credentials).credentials)
    if user is None:
        raise Unauthenticated("the token is unknown, revoked or expired")
    return Principal(user.user_id, user.name, user.role, user.unit_code, user.leader_id)


CurrentUser = Annotated[Principal, Depends(authenticate)]


@contextmanager
def audit(
    principal: Principal,
    request: Request,
    *,
    occurred_at: datetime | None = None,
    reason: str | None = None,
) -> Iterator[CommandContext]:
    """The audit context of one request: actor from the token, times from the clock."""
    request_id = request.headers.get("x-request-id") or str(uuid4())
    with command_context(
        actor=principal.actor, occurred_at=occurred_at, reason=reason, request_id=request_id[:128]
    ) as ctx:
        yield ctx
