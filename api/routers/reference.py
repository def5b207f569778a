"""Reference data: units (a tree), leaders, users."""

from typing import Any

from fastapi import APIRouter, Request

from api import list_exports
from api.auth import CurrentUser, Ledger, audit
from api.freshness import MinPosition
from api.list_exports import Format, Names
from api.permissions import REFERENCE_READ, REFERENCE_WRITE, USER_ADMIN
from api.responses import JSON
from api.schemas import LeaderIn, LeaderLeftIn, LeaderPostIn, UnitIn, UserIn
from api.view_query import view_database
from projections.reference_data.view import leaders_with_posts, unit_tree, user_list

router = APIRouter(prefix="/api/v1", tags=["reference data"])


@router.post("/units", status_code=201)
def create_unit(body: UnitIn, request: Request, ledger: Ledger, who: CurrentUser) -> dict[str, Any]:
    """Add a unit to the tree (county → township → village)."""
    who.require(REFERENCE_WRITE, "create units")
    with audit(who, request):
        position = ledger.create_unit(code=body.code, name=body.name, parent_code=body.parent_code)
    return {"code": body.code, "position": position}


@router.get("/units")
def list_units(request: Request, who: CurrentUser, _: MinPosition = None, format: Format = None) -> Any:
    """The unit tree: every unit with its children, roots first (from the reference-data view)."""
    who.require(REFERENCE_READ, "read units")
    with view_database(request).transaction(write=False) as tx:
        tree = unit_tree(tx)
    return list_exports.units(tree) if format == "xlsx" else {"items": tree}


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
def list_leaders(request: Request, who: CurrentUser, _: MinPosition = None, format: Format = None) -> Any:
    """All leaders, with their current unit and post and every post held (from the reference-data view)."""
    who.require(REFERENCE_READ, "read leaders")
    with view_database(request).transaction(write=False) as tx:
        items = leaders_with_posts(tx)
    return list_exports.leaders(items, Names.read(request)) if format == "xlsx" else {"items": items}


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
def list_users(request: Request, who: CurrentUser, _: MinPosition = None, format: Format = None) -> Any:
    """All users with role and unit, never their tokens (from the reference-data view)."""
    who.require(USER_ADMIN, "list users")
    with view_database(request).transaction(write=False) as tx:
        items = user_list(tx)
    return list_exports.users(items, Names.read(request)) if format == "xlsx" else {"items": items}
