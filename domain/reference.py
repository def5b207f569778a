"""Reference data as aggregates: units (a tree), leaders (posts over time), users (role, unit, tokens).

Event-sourced like cases, so "who held which post on a date" can be answered later.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from domain.errors import InvalidInput
from domain.ledger import LedgerAggregate, LedgerCreated, LedgerEvent
from domain.vocabulary import Role


def unit_id(code: str) -> UUID:
    return uuid5(NAMESPACE_URL, f"/xinfang/units/{code}")


def leader_id_for(leader_id: str) -> UUID:
    return uuid5(NAMESPACE_URL, f"/xinfang/leaders/{leader_id}")


def user_id_for(user_id: str) -> UUID:
    return uuid5(NAMESPACE_URL, f"/xinfang/users/{user_id}")


def token_index_id(token_hash: str) -> UUID:
    return uuid5(NAMESPACE_URL, f"/xinfang/tokens/{token_hash}")


# ---- units --------------------------------------------------------------------------------


class UnitCreated(LedgerCreated):
    code: str
    name: str
    parent_code: str | None

    def apply(self, unit: Any) -> None:
        unit.code, unit.name, unit.parent_code = self.code, self.name, self.parent_code


class UnitRenamed(LedgerEvent):
    name: str

    def apply(self, unit: Any) -> None:
        unit.name = self.name


class Unit(LedgerAggregate):
    def __init__(self) -> None:
        super().__init__()
        self.code = self.name = ""
        self.parent_code: str | None = None

    @classmethod
    def create(cls, *, code: str, name: str, parent_code: str | None) -> Unit:
        if parent_code == code:
            raise InvalidInput("a unit cannot be its own parent", field="parent_code")
        return cls._start(UnitCreated, id=unit_id(code), code=code, name=name, parent_code=parent_code)

    def rename(self, *, name: str) -> None:
        self.trigger_event(UnitRenamed, name=name)


# ---- leaders ------------------------------------------------------------------------------


class LeaderAppointed(LedgerCreated):
    leader_id: str
    name: str
    unit_code: str
    post: str

    def apply(self, leader: Any) -> None:
        leader.leader_id, leader.name = self.leader_id, self.name
        leader.unit_code, leader.post = self.unit_code, self.post
        leader.active = True
        leader.posts = ((self.occurred_at, self.unit_code, self.post),)


class LeaderPosted(LedgerEvent):
    """The leader takes another post (or another unit)."""

    unit_code: str
    post: str

    def apply(self, leader: Any) -> None:
        leader.unit_code, leader.post = self.unit_code, self.post
        leader.posts = (*leader.posts, (self.occurred_at, self.unit_code, self.post))


class LeaderLeft(LedgerEvent):
    def apply(self, leader: Any) -> None:
        leader.active = False
        leader.left_at = self.occurred_at


@dataclass(frozen=True)
class Post:
    """A post a leader held in a unit over [started_at, ended_at); ended_at None: still held."""

    leader_id: str
    unit_code: str
    post: str
    started_at: datetime
    ended_at: datetime | None

    def held_after(self, moment: datetime) -> bool:
        """Whether the post was still held at some time after `moment`."""
        return self.ended_at is None or self.ended_at > moment


class Leader(LedgerAggregate):
    def __init__(self) -> None:
        super().__init__()
        self.leader_id = self.name = self.unit_code = self.post = ""
        self.active = False
        self.left_at: datetime | None = None
        self.posts: tuple[tuple[datetime, str, str], ...] = ()

    @classmethod
    def appoint(cls, *, leader_id: str, name: str, unit_code: str, post: str) -> Leader:
        return cls._start(
            LeaderAppointed, id=leader_id_for(leader_id), leader_id=leader_id, name=name,
            unit_code=unit_code, post=post,
        )  # fmt: skip

    def move(self, *, unit_code: str, post: str) -> None:
        self.trigger_event(LeaderPosted, unit_code=unit_code, post=post)

    def leave(self) -> None:
        self.trigger_event(LeaderLeft)

    def posts_over_time(self) -> tuple[Post, ...]:
        """Every post held, each ended by the next one or by leaving."""
        ends = [since for since, _unit, _post in self.posts[1:]] + [self.left_at if not self.active else None]
        return tuple(
            Post(self.leader_id, unit_code, post, since, end)
            for (since, unit_code, post), end in zip(self.posts, ends, strict=True)
        )

    def post_on(self, moment: datetime) -> tuple[str, str] | None:
        """(unit, post) held at a moment in the world, or None before the first appointment."""
        held = None
        for since, unit_code, post in self.posts:
            if since <= moment:
                held = (unit_code, post)
        return held


# ---- users and their tokens ---------------------------------------------------------------


class UserCreated(LedgerCreated):
    user_id: str
    name: str
    role: Role
    unit_code: str | None
    leader_id: str | None

    def apply(self, user: Any) -> None:
        user.user_id, user.name, user.role = self.user_id, self.name, self.role
        user.unit_code, user.leader_id = self.unit_code, self.leader_id
        user.active = True


class TokenIssued(LedgerEvent):
    token_hash: str
    expires_at: datetime | None

    def apply(self, user: Any) -> None:
        user.tokens = {**user.tokens, self.token_hash: self.expires_at}


class TokenRevoked(LedgerEvent):
    token_hash: str

    def apply(self, user: Any) -> None:
        user.tokens = {k: v for k, v in user.tokens.items() if k != self.token_hash}


class UserDeactivated(LedgerEvent):
    def apply(self, user: Any) -> None:
        user.active = False
        user.tokens = {}


class RoleChanged(LedgerEvent):
    """The user's role (what they may do) changes; their tokens stay valid under the new role."""

    role: Role

    def apply(self, user: Any) -> None:
        user.role = self.role


