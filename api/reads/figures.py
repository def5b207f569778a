"""The key figures of DOMAIN.md over the cases a reader may see, each with numerator and denominator."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import Request

from api.access import reader_access
from api.auth import Principal
from api.errors import ProblemError
from api.view_query import unit_paths, view_database
from domain.application import LedgerApplication
from domain.context import utcnow
from domain.policy import local_date
from projections.figures.query import Filters, figures_report


def key_figures(
    request: Request, ledger: LedgerApplication, who: Principal, *, start: date | None, to: date | None,
    unit: str | None, leader: str | None, category: str | None, campaign: str | None,
) -> dict[str, Any]:  # fmt: skip
    """The figures of the period, the filters as asked, and the same figures month by month."""
    if start is not None and to is not None and start > to:
        raise ProblemError(422, "validation_failed", "`from` is after `to`",
                           errors=[{"field": "from", "message": "after to"}])  # fmt: skip
    paths = unit_paths(request)
    scope = reader_access(request, who).counted(alias="f")  # figures are aggregates (R1)
    unit_path = None
    if unit is not None:
        ledger.get_unit(unit)  # 404 for an unknown unit, not silently empty figures
        unit_path = paths.path(unit)
    filters = Filters(start, to, unit_path, leader, category, campaign)
    with view_database(request).transaction(write=False) as tx:
        report = figures_report(tx, filters, (scope.where, scope.params), today=local_date(utcnow()))
    echo = {
        "from": start,
        "to": to,
        "unit": unit,
        "leader": leader,
        "category": category,
        "campaign": campaign,
    }
    return {
        "figures": report["figures"],
        "filters": {k: v.isoformat() if isinstance(v, date) else v for k, v in echo.items()},
        "by_month": report["by_month"],
    }
