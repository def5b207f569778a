"""Recommendations of 第四十条 and the target unit's feedback: one row per recommendation.

The row holds the target unit's path as it was when issued (a rebuild must give the same rows)
and no case or party: the target unit reads it, and may be an accusation's accused side.
The feedback clock's state (awaiting, overdue) is judged at query time against the day asked.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any, ClassVar

from domain import recommendations as rec
from domain.application import LedgerApplication
from projections.case_status.context import utc_text
from projections.engine.database import Tx
from projections.engine.view import ViewEvent
from projections.reference_data.units import UnitPaths

TABLE = "recommendations"
COLUMNS = (
    "recommendation_id", "position", "kind", "target_unit_code", "target_path", "issuing_unit",
    "issued_by", "issued_at", "text", "feedback_due", "adopted", "feedback_text", "feedback_by",
    "feedback_at",
)  # fmt: skip
INSERT = f"INSERT INTO {{t}} ({', '.join(COLUMNS[:10])}) VALUES ({', '.join('?' * 10)})"
FEEDBACK = "UPDATE {t} SET adopted = ?, feedback_text = ?, feedback_by = ?, feedback_at = ? WHERE recommendation_id = ?"


class RecommendationsView:
    """Every recommendation with its feedback, by target unit subtree and issue time."""

    name: ClassVar[str] = "recommendations"
    tables: ClassVar[tuple[str, ...]] = (TABLE,)

    def __init__(self, ledger: LedgerApplication) -> None:
        self._paths = UnitPaths(ledger)

    def apply(self, tx: Tx, batch: list[ViewEvent]) -> None:
        issued: list[tuple[Any, ...]] = []
        feedback: list[tuple[Any, ...]] = []
        for e in batch:
            event = e.event
            if isinstance(event, rec.RecommendationIssued):
                issued.append((
                    str(e.originator_id), e.position, str(event.kind), event.target_unit_code,
                    self._paths.path(event.target_unit_code), event.issuing_unit, event.actor.user_id,
                    utc_text(event.occurred_at), event.text, event.feedback_due.isoformat(),
                ))  # fmt: skip
            elif isinstance(event, rec.RecommendationFeedbackGiven):
                feedback.append((
                    event.adopted, event.text, event.actor.user_id, utc_text(event.occurred_at),
                    str(e.originator_id),
                ))  # fmt: skip
        table = tx.table(TABLE)
        # Issued rows first: a batch may hold a recommendation and its feedback.
        tx.executemany(INSERT.format(t=table), issued)
        tx.executemany(FEEDBACK.format(t=table), feedback)


def state_of(row: dict[str, Any], today: date) -> str:
    """adopted / not_adopted once the unit fed back; before, awaiting or overdue (its clock)."""
    if row["adopted"] is not None:
        return "adopted" if row["adopted"] else "not_adopted"
    return "overdue" if date.fromisoformat(row["feedback_due"]) < today else "awaiting"


def select_recommendations(
    tx: Tx, where: str, params: Sequence[Any], *, limit: int, after: tuple[str, int] | None
) -> list[dict[str, Any]]:
    """Newest first (issue time, then position); `after` is the last row of the previous page."""
    keyset, keyset_params = ("1=1", ()) if after is None else (
        "(issued_at < ? OR (issued_at = ? AND position < ?))", (after[0], after[0], after[1])
    )  # fmt: skip
    tx.execute(
        f"SELECT {', '.join(COLUMNS)} FROM {tx.table(TABLE)} WHERE {where} AND {keyset} "
        "ORDER BY issued_at DESC, position DESC LIMIT ?",
        (*params, *keyset_params, limit),
    )
    rows = [dict(zip(COLUMNS, row, strict=True)) for row in tx.fetchall()]
    for row in rows:
        row["adopted"] = None if row["adopted"] is None else bool(row["adopted"])
    return rows
