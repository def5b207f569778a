"""The case list (filters of GET /api/v1/cases, overdue and backlog markers, paging) and the
overdue list, both rendered from the API's own listing functions (api/reads/case_lists.py)."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from api.auth import Ledger
from api.pages import forms
from api.pages.labels import CHANNEL, STATUS
from api.pages.reference import category_choices, display_names, leader_choices, resolve, unit_choices
from api.pages.render import call, page
from api.pages.session import CurrentPageUser
from api.reads.case_lists import CaseFilters, case_list, overdue_list
from domain.vocabulary import Channel, Status

router = APIRouter(include_in_schema=False)
PAGE_SIZE = 20
MAX_PAGE_SIZE = 100
Text = Annotated[str | None, Query(max_length=500)]


def _next_link(request: Request, cursor: str | None, number: int) -> str | None:
    if cursor is None:
        return None
    params = [(k, v) for k, v in request.query_params.multi_items() if k not in ("cursor", "page")]
    return "?" + urlencode([*params, ("cursor", cursor), ("page", str(number + 1))])


def _first_link(request: Request) -> str:
    params = [(k, v) for k, v in request.query_params.multi_items() if k not in ("cursor", "page")]
    return "?" + urlencode(params)


def _page_size(raw: str | None) -> int:
    return int(raw) if raw and raw.isdigit() and 0 < int(raw) <= MAX_PAGE_SIZE else PAGE_SIZE


def _page_number(raw: str | None) -> int:
    return int(raw) if raw and raw.isdigit() and 0 < int(raw) < 100_000 else 1


def _pickers(request: Request) -> dict[str, list[dict[str, str]]]:
    """What the unit, leader and category pickers offer (units as a tree)."""
    return {
        "units": unit_choices(request),
        "leaders": leader_choices(request),
        "categories": category_choices(),
    }


def _picked(
    pickers: dict[str, list[dict[str, str]]], unit: str | None, leader: str | None, category: str | None
) -> tuple[str | None, str | None, str | None]:
    """The filters as codes: a code as it is, a name typed by hand found by name or refused."""
    unit_code = resolve(forms.text(unit, "承办单位"), pickers["units"], "单位")
    leader_id = resolve(forms.text(leader, "包案领导"), pickers["leaders"], "领导")
    category_text = forms.text(category, "类别")
    # an office may use category codes of its own: only a known label is turned into its code
    named = [c["code"] for c in pickers["categories"] if c["name"] == category_text]
    return unit_code, leader_id, named[0] if named else category_text


@router.get("/cases", response_class=HTMLResponse)
def cases_page(
    request: Request, ledger: Ledger, user: CurrentPageUser,
    status: Annotated[list[str] | None, Query()] = None,
    unit: Text = None, leader: Text = None, category: Text = None, channel: Text = None,
    overdue: Text = None, backlog: Text = None, registered_from: Text = None, registered_to: Text = None,
    first_petition: Text = None,
    q: Text = None, as_of: Text = None, known_at: Text = None, cursor: Text = None, page_no: Annotated[str | None, Query(alias="page")] = None,
    size: Text = None,
) -> HTMLResponse:  # fmt: skip
    statuses = [s for s in (forms.choice(v, Status, "状态") for v in status or ()) if s is not None]
    as_of_day = forms.day(as_of, "截至日期")
    pickers = _pickers(request)
    unit, leader, category = _picked(pickers, unit, leader, category)
    found = call(
        case_list,
        request,
        user.principal,
        CaseFilters(
            status=statuses or None,
            unit=unit,
            leader=leader,
            category=category,
            channel=forms.choice(channel, Channel, "渠道"),
            overdue=forms.flag(overdue, "超期"),
            backlog=forms.flag(backlog, "积案"),
            first_petition=forms.flag(first_petition, "初信初访"),
            reception=None,
            registered_from=forms.day(registered_from, "登记起始日"),
            registered_to=forms.day(registered_to, "登记截止日"),
            q=forms.text(q, "事项关键词"),
        ),
        forms.end_of_day(as_of_day),
        forms.end_of_day(forms.day(known_at, "台账记录截至")),
    )
    result: dict[str, Any] = call(found.page, _page_size(size), forms.text(cursor, "游标", 500))
    number = _page_number(page_no)
    filters = {
        "status": [s.value for s in statuses], "unit": unit or "", "leader": leader or "",
        "category": category or "", "channel": channel or "", "overdue": overdue or "",
        "backlog": backlog or "", "first_petition": first_petition or "", "registered_from": registered_from or "",
        "registered_to": registered_to or "", "q": q or "", "as_of": as_of or "", "known_at": known_at or "",
    }  # fmt: skip
    return page(
        request, "cases.html", user, items=result["items"], names=display_names(request), filters=filters, statuses=STATUS, channels=CHANNEL, units=pickers["units"], leaders=pickers["leaders"], categories=pickers["categories"],
        page_number=number, next_link=_next_link(request, result["next_cursor"], number),
        first_link=_first_link(request) if number > 1 else None,
    )  # fmt: skip


@router.get("/overdue", response_class=HTMLResponse)
def overdue_page(
    request: Request, ledger: Ledger, user: CurrentPageUser, unit: Text = None, leader: Text = None, as_of: Text = None,
    cursor: Text = None, page_no: Annotated[str | None, Query(alias="page")] = None, size: Text = None,
) -> HTMLResponse:  # fmt: skip
    as_of_day = forms.day(as_of, "截至日期")
    pickers = _pickers(request)
    unit, leader, _ = _picked(pickers, unit, leader, None)
    found = call(overdue_list, request, user.principal, unit, leader, forms.end_of_day(as_of_day), None)
    result: dict[str, Any] = call(found.page, _page_size(size), forms.text(cursor, "游标", 500))
    number = _page_number(page_no)
    return page(
        request, "overdue.html", user, items=result["items"], names=display_names(request), units=pickers["units"], leaders=pickers["leaders"],
        filters={"unit": unit or "", "leader": leader or "", "as_of": as_of or ""},
        page_number=number, next_link=_next_link(request, result["next_cursor"], number),
        first_link=_first_link(request) if number > 1 else None,
    )  # fmt: skip
