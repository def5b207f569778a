"""Pages for the practices of issue 21: the monthly 领导接访 table a county office prints, and a
campaign's board (积案销号). Both call the API's own functions, so they show only what the
reader may see (api/access.py)."""

from __future__ import annotations

import calendar
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from api.pages import forms
from api.pages.reference import display_names, unit_choices
from api.pages.render import PageError, call, page
from api.pages.session import CurrentPageUser
from api.reads.practices import campaign_board, reception_listing
from domain.context import utcnow
from domain.policy import local_date

router = APIRouter(include_in_schema=False)
Text = Annotated[str | None, Query(max_length=100)]


def _month(value: str | None) -> tuple[date, date]:
    """The first and last day of a "YYYY-MM" month (this month if blank)."""
    raw = forms.text(value, "月份")
    try:
        first = date.fromisoformat(f"{raw}-01") if raw else local_date(utcnow()).replace(day=1)
    except ValueError:
        raise PageError(422, f"月份不是有效月份（格式：2026-01）：{raw}") from None
    return first, first.replace(day=calendar.monthrange(first.year, first.month)[1])


@router.get("/receptions", response_class=HTMLResponse)
def receptions_page(
    request: Request, user: CurrentPageUser, month: Text = None, unit: Text = None
) -> HTMLResponse:
    """领导接访情况表: one row per reception of the month, with the petitions received there,
    the cases it produced (accepted) and of those resolved, as the reader's scope counts them."""
    first, last = _month(month)
    items = call(reception_listing, request, user.principal, None, forms.text(unit, "单位"), first, last)
    names = display_names(request)
    rows = sorted(
        ({**r, "leader_name": names.get(r["leader_id"], r["leader_id"]),
          "units_present": [names.get(u, u) for u in r["unit_codes"]]} for r in items),
        key=lambda r: (r["held_on"], r["leader_name"]),
    )  # fmt: skip
    totals = {k: sum(r["counts"][k] for r in rows) for k in ("received", "accepted", "resolved")}
    return page(
        request, "receptions.html", user, rows=rows, totals=totals, units=unit_choices(request),
        month=first.strftime("%Y-%m"), month_title=f"{first.year}年{first.month}月",
        filters={"unit": unit or ""}, unit_name=names.get(unit or "", ""),
    )  # fmt: skip


@router.get("/campaigns/{campaign_id}", response_class=HTMLResponse)
def campaign_page(campaign_id: str, request: Request, user: CurrentPageUser) -> HTMLResponse:
    """积案化解专项 board: per leader, designated, struck off, open, past the due date; and the cases."""
    if len(campaign_id) > 100:
        raise PageError(404, "没有找到该专项")
    board: dict[str, Any] = call(campaign_board, request, user.principal, campaign_id)
    names = display_names(request)
    leaders = [{**r, "name": names.get(r["leader_id"], r["leader_id"]) if r["leader_id"] else "尚未交办"}
               for r in board["leaders"]]  # fmt: skip
    cases = [{**c, "leader_name": names.get(c["leader_id"], c["leader_id"]) if c["leader_id"] else "—",
              "unit_name": names.get(c["unit_code"], c["unit_code"]) if c["unit_code"] else "—"}
             for c in board["cases"]]  # fmt: skip
    totals = {k: sum(r[k] for r in leaders) for k in ("designated", "struck_off", "open", "past_due")}
    return page(request, "campaign.html", user, campaign=board, leaders=leaders, cases=cases, totals=totals)
