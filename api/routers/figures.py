"""GET /api/v1/figures: the key figures of DOMAIN.md, each with numerator and denominator
(api/reads/figures.py)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request

from api import list_exports
from api.auth import CurrentUser, Ledger
from api.freshness import MinPosition
from api.reads.figures import key_figures

router = APIRouter(prefix="/api/v1", tags=["views"])

DESCRIPTION = """
The published rates, each `{value, numerator, denominator}` (`value` is null when the
denominator is 0), over the cases the reader may see (every count obeys the reader's scope),
and the same seven figures for each month of the period (`by_month`, for the dashboard chart;
without `from` it starts at the first registration, without `to` it ends today).

Period `from`..`to` (China-local days, both inclusive, either may be left open). Which date puts
a case in the period:

- `closure_rate` 办结率: cases **accepted** in the period; numerator: of those, closed now.
- `on_time_closure_rate` 按期办结率: cases whose **final closure** is in the period; numerator:
  of those, whose handling clock said `met`: the answer of the handling period that was closed
  came by its due date (60 days + any extension), whatever day the case was closed (R11).
- `satisfaction_rate` 满意率: **return visits** made in the period; numerator: satisfied or
  basically satisfied.
- `resolution_rate` 化解率, `settled_rate` 案结事了率, `repeat_rate` 重复信访率: cases
  **registered** in the period ("cases in scope"); numerators: of those, closed now as resolved
  or mediated with the latest return visit not unsatisfied / closed now, the latest return visit
  not unsatisfied, with no review request, no reopening and no repeat petition within 90 days
  after the closure, once those 90 days have passed (`settled_rate.pending`: the cases otherwise
  settled whose 90 days still run today; they stay in the denominator) / linked to by a later
  case as a repeat.
- `first_contact_resolution_rate` 初信初访化解率: **first petitions** (初信初访) registered in the
  period: cases no case of the same petitioner's id number was registered before in the ledger
  (DOMAIN.md R10's identity look-up; a petition with no id number counts as a first one);
  numerator: of those, resolved as `resolution_rate` counts it (closed now as resolved or
  mediated, the latest return visit not unsatisfied). Nothing is pending: the rate is as the
  cases stand today.

"Closed now": closed and not reopened since (a reopened-then-closed case counts once, by its
final closure). Corrected values count. `unit` (subtree) and `leader` select the cases that unit
or leader held: on the day of the closure (on-time rate) or the return visit (satisfaction
rate), and at any time in the period for the other figures. A holding runs from the day of the
assignment up to, not including, the day of a reassignment; before its first assignment a case
is held by the unit that received it. `category` is the corrected category; `campaign` a
backlog campaign's id (`campaign_id` of POST /api/v1/campaigns; a name for designations
recorded before campaigns were their own records).
"""

From = Annotated[date | None, Query(alias="from", description="first day of the period (inclusive)")]
To = Annotated[date | None, Query(description="last day of the period (inclusive)")]
Unit = Annotated[str | None, Query(description="unit code: cases held within its subtree in the period")]
Leader = Annotated[str | None, Query(description="leader id: cases that leader held in the period")]
Category = Annotated[str | None, Query(description="case category (as corrected)")]
Campaign = Annotated[str | None, Query(max_length=100, description="backlog campaign id")]


@router.get("/figures", description=DESCRIPTION, summary="Key figures (关键指标)")
def figures(
    request: Request, ledger: Ledger, who: CurrentUser, min_position: MinPosition = None,
    start: From = None, to: To = None, unit: Unit = None, leader: Leader = None,
    category: Category = None, campaign: Campaign = None, format: list_exports.Format = None,
) -> Any:  # fmt: skip
    body = key_figures(
        request,
        ledger,
        who,
        start=start,
        to=to,
        unit=unit,
        leader=leader,
        category=category,
        campaign=campaign,
    )
    return list_exports.figures(body) if format == "xlsx" else body