class User(LedgerAggregate):
    def __init__(self) -> None:
        super().__init__()
        self.user_id = self.name = ""
        self.role = Role.REGISTRAR
        self.unit_code: str | None = None
        self.leader_id: str | None = None
        self.active = False
        self.tokens: dict[str, datetime | None] = {}

    @classmethod
    def create(
        cls, *, user_id: str, name: str, role: Role, unit_code: str | None, leader_id: str | None
    ) -> User:
        return cls._start(
            UserCreated, id=user_id_for(user_id), user_id=user_id, name=name, role=role,
            unit_code=unit_code, leader_id=leader_id,
        )  # fmt: skip

    def issue_token(self, *, token_hash: str, expires_at: datetime | None) -> None:
        self.trigger_event(TokenIssued, token_hash=token_hash, expires_at=expires_at)

    def revoke_token(self, *, token_hash: str) -> None:
        if token_hash not in self.tokens:
            raise InvalidInput("no such active token", field="token")
        self.trigger_event(TokenRevoked, token_hash=token_hash)

    def deactivate(self) -> None:
        self.trigger_event(UserDeactivated)

    def change_role(self, *, role: Role) -> None:
        if not self.active:
            raise InvalidInput("the user is deactivated", field="role")
        self.trigger_event(RoleChanged, role=role)


class TokenRegistered(LedgerCreated):
    """Index entry: a token hash names its user (deterministic id, so a hash registers once)."""

    user_id: str
    token_hash: str

    def apply(self, index: Any) -> None:
        index.user_id = self.user_id


class TokenIndex(LedgerAggregate):
    def __init__(self) -> None:
        super().__init__()
        self.user_id = ""

    @classmethod
    def register(cls, *, token_hash: str, user_id: str) -> TokenIndex:
        return cls._start(
            TokenRegistered, id=token_index_id(token_hash), user_id=user_id, token_hash=token_hash
        )


# Every event type of each reference aggregate, so a listing can rebuild them all in one scan.
UNIT_EVENTS: tuple[type[LedgerEvent], ...] = (UnitCreated, UnitRenamed)
LEADER_EVENTS: tuple[type[LedgerEvent], ...] = (LeaderAppointed, LeaderPosted, LeaderLeft)
USER_EVENTS: tuple[type[LedgerEvent], ...] = (
    UserCreated, TokenIssued, TokenRevoked, UserDeactivated, RoleChanged,
)  # fmt: skip

REFERENCE_EVENT_TYPES: tuple[type[LedgerEvent], ...] = (
    UnitCreated, UnitRenamed, LeaderAppointed, LeaderPosted, LeaderLeft, UserCreated,
    TokenIssued, TokenRevoked, UserDeactivated, RoleChanged, TokenRegistered,
)  # fmt: skip
