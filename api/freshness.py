"""Read your writes: `min_position` on a query waits (bounded) until every view has applied it.

Use as a parameter of a query endpoint: `_: MinPosition = None` (or `min_position: MinPosition =
None`); the value is always None, the work is the wait. It declares the `min_position` query
parameter (integer ≥ 0) itself. A position beyond the ledger's head is a prompt 422.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Query, Request

from api.errors import ProblemError
from projections.engine.feed import ledger_position
from projections.engine.positions import PositionBoard


def wait_for_views(
    request: Request,
    min_position: Annotated[
        int | None,
        Query(ge=0, le=2**63 - 1, description="wait (briefly) until the views have applied this ledger position"),
    ] = None,
) -> None:
    """Plain `def`: FastAPI runs it in the thread pool, so the wait blocks no event loop."""
    if min_position is None:
        return
    board: PositionBoard = request.app.state.view_board
    # A position the ledger has not reached yet cannot be waited for: no wait would satisfy it.
    # The head is read once; the ledger only grows, so a position at or below it will be reached.
    head = ledger_position(request.app.state.ledger)
    if min_position > head:
        raise ProblemError(
            422, "validation_failed", f"min_position {min_position} is beyond the ledger's head ({head})",
            errors=[{"field": "min_position", "message": f"beyond the ledger's head ({head})"}], head=head,
        )  # fmt: skip
    timeout: float = request.app.state.settings.view_wait_seconds
    if board.wait_for(min_position, timeout):
        return
    raise ProblemError(
        503,
        "views_behind",
        f"the views have not reached ledger position {min_position} within {timeout:g} s; retry shortly",
        min_position=min_position,
        views={name: status.as_dict() for name, status in board.positions().items()},
    )


MinPosition = Annotated[None, Depends(wait_for_views)]
