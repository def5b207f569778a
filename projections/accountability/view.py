"""Accountability register (问责): one row per measure, with the target and the case's scope then.

A correction of the measure or its basis updates the row. The target's unit path comes from the
target unit named on the event only: a leader's post can change, and a rebuild must give the same rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

from domain import case_events as ev
from domain.application import LedgerApplication
from projections.case_status.context import (
    SCOPE_COLUMNS,
    SET_REGISTERED_AT,
    CaseContexts,
    keyset_after,
    local_day,
    registration_moved,
    touched_cases,
    utc_text,
)
from projections.engine.database import Tx
from projections.engine.view import ViewEvent
from projections.reference_data.units import UnitPaths

RECORDS = "accountability_records"
CONTEXT = "accountability_case_context"

INSERT_RECORD = (
    "INSERT INTO {t} (case_id, version, position, occurred_at, day, measure, basis, decided_by, "
    f"target_leader_id, target_unit_code, target_unit_path, rectify_by, {', '.join(SCOPE_COLUMNS)}) "
    f"VALUES ({', '.join('?' * (12 + len(SCOPE_COLUMNS)))})"
)
SET_FIELD: dict[str, str] = {
    "measure": "UPDATE {t} SET measure = ? WHERE case_id = ? AND version = ?",
    "basis": "UPDATE {t} SET basis = ? WHERE case_id = ? AND version = ?",
}
COLUMNS = (
    "case_id", "version", "position", "occurred_at", "measure", "basis", "decided_by",
    "target_leader_id", "target_unit_code", "rectify_by",
)  # fmt: skip


class AccountabilityView:
    """Every accountability measure, by target leader, target unit and period."""

    name: ClassVar[str] = "accountability"
    tables: ClassVar[tuple[str, ...]] = (RECORDS, CONTEXT)

    def __init__(self, ledger: LedgerApplication) -> None:
        self._paths = UnitPaths(ledger)

    def apply(self, tx: Tx, batch: list[ViewEvent]) -> None:
        contexts = CaseContexts(CONTEXT, self._paths)
        contexts.load(tx, touched_cases(batch, (ev.AccountabilityRecorded,)))
        records: list[tuple[Any, ...]] = []
        updates: dict[str, list[tuple[Any, ...]]] = {}
        for e in batch:
            contexts.advance(e)
            event = e.event
            if isinstance(event, ev.AccountabilityRecorded):
                context = contexts.get(e.originator_id)
                records.append((
                    str(e.originator_id), e.version, e.position, utc_text(event.occurred_at),
                    local_day(event.occurred_at), str(event.measure), event.basis, event.decided_by,
                    event.target_leader_id, event.target_unit_code, self._paths.path(event.target_unit_code),
                    None if event.rectify_by is None else event.rectify_by.isoformat(),  # 0032
                    *context.scope(),
                ))  # fmt: skip
            elif moved := registration_moved(e):
                updates.setdefault(SET_REGISTERED_AT, []).append(moved)
            elif (
                isinstance(event, ev.Corrected)
                and event.target_type == "AccountabilityRecorded"
                and event.field in SET_FIELD
            ):
                row = (str(event.new_value), str(e.originator_id), event.target_version)
                updates.setdefault(SET_FIELD[event.field], []).append(row)
        contexts.save(tx)
        table = tx.table(RECORDS)
        tx.executemany(INSERT_RECORD.format(t=table), records)
        for statement, rows in updates.items():
            tx.executemany(statement.format(t=table), rows)


def register_page(
    tx: Tx, where: str, params: Sequence[Any], *, limit: int, after: tuple[str, int] | None
) -> list[dict[str, Any]]:
    """Newest first (occurred_at, then position); `after` is the last row of the previous page."""
    keyset, keyset_params = keyset_after(after)
    tx.execute(
        f"SELECT {', '.join(COLUMNS)} FROM {tx.table(RECORDS)} WHERE {where} AND {keyset} "
        "ORDER BY occurred_at DESC, position DESC LIMIT ?",
        (*params, *keyset_params, limit),
    )
    return [dict(zip(COLUMNS, row, strict=True)) for row in tx.fetchall()]
