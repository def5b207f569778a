"""The whole ledger verified within one request: every chain, every checkpoint root and signature."""

from __future__ import annotations

from typing import Any

from fastapi import Request

from api.auth import Principal
from api.permissions import LEDGER_ROLES
from api.signing import app_signing_keys
from domain.application import LedgerApplication
from domain.verify import verify_stored


def verify_ledger(request: Request, ledger: LedgerApplication, who: Principal) -> dict[str, Any]:
    """The report: the first bad event, and every case whose head a signed checkpoint contradicts."""
    who.require(LEDGER_ROLES, "verify the ledger")
    return verify_stored(ledger.recorder, app_signing_keys(request.app).trusted()).as_dict()
