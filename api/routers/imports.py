"""The 台账 (legacy petition ledger) as Excel: its template, and its import as late-entered events."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Request
from fastapi.responses import Response

from api import workbook
from api.auth import CurrentUser, Ledger
from api.commands import REGISTER_ROLES
from api.ledger_import import import_ledger
from api.ledger_rows import MAX_BYTES
from api.ledger_template import template_workbook
from api.responses import JSON

router = APIRouter(prefix="/api/v1/imports", tags=["imports"])

IMPORT_PATH = "/api/v1/imports/ledger-xlsx"
# What the body-size guard lets through to this route: the file's limit and the form around it.
UPLOAD_LIMITS = {IMPORT_PATH: MAX_BYTES + 1024 * 1024}


@router.get("/ledger-xlsx/template", response_class=Response)
def ledger_template(who: CurrentUser) -> Any:
    """The 台账 template workbook: Chinese headers, one example row, and a sheet explaining each column."""
    who.require(REGISTER_ROLES, "import a ledger")
    return workbook.response(template_workbook(), "信访台账模板.xlsx")


@router.post("/ledger-xlsx")
def import_ledger_xlsx(
    request: Request, ledger: Ledger, who: CurrentUser,
    file: Annotated[bytes, File(description="the 台账 workbook (.xlsx) in the template's columns")],
    dry_run: Annotated[bool, Form(description="check every row and write nothing")] = False,
) -> Any:  # fmt: skip
    """Enter each row as the late-entered events of its case (补录), with the file's SHA-256 and the
    row number as provenance; rows already entered are skipped; row errors name row and column."""
    return JSON(import_ledger(request, who, ledger, file, dry_run=dry_run))
