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

from api.errors import Unauthenticated
from domain.application import LedgerApplication
from domain.context import CommandContext, command_context
from domain.errors import Forbidden
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


def get_ledger(request: Request) -> LedgerApplication:
    ledger: LedgerApplication = request.app.state.ledger
    return ledger


Ledger = Annotated[LedgerApplication, Depends(get_ledger)]


def authenticate(
    ledger: Ledger,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Principal:
    if credentials is None or credentials.scheme.lower() != "bearer" or not credentials.credentials:
        raise Unauthenticated("a bearer token is required")
    user = ledger.user_for_token(credentials.credentials)
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
