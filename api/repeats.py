"""Possible repeats at registration (重信重访, DOMAIN.md R10): earlier cases of the same petitioner,
found by a hash of the id number in the case status view (projections/case_status/identities.py).

The look-up reads the views, so it first waits, briefly, for them to reach the ledger's head: a
case registered a moment ago is found. Past the wait it answers from what the views hold, rather
than refuse a registration because a view is slow.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from fastapi import Request

from api.access import Access
from api.view_query import view_database
from domain.identity import identity_hashes
from domain.values import Petitioner
from projections.case_status import identities as case_identities
from projections.engine.feed import ledger_position
from projections.engine.positions import PositionBoard
from projections.engine.sqltypes import db_time

MAX_WAIT_SECONDS = 1.0


@dataclass(frozen=True)
class RepeatLookup:
    """What registration learns of a petitioner's earlier cases."""

    terminated_on_record: bool = False
    visible: list[dict[str, Any]] = field(default_factory=list)

    def possible_repeats(self, new_case_id: str) -> list[dict[str, Any]]:
        return [c for c in self.visible if c["case_id"] != new_case_id]


def look_up(request: Request, access: Access, petitioners: tuple[Petitioner, ...]) -> RepeatLookup:
    """Earlier cases of these petitioners: whether any was terminated (every case counts, none is
    named), and those the registrar may read (case_id, status, registered_on: no personal data)."""
    hashes = identity_hashes(petitioners)
    if not hashes:
        return RepeatLookup()
    board: PositionBoard = request.app.state.view_board
    wait = min(MAX_WAIT_SECONDS, float(request.app.state.settings.view_wait_seconds))
    board.wait_for(ledger_position(request.app.state.ledger), wait)
    db = view_database(request)
    scope = access.rows(lambda t: db_time(db.postgres, t), alias="s")
    with db.transaction(write=False) as tx:
        terminated = case_identities.any_terminated(tx, hashes)
        visible = case_identities.earlier_cases(tx, hashes, scope.where, scope.params)
    return RepeatLookup(terminated, visible)
