"""Reading the case status view in tests."""

from __future__ import annotations

from typing import Any

from domain.application import LedgerApplication
from projections.case_status.queries import At, select_cases
from projections.engine.database import ViewDatabase


def rows(
    ledger: LedgerApplication, at: At | None = None, where: str = "1=1", *params: Any
) -> list[dict[str, Any]]:
    with ViewDatabase(ledger.store).transaction(write=False) as tx:
        return select_cases(tx, at or At(), where, list(params), order="registered", limit=10_000, after=None)


def row(ledger: LedgerApplication, case_id: Any, at: At | None = None) -> dict[str, Any] | None:
    found = rows(ledger, at, "case_id = ?", str(case_id))
    return found[0] if found else None
