"""Dashboards: leader caseloads, key figures, the accountability register. Every number comes
from the API's own read functions (api/reads/), so it counts only the cases the reader may see."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from api.auth import Ledger
from api.pages import forms
from api.pages.figure_notes import DEFINITIONS, PENDING
from api.pages.labels import FIGURE
from api.pages.reference import display_names, leader_choices, leader_names, resolve, unit_choices
from api.pages.render import call, page
from api.pages.session import CurrentPageUser
from api.reads.accountability import register
from api.reads.caseloads import caseload_page
from api.reads.figures import key_figures
from domain.context import utcnow
from domain.policy import local_date

router = APIRouter(include_in_schema=False)
Text = Annotated[str | None, Query(max_length=500)]
MAX_LEADERS = 500


@router.get("/caseloads", response_class=HTMLResponse)
def caseloads_page(
    request: Request, ledger: Ledger, user: CurrentPageUser, unit: Text = None, as_of: Text = None
) -> HTMLResponse:
    as_of_day = forms.day(as_of, "截至日期")
    units = unit_choices(request)
    unit = resolve(forms.text(unit, "单位"), units, "单位")
    result: dict[str, Any] = call(
        caseload_page, request, user.principal, unit=unit,
        as_of=forms.end_of_day(as_of_day), known_at=None, start=None, end=None, limit=MAX_LEADERS, cursor=None,
    )  # fmt: skip
    names = leader_names(request)
    rows = [{**r, "name": names.get(r["leader_id"], r["leader_id"])} for r in result["items"]]
    chart = {
        "leaders": [r["name"] for r in rows],
        "series": {k: [r[k] for r in rows] for k in ("open", "overdue", "closed")},
        "satisfaction": [None if r["satisfaction_rate"] is None else round(r["satisfaction_rate"] * 100, 1)
                         for r in rows],
    }  # fmt: skip
    return page(
        request, "caseloads.html", user, rows=rows, chart=chart, units=units,
        filters={"unit": unit or "", "as_of": as_of or ""},
    )  # fmt: skip


@router.get("/figures", response_class=HTMLResponse)
def figures_page(
    request: Request, ledger: Ledger, user: CurrentPageUser, unit: Text = None, category: Text = None,
    campaign: Text = None, start: Annotated[str | None, Query(alias="from", max_length=20)] = None,
    to: Text = None,
) -> HTMLResponse:  # fmt: skip
    result: dict[str, Any] = call(
        key_figures, request, ledger, user.principal, start=forms.day(start, "起始日"), to=forms.day(to, "截止日"),
        unit=forms.text(unit, "单位"), leader=None, category=forms.text(category, "类别"),
        campaign=forms.text(campaign, "积案专项"),
    )  # fmt: skip
    months = result["by_month"]
    period = {  # the period the figures cover: as asked, else from the first registration to today
        "from": start or (months[0]["from"] if months else None),
        "to": to or local_date(utcnow()).isoformat(),
        "asked": bool(start or to),
    }
    chart = {
        "months": [m["month"] for m in months],
        "series": {
            FIGURE[name]: [None if m["figures"][name]["value"] is None else round(m["figures"][name]["value"] * 100, 1)
                           for m in months]
            for name in FIGURE
        },
    }  # fmt: skip
    return page(
        request, "figures.html", user, figures=result["figures"], months=months, names=FIGURE, chart=chart,
        units=unit_choices(request), period=period, definitions=DEFINITIONS, pending_note=PENDING,
        filters={"unit": unit or "", "category": category or "", "campaign": campaign or "",
                 "from": start or "", "to": to or ""},
    )  # fmt: skip


@router.get("/accountability", response_class=HTMLResponse)
def accountability_page(
    request: Request, ledger: Ledger, user: CurrentPageUser, leader: Text = None, unit: Text = None,
    start: Annotated[str | None, Query(alias="from", max_length=20)] = None, to: Text = None,
    cursor: Text = None,
) -> HTMLResponse:  # fmt: skip
    units, leaders = unit_choices(request), leader_choices(request)
    leader_id = resolve(forms.text(leader, "领导"), leaders, "领导")
    unit_code = resolve(forms.text(unit, "单位"), units, "单位")
    result: dict[str, Any] = call(
        register, request, user.principal, leader=leader_id,
        unit=unit_code, start=forms.day(start, "起始日"), to=forms.day(to, "截止日"),
        limit=50, cursor=forms.text(cursor, "游标", 500),
    )  # fmt: skip
    params = [(k, v) for k, v in request.query_params.multi_items() if k != "cursor"]
    more = "?" + urlencode([*params, ("cursor", result["next_cursor"])]) if result["next_cursor"] else None
    return page(
        request, "accountability.html", user, items=result["items"], names=display_names(request), next_link=more,
        units=units, leaders=leaders, filters={"leader": leader_id or "", "unit": unit_code or "", "from": start or "", "to": to or ""},
    )  # fmt: skip
