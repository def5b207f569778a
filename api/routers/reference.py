"""Reference data: units (a tree), leaders, users."""

from typing import Any

from fastapi import APIRouter, Request

from api.auth import CurrentUser, Ledger, audit
from api.permissions import REFERENCE_READ, REFERENCE_WRITE, USER_ADMIN
from api.responses import JSON
from api.schemas import LeaderIn, LeaderLeftIn, LeaderPostIn, UnitIn, UserIn
from domain.reference import LEADER_EVENTS, UNIT_EVENTS, USER_EVENTS

router = APIRouter(prefix="/api/v1", tags=["reference data"])


@router.post("/units", status_code=201)
def create_unit(body: UnitIn, request: Request, ledger: Ledger, who: CurrentUser) -> dict[str, Any]:
    """Add a unit to the tree (county → township → village)."""
    who.require(REFERENCE_WRITE, "create units")
    with audit(who, request):
        position = ledger.create_unit(code=body.code, name=body.name, parent_code=body.parent_code)
    return {"code": body.code, "position": position}


@router.get("/units")
def list_units(ledger: Ledger, who: CurrentUser) -> dict[str, Any]:
    """The unit tree: every unit with its children, roots first."""
    who.require(REFERENCE_READ, "read units")
    units: dict[str, dict[str, Any]] = {
        u.code: {"code": u.code, "name": u.name, "parent_code": u.parent_code, "children": []}
        for u in ledger.rebuild_all(UNIT_EVENTS)
    }
    roots: list[dict[str, Any]] = []
    for unit in units.values():
        parent = units.get(unit["parent_code"]) if unit["parent_code"] else None
        (parent["children"] if parent else roots).append(unit)
    return {"items": roots}


@router.post("/leaders", status_code=201)
def appoint_leader(body: LeaderIn, request: Request, ledger: Ledger, who: CurrentUser) -> dict[str, Any]:
    """Record a leader (包案领导) and the post held in a unit."""
    who.require(REFERENCE_WRITE, "record leaders")
    with audit(who, request):
        position = ledger.appoint_leader(
            leader_id=body.leader_id, name=body.name, unit_code=body.unit_code, post=body.post
        )
    return {"leader_id": body.leader_id, "position": position}


@router.post("/leaders/{leader_id}/posts", status_code=201)
def post_leader(
    leader_id: str, body: LeaderPostIn, request: Request, ledger: Ledger, who: CurrentUser
) -> dict[str, Any]:
    """Record that a leader took another post (his earlier one ends then); posts over time decide
    who is on the accused side of an accusation against him (第三十条)."""
    who.require(REFERENCE_WRITE, "record leaders' posts")
    with audit(who, request, occurred_at=body.occurred_at):
        position = ledger.post_leader(leader_id=leader_id, unit_code=body.unit_code, post=body.post)
    return {"leader_id": leader_id, "position": position}


@router.post("/leaders/{leader_id}/leave", status_code=201)
def leader_leaves(
    leader_id: str, body: LeaderLeftIn, request: Request, ledger: Ledger, who: CurrentUser
) -> dict[str, Any]:
    """Record that a leader left his last post."""
    who.require(REFERENCE_WRITE, "record leaders' posts")
    with audit(who, request, occurred_at=body.occurred_at):
        position = ledger.leader_leaves(leader_id)
    return {"leader_id": leader_id, "position": position}


@router.get("/leaders")
def list_leaders(ledger: Ledger, who: CurrentUser) -> dict[str, Any]:
    """All leaders, with their current unit and post."""
    who.require(REFERENCE_READ, "read leaders")
    items = []
    for leader in ledger.rebuild_all(LEADER_EVENTS):
        posts = [{"unit_code": p.unit_code, "post": p.post, "from": p.started_at, "to": p.ended_at}
                 for p in leader.posts_over_time()]  # fmt: skip
        items.append({"leader_id": leader.leader_id, "name": leader.name, "unit_code": leader.unit_code,
                      "post": leader.post, "active": leader.active, "posts": posts})  # fmt: skip
    return {"items": items}


@router.post("/users", status_code=201)
def create_user(body: UserIn, request: Request, ledger: Ledger, who: CurrentUser) -> JSON:
    """Create a user with a role and unit; the bearer token is in the response, shown once."""
    who.require(USER_ADMIN, "create users")
    with audit(who, request):
        token = ledger.create_user(user_id=body.user_id, name=body.name, role=body.role,
                                   unit_code=body.unit_code, leader_id=body.leader_id)  # fmt: skip
    return JSON({"user_id": body.user_id, "role": body.role.value, "token": token}, status_code=201,
                          headers={"Cache-Control": "no-store"})  # fmt: skip


@router.get("/users")
def list_users(ledger: Ledger, who: CurrentUser) -> dict[str, Any]:
    """All users with role and unit (never their tokens)."""
    who.require(USER_ADMIN, "list users")
    items = []
    for user in ledger.rebuild_all(USER_EVENTS):
        items.append({"user_id": user.user_id, "name": user.name, "role": user.role.value,
                      "unit_code": user.unit_code, "leader_id": user.leader_id, "active": user.active})  # fmt: skip
    return {"items": items}
