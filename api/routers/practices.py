"""Practices of the county reports (issue 21): leaders' receptions (领导接访) and backlog campaigns
(积案专项) with their boards; the reads are api/reads/practices.py."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request

from api.auth import CurrentUser, Ledger, audit
from api.freshness import MinPosition
from api.permissions import REFERENCE_WRITE
from api.reads.practices import campaign_board, reception_listing
from api.responses import JSON
from api.schemas import CampaignIn, ReceptionIn

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
