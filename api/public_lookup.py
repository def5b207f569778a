"""The petitioner's own look-up and rating (第二十一条: 方便信访人查询、评价), shared by the API and /q.

No token: the case id and the query code are the credential. What a right pair reads is the
progress a written notice would tell the petitioner (status, the unit holding the case, the due
dates, the answer date), never the petitioners' data, the content or subject, notes, the accused
side of an accusation or any leader's or officer's name. Every wrong pair (no such case, a wrong
code, a case without a code, a case id that is not one) answers the same 404 with the same body
after the same scrypt work; repeated failures answer 429 (api/public_limit.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any
from uuid import UUID, uuid4

from fastapi import Request

from api.auth import client_address
from api.errors import ProblemError
from api.public_limit import PublicLookupLimiter, address_subject, case_subject
from domain.application import CommandResult, LedgerApplication
from domain.case import Case
from domain.clocks import compute_clocks
from domain.context import command_context, current_context
from domain.errors import CaseNotFound, InvalidInput, NotFound
from domain.policy import local_date
from domain.query_code import normalised, shown, verify_query_code
from domain.values import PUBLIC_ACTOR
from domain.vocabulary import ContactMethod, Role, Satisfaction, Status

NOT_FOUND = "no case matches this case id and query code"
# The clocks that are the petitioner's business: what the notices and the answer promise him.
PUBLIC_CLOCKS = (
    "screening", "handling", "review_request_window", "review_decision",
    "re_review_request_window", "re_review_decision",
)  # fmt: skip
COMMENT_MAX = 500


def wrong_pair() -> ProblemError:
    """The one answer for every wrong pair: same status, code and body."""
    return ProblemError(404, "case_not_found", NOT_FOUND)


def _case_key(typed: str) -> str | None:
    try:
        return str(UUID("".join(typed.split())))
    except ValueError:
        return None


def _limiter(request: Request) -> PublicLookupLimiter:
    limiter: PublicLookupLimiter = request.app.state.public_limiter
    return limiter


def checked_case(request: Request, case_id: str, query_code: str) -> Case:
    """The case, if `query_code` is its code; else 404 (counted) or 429 while limited."""
    ledger: LedgerApplication = request.app.state.ledger
    key = _case_key(case_id)
    subjects = [address_subject(client_address(request))] + ([case_subject(key)] if key else [])
    limiter = _limiter(request)
    wait = limiter.retry_after(subjects)
    if wait is not None:
        raise ProblemError(
            429, "too_many_failed_lookups",
            f"too many wrong case ids or query codes; retry in {wait} s",
            headers={"Retry-After": str(wait)}, retry_after_seconds=wait,
        )  # fmt: skip
    case: Case | None = None
    if key is not None:
        try:
            case = ledger.get_case(UUID(key))
        except CaseNotFound:
            case = None
    if not verify_query_code(query_code, case.query_code_hash if case is not None else None):
        limiter.record_failure(subjects)
        raise wrong_pair()
    assert case is not None
    return case


@dataclass(frozen=True)
class PublicProgress:
    case_id: str
    status: Status
    registered_on: date | None
    holding_unit: str | None
    referred_to: str | None
    due_dates: list[dict[str, Any]]
    answered_on: date | None
    may_rate: bool

    def as_dict(self) -> dict[str, Any]:
        return {
            "case_id": self.case_id, "status": self.status.value, "registered_on": self.registered_on,
            "holding_unit": self.holding_unit, "referred_to": self.referred_to, "due_dates": self.due_dates,
            "answered_on": self.answered_on, "may_rate": self.may_rate,
        }  # fmt: skip


def _unit_name(ledger: LedgerApplication, code: str | None) -> str | None:
    if not code:
        return None
    try:
        return ledger.get_unit(code).name
    except NotFound:
        return None


def progress(ledger: LedgerApplication, case: Case) -> PublicProgress:
    """What the petitioner may read of his case (nothing personal, nothing internal)."""
    holder = case.unit_code or case.accepting_unit or case.received_unit
    referred_to = None
    if case.status is Status.TRANSFERRED and case.transferred_to:
        referred_to = _unit_name(ledger, case.transferred_to) or case.transferred_to
    elif case.status is Status.DIVERTED and case.diverted_to:
        referred_to = case.diverted_to[1]
    clocks = compute_clocks(ledger.case_events(case.id, lte=case.version), at=current_context().now)
    due = [
        {"clock": c.name, "due_on": c.due_on, "state": c.state, "done_on": c.stopped_on}
        for c in clocks
        if c.name in PUBLIC_CLOCKS
    ]
    return PublicProgress(
        case_id=str(case.id),
        status=case.status,
        registered_on=local_date(case.registered_at) if case.registered_at else None,
        holding_unit=_unit_name(ledger, holder),
        referred_to=referred_to,
        due_dates=due,
        answered_on=case.answer_delivered_on,
        may_rate=case.status is Status.ANSWERED and case.answer_outcome is not None,
    )


def rate(request: Request, case: Case, satisfaction: Satisfaction, comment: str | None) -> CommandResult:
    """The petitioner's rating, recorded as a return visit by the public principal, under the
    return visit's own rules (after the answer, while the case is answered)."""
    ledger: LedgerApplication = request.app.state.ledger
    verified = case.query_code_hash

    def same_code(current: Case) -> None:  # a reissue in between ends the old code's rights
        if current.query_code_hash != verified:
            raise wrong_pair()

    request_id = (request.headers.get("x-request-id") or str(uuid4()))[:128]
    params = {"satisfaction": satisfaction, "signed": False, "method": ContactMethod.SELF_SERVICE,
              "comment": comment or None}  # fmt: skip
    with command_context(actor=PUBLIC_ACTOR, occurred_at=None, reason=None, request_id=request_id):
        return ledger.execute(case.id, "return-visit", params, authorize=same_code)


RECEIPT_ROLES = frozenset({Role.REGISTRAR})


def receipt_pdf(request: Request, case: Case, query_code: str) -> bytes:
    """The receipt of `case` carrying `query_code`, once the code is checked against the case."""
    from api.dossier import DossierFontMissing
    from api.receipt import Receipt, render_receipt

    if not verify_query_code(query_code, case.query_code_hash):
        raise InvalidInput("query_code is not this case's query code", field="query_code")
    code = normalised(query_code)
    assert code is not None and case.registered_at is not None
    ledger: LedgerApplication = request.app.state.ledger
    base = str(request.base_url).rstrip("/")
    receipt = Receipt(
        case_id=str(case.id), query_code=shown(code), registered_on=local_date(case.registered_at),
        received_unit=_unit_name(ledger, case.received_unit) or case.received_unit,
        lookup_url=f"{base}/q?case={case.id}", printed_at=current_context().now,
    )  # fmt: skip
    try:
        return render_receipt(receipt)
    except DossierFontMissing as exc:
        raise ProblemError(503, "font_missing", str(exc)) from None
