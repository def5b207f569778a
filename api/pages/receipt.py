"""The registration receipt from a page: the registration page posts the code it was just shown.

Include `_receipt_form.html` with `case_id` and `query_code` (from the registration's answer, or a
reissue's) where the code is shown; the form posts here with the session's CSRF token.
"""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from api.auth import Ledger
from api.pages.render import PageError, call
from api.pages.session import CurrentPageUser
from api.public_lookup import RECEIPT_ROLES, receipt_pdf
from api.reads.cases import readable_case

router = APIRouter(include_in_schema=False)


@router.post("/cases/{case_id}/receipt")
def receipt_page(
    case_id: UUID, request: Request, ledger: Ledger, user: CurrentPageUser,
    query_code: Annotated[str, Form(max_length=32)] = "", csrf: Annotated[str, Form(max_length=200)] = "",
) -> Response:  # fmt: skip
    if not user.csrf_ok(csrf):
        raise PageError(403, "表单已失效（CSRF 校验失败），请刷新页面后重试。")
    if user.principal.role not in RECEIPT_ROLES:
        raise PageError(403, "只有登记员可以打印登记回执。")
    case = call(readable_case, request, ledger, user.principal, case_id)
    pdf = call(receipt_pdf, request, case, query_code)
    return Response(
        pdf, media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="case-{case_id}-receipt.pdf"', "Cache-Control": "no-store"},
    )  # fmt: skip
