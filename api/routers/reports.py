"""GET /api/v1/reports/annual: the annual report of 第四十一条, as PDF or Excel."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal
from urllib.parse import quote

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from api import annual_report, annual_report_render, workbook
from api.access import reader_access
from api.auth import CurrentUser, Ledger
from api.dossier import DossierFontMissing
from api.errors import ProblemError
from api.freshness import MinPosition
from api.list_exports import Names
from api.view_query import unit_paths, view_database
from domain.context import utcnow
from domain.errors import Forbidden
from domain.policy import CHINA_TZ, local_date
from domain.vocabulary import Role

router = APIRouter(prefix="/api/v1/reports", tags=["reports"])

READERS = frozenset({Role.SUPERVISOR, Role.INSPECTOR})
PDF = "application/pdf"


@router.get("/annual", response_class=Response)
def annual(
    request: Request, ledger: Ledger, who: CurrentUser, _: MinPosition,
    year: Annotated[int, Query(ge=1990, le=2200, description="the calendar year reported on")],
    unit: Annotated[str | None, Query(max_length=100, description="the unit whose subtree is reported; "
                                      "your own unit if absent")] = None,
    format: Annotated[Literal["pdf", "xlsx"], Query(description="pdf or xlsx")] = "pdf",
) -> Any:  # fmt: skip
    """The art. 41 annual report: statistics, fields, most-complained units, transfers, assignments,
    supervision, recommendations and their adoption, for a year and a unit subtree in your scope."""
    who.require(READERS, "read the annual report")
    if year > local_date(utcnow()).year:
        raise ProblemError(422, "validation_failed", "the year has not begun",
                           errors=[{"field": "year", "message": "in the future"}])  # fmt: skip
    code = unit or who.unit_code
    if code is None:
        raise ProblemError(422, "validation_failed", "name the unit to report on",
                           errors=[{"field": "unit", "message": "required"}])  # fmt: skip
    ledger.get_unit(code)  # 404 for an unknown unit
    paths = unit_paths(request)
    if who.role is not Role.INSPECTOR and (who.unit_code is None or not paths.within(code, who.unit_code)):
        raise Forbidden("a supervisor reports on his own unit and the units below it", unit=code)
    unit_path = paths.path(code)
    assert unit_path is not None
    names = Names.read(request)
    with view_database(request).transaction(write=False) as tx:
        report = annual_report.build(
            tx, reader_access(request, who), year=year, unit_code=code,
            unit_name=names.unit(code) or code, unit_path=unit_path, today=local_date(utcnow()),
        )  # fmt: skip
    name = f"{report.unit_name}{year}年度信访工作报告"
    if format == "xlsx":
        return workbook.response(annual_report_render.xlsx(report, _name(names)), f"{name}.xlsx")
    generated = datetime.now(CHINA_TZ).strftime("%Y-%m-%d %H:%M")
    try:
        content = annual_report_render.pdf(report, _name(names), generated)
    except DossierFontMissing as exc:
        raise ProblemError(503, "font_missing", str(exc)) from None
    disposition = f"attachment; filename=annual-report.pdf; filename*=UTF-8''{quote(name + '.pdf')}"
    return Response(content, media_type=PDF, headers={"Content-Disposition": disposition})


def _name(names: Names) -> Any:
    return lambda code: names.unit(code) or code
