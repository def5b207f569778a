"""The verification page: run the whole-ledger verification, and download a case's evidence
bundle or PDF dossier. Each is a POST form with a CSRF token (the exports are recorded)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response

from api.auth import Ledger
from api.pages.case_pages import case_uuid
from api.pages.forms import text
from api.pages.render import PageError, call, page
from api.pages.session import CurrentPageUser, PageUser
from api.permissions import EXPORT_ROLES, LEDGER_ROLES
from api.reads.evidence import dossier_file, evidence_file
from api.reads.verify import verify_ledger

router = APIRouter(include_in_schema=False)
Csrf = Annotated[str, Form(max_length=200)]
Purpose = Annotated[str, Form(max_length=200)]


def _checked(user: PageUser, csrf: str) -> None:
    if not user.csrf_ok(csrf):
        raise PageError(403, "表单已失效（CSRF 校验失败），请刷新页面后重试。")


def _as_download(response: Response) -> Response:
    """The pages offer the dossier as a file to keep (the API shows it inline)."""
    disposition = response.headers.get("content-disposition", "")
    response.headers["content-disposition"] = disposition.replace("inline;", "attachment;")
    return response


def _verify_page(request: Request, user: PageUser, report: dict[str, Any] | None) -> HTMLResponse:
    role = user.principal.role
    return page(
        request, "verify.html", user, report=report, can_verify=role in LEDGER_ROLES,
        can_export=role in EXPORT_ROLES,
    )  # fmt: skip


@router.get("/verify", response_class=HTMLResponse)
def verify_form(request: Request, user: CurrentPageUser) -> HTMLResponse:
    return _verify_page(request, user, None)


@router.post("/verify", response_class=HTMLResponse)
def run_verify(request: Request, ledger: Ledger, user: CurrentPageUser, csrf: Csrf = "") -> HTMLResponse:
    _checked(user, csrf)
    report: dict[str, Any] = call(verify_ledger, request, ledger, user.principal)
    return _verify_page(request, user, report)


@router.post("/cases/{case_id}/evidence")
def download_evidence(
    case_id: str,
    request: Request,
    ledger: Ledger,
    user: CurrentPageUser,
    csrf: Csrf = "",
    purpose: Purpose = "",
) -> Response:
    _checked(user, csrf)
    return call(
        evidence_file, request, ledger, user.principal, case_uuid(case_id), text(purpose, "用途", 200)
    )


@router.post("/cases/{case_id}/dossier.pdf")
def download_dossier(
    case_id: str,
    request: Request,
    ledger: Ledger,
    user: CurrentPageUser,
    csrf: Csrf = "",
    purpose: Purpose = "",
) -> Response:
    _checked(user, csrf)
    return _as_download(
        call(dossier_file, request, ledger, user.principal, case_uuid(case_id), text(purpose, "用途", 200))
    )


@router.post("/verify/export")
def export_case(
    request: Request, ledger: Ledger, user: CurrentPageUser, csrf: Csrf = "", purpose: Purpose = "",
    case_id: Annotated[str, Form(max_length=100)] = "", kind: Annotated[str, Form(max_length=20)] = "evidence",
) -> Response:  # fmt: skip
    _checked(user, csrf)
    export = {"evidence": evidence_file, "dossier": dossier_file}.get(kind)
    if export is None:
        raise PageError(422, f"未知的导出类型：{kind}")
    return _as_download(
        call(export, request, ledger, user.principal, case_uuid(case_id.strip()), text(purpose, "用途", 200))
    )
