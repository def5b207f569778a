"""Pages for the oversight practices of issue 21: the month's concentrated-supervision list
(集中督办) and the recommendations of 第四十条 with their feedback. Each calls the API's own
function, so it shows only what the reader may see (api/access.py)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from api.auth import Ledger
from api.pages import forms
from api.pages.reference import display_names
from api.pages.render import call, page
from api.pages.session import CurrentPageUser
from api.reads.escalations import escalation_list
from api.reads.recommendations import recommendation_page

router = APIRouter(include_in_schema=False)
Text = Annotated[str | None, Query(max_length=500)]


@router.get("/escalations", response_class=HTMLResponse)
def escalations_page(request: Request, ledger: Ledger, user: CurrentPageUser) -> HTMLResponse:
    result: dict[str, Any] = call(escalation_list, request, ledger, user.principal)
    return page(request, "escalations.html", user, result=result, names=display_names(request))


@router.get("/recommendations", response_class=HTMLResponse)
def recommendations_page(
    request: Request, ledger: Ledger, user: CurrentPageUser, cursor: Text = None
) -> HTMLResponse:
    result: dict[str, Any] = call(
        recommendation_page, request, user.principal, limit=50, cursor=forms.text(cursor, "游标", 500)
    )
    more = f"?cursor={result['next_cursor']}" if result["next_cursor"] else None
    return page(
        request,
        "recommendations.html",
        user,
        items=result["items"],
        names=display_names(request),
        next_link=more,
    )
