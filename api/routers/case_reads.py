"""Reading one case from the ledger: its state now, after event N, as of a time, and its timeline
(api/reads/cases.py; this module parses the parameters and offers the timeline as xlsx)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Query, Request

from api import list_exports
from api.auth import CurrentUser, Ledger
from api.reads.cases import case_state, case_timeline

router = APIRouter(prefix="/api/v1/cases", tags=["case reads"])

Unmask = Annotated[bool, Query(description="show id numbers and phones; the read is recorded in the ledger")]
Purpose = Annotated[
    str | None, Query(max_length=200, description="why unmasked data is needed (required to unmask)")
]
AsOf = Annotated[datetime | None, Query(description="the case in the world at this time (by occurred_at)")]
KnownAt = Annotated[
    datetime | None, Query(description="the case as the ledger knew it at this time (recorded)")
]


@router.get("/{case_id}")
def get_case(
    case_id: UUID, request: Request, ledger: Ledger, who: CurrentUser,
    version: Annotated[int | None, Query(ge=1, description="the case after event N")] = None,
    as_of: AsOf = None, known_at: KnownAt = None, unmask: Unmask = False, purpose: Purpose = None,
) -> dict[str, Any]:  # fmt: skip
    """The case now, after event `version`, as of a time in the world, or as the ledger knew it then."""
    return case_state(
        request,
        ledger,
        who,
        case_id,
        version=version,
        as_of=as_of,
        known_at=known_at,
        unmask=unmask,
        purpose=purpose,
    )


@router.get("/{case_id}/timeline")
def timeline(
    case_id: UUID, request: Request, ledger: Ledger, who: CurrentUser,
    unmask: Unmask = False, purpose: Purpose = None, format: list_exports.Format = None,
) -> Any:  # fmt: skip
    """Every event in order, with both times, actor, reason, corrections and hashes; `chain_ok` re-checked now."""
    body = case_timeline(request, ledger, who, case_id, unmask=unmask, purpose=purpose)
    return list_exports.timeline(body, list_exports.Names.read(request)) if format == "xlsx" else body
