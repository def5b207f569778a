"""A case's evidence bundle (JSON) and printable dossier (PDF) for discipline inspectors: the
routes of api/reads/evidence.py, which says who may export and how each export is recorded."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, Request, Response

from api.auth import CurrentUser, Ledger
from api.reads.evidence import dossier_file, evidence_file

router = APIRouter(prefix="/api/v1/cases", tags=["evidence"])
Purpose = Annotated[str | None, Query(max_length=200, description="why the case is exported (recorded)")]


@router.get("/{case_id}/evidence")
def evidence(
    case_id: UUID, request: Request, ledger: Ledger, who: CurrentUser, purpose: Purpose = None
) -> Response:
    """The evidence bundle: stored events, hashes, clocks, documents, checkpoint, inclusion proofs, public key.

    Check it offline with `xinfang verify-bundle FILE --public-key KEY`. The export is recorded in the case.
    """
    return evidence_file(request, ledger, who, case_id, purpose)


@router.get("/{case_id}/dossier.pdf", response_class=Response)
def dossier(
    case_id: UUID, request: Request, ledger: Ledger, who: CurrentUser, purpose: Purpose = None
) -> Response:
    """The printable dossier (PDF) of the case's timeline with its integrity status. The export is recorded."""
    return dossier_file(request, ledger, who, case_id, purpose)
