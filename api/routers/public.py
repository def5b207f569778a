"""The petitioner's look-up and rating, without a token (第二十一条); see api/public_lookup.py."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, Field, StringConstraints

from api.auth import CurrentUser, Ledger
from api.openapi_problems import problem_response
from api.public_lookup import COMMENT_MAX, RECEIPT_ROLES, checked_case, progress, rate, receipt_pdf
from api.reads.cases import readable_case
from api.schemas import Body, Printable
from domain.vocabulary import Satisfaction

router = APIRouter(prefix="/api/v1/public", tags=["petitioner (no token)"])

CaseIdText = Annotated[str, StringConstraints(min_length=1, max_length=64)]
CodeText = Annotated[str, StringConstraints(min_length=1, max_length=32)]
Comment = Annotated[str, StringConstraints(strip_whitespace=True, max_length=COMMENT_MAX), Printable]


class LookupIn(Body):
    case_id: CaseIdText = Field(description="the case number on the receipt")
    query_code: CodeText = Field(description="the query code on the receipt, e.g. ABCD-EFGH")


class RatingIn(LookupIn):
    satisfaction: Satisfaction
    comment: Comment | None = Field(
        None, description=f"the petitioner's words, at most {COMMENT_MAX} characters"
    )


class DueDateOut(BaseModel):
    clock: str = Field(description="screening, handling, review_request_window, review_decision, ...")
    due_on: date
    state: str
    done_on: date | None


class LookupOut(BaseModel):
    case_id: str
    status: str
    registered_on: date | None
    holding_unit: str | None = Field(description="the name of the unit holding the case")
    referred_to: str | None = Field(
        description="the authority or institution a transferred or diverted case went to"
    )
    due_dates: list[DueDateOut]
    answered_on: date | None = Field(description="the day the written answer was delivered")
    may_rate: bool = Field(description="the answer may be rated now (POST /api/v1/public/rating)")


class RatingOut(BaseModel):
    case_id: str
    position: int = Field(description="the ledger position written (min_position for the satisfaction view)")


PROBLEMS: dict[int | str, dict[str, Any]] = {
    404: problem_response(
        "any wrong pair: no such case, a wrong code, a case without a code (case_not_found)"
    ),
    429: problem_response(
        "too many wrong pairs from this address or for this case within the window (too_many_failed_lookups); "
        "Retry-After says when to try again"
    ),
}
NOT_NOW = problem_response(
    "not now: before the answer, or once the case has moved on (transition_not_allowed)"
)


@router.post("/lookup", response_model=LookupOut, responses=PROBLEMS)
def lookup(body: LookupIn, request: Request) -> dict[str, Any]:
    """The petitioner's look-up: status, holding unit, due dates and answer date; nothing personal."""
    case = checked_case(request, body.case_id, body.query_code)
    return progress(request.app.state.ledger, case).as_dict()


@router.post("/rating", response_model=RatingOut, responses={**PROBLEMS, 409: NOT_NOW})
def rating(body: RatingIn, request: Request) -> dict[str, Any]:
    """The petitioner rates the answer; recorded as a return visit by channel `self_service`."""
    case = checked_case(request, body.case_id, body.query_code)
    result = rate(request, case, body.satisfaction, body.comment)
    return {"case_id": str(case.id), "position": result.position}


# ---- the receipt (登记回执), printed by the registrar with the code just made -------------------

receipts = APIRouter(prefix="/api/v1/cases", tags=["case reads"])


class ReceiptIn(Body):
    query_code: CodeText = Field(description="the code from the registration's (or a reissue's) answer")


@receipts.post(
    "/{case_id}/receipt.pdf",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}, "description": "the receipt (A5 PDF)"}},
)
def receipt(case_id: UUID, body: ReceiptIn, request: Request, ledger: Ledger, who: CurrentUser) -> Response:
    """The registration receipt with the petitioner's query code (the code is sent back: it is never stored)."""
    who.require(RECEIPT_ROLES, "print a registration receipt")
    case = readable_case(request, ledger, who, case_id)
    return Response(
        receipt_pdf(request, case, body.query_code), media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="case-{case_id}-receipt.pdf"', "Cache-Control": "no-store"},
    )  # fmt: skip
