"""Practices of the county reports (issue 21): leaders' receptions (领导接访) and backlog campaigns
(积案专项) with their boards. Case lists obey the reader's access (api/access.py `rows`: scope and
never the accused side, 第三十条); counts obey `counted`."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request

from api.access import reader_access
from api.auth import CurrentUser, Ledger, audit
from api.errors import ProblemError
from api.freshness import MinPosition
from api.permissions import CASE_ROLES, REFERENCE_WRITE
from api.responses import JSON
from api.routers.case_list import _invalid
from api.schemas import CampaignIn, ReceptionIn
from api.view_query import Where, unit_paths, view_database
from domain.context import utcnow
from domain.policy import local_date
from projections import practices as views
from projections.sqltypes import db_date, db_time

router = APIRouter(prefix="/api/v1", tags=["practices"])

From = Annotated[date | None, Query(alias="from", description="held on or after (China date)")]
To = Annotated[date | None, Query(alias="to", description="held on or before (China date)")]
Code = Annotated[str | None, Query(max_length=100)]


@router.post("/receptions", status_code=201)
def record_reception(body: ReceptionIn, request: Request, ledger: Ledger, who: CurrentUser) -> JSON:
    """Record a leader's reception (领导接访、下访、约访、联合接访, 第十八条), by an administrator or a
    supervisor over the unit of the leader's post that day."""
    who.require(REFERENCE_WRITE, "record receptions")
    with audit(who, request):
        reception_id, position = ledger.record_reception(
            leader_id=body.leader_id, held_on=body.held_on, place=body.place, kind=body.kind,
            unit_codes=tuple(body.unit_codes),
        )  # fmt: skip
    return JSON({"reception_id": reception_id, "position": position}, status_code=201)


def reception_listing(
    request: Request, who: CurrentUser, leader: str | None, unit: str | None,
    start: date | None, end: date | None,
) -> list[dict[str, Any]]:  # fmt: skip
    """Receptions in the reader's unit subtree (every one for an inspector), each with the cases
    registered there that the reader may open and the counts of those in his scope."""
    who.require(CASE_ROLES, "read receptions")
    if start is not None and end is not None and start > end:
        raise _invalid("from", "the period starts after it ends")
    access = reader_access(request, who)
    paths = unit_paths(request)
    where = Where()
    if access.scope != "all":
        where.under("unit_path", paths.path(who.unit_code))
    if unit is not None:
        where.under("unit_path", paths.path(unit))
    db = view_database(request)
    pg = db.postgres
    if leader is not None:
        where.add("leader_id = ?", leader)
    if start is not None:
        where.add("held_on >= ?", db_date(pg, start))
    if end is not None:
        where.add("held_on <= ?", db_date(pg, end))
    rows = access.rows(lambda t: db_time(pg, t))
    counted = access.counted()
    with db.transaction(write=False) as tx:
        found = views.receptions(tx, where.sql, where.params)
        ids = [r["reception_id"] for r in found]
        cases = views.reception_cases(tx, ids, rows.where, rows.params)
        counts = views.reception_counts(tx, ids, counted.where, counted.params)
    empty = {"received": 0, "accepted": 0, "resolved": 0}
    return [{**r, "cases": cases.get(r["reception_id"], []), "counts": counts.get(r["reception_id"], empty)}
            for r in found]  # fmt: skip


@router.get("/receptions")
def list_receptions(
    request: Request, who: CurrentUser, _: MinPosition = None, leader: Code = None, unit: Code = None,
    start: From = None, end: To = None,
) -> dict[str, Any]:  # fmt: skip
    """Receptions, newest first (at most 500), each with the cases registered there (those the
    reader may open) and `counts`: petitions received, accepted (the cases produced) and resolved."""
    return {"items": reception_listing(request, who, leader, unit, start, end)}


@router.post("/campaigns", status_code=201)
def open_campaign(body: CampaignIn, request: Request, ledger: Ledger, who: CurrentUser) -> JSON:
    """Open a backlog campaign (积案化解专项) with its period and due date."""
    who.require(REFERENCE_WRITE, "open campaigns")
    with audit(who, request):
        position = ledger.open_campaign(
            campaign_id=body.campaign_id, name=body.name, starts_on=body.starts_on, due_on=body.due_on
        )
    return JSON({"campaign_id": body.campaign_id, "position": position}, status_code=201)


def campaign_board(request: Request, who: CurrentUser, campaign_id: str) -> dict[str, Any]:
    who.require(CASE_ROLES, "read campaign boards")
    access = reader_access(request, who)
    db = view_database(request)
    rows = access.rows(lambda t: db_time(db.postgres, t))
    with db.transaction(write=False) as tx:
        found = views.campaign(tx, campaign_id)
        if found is None:
            raise ProblemError(404, "not_found", "no such campaign")
        cases = views.campaign_cases(tx, campaign_id, rows.where, rows.params)
    today = local_date(utcnow())
    return {**found, "today": today, "leaders": views.board(cases, found["due_on"], today), "cases": cases}


@router.get("/campaigns/{campaign_id}")
def get_campaign_board(
    campaign_id: Annotated[str, Path(max_length=100)],
    request: Request,
    who: CurrentUser,
    _: MinPosition = None,
) -> dict[str, Any]:
    """The campaign's board: per leader holding its cases, designated, struck off (销号), open (not
    yet struck off) and past the campaign's due date; and the cases, only those the reader may open."""
    return campaign_board(request, who, campaign_id)
