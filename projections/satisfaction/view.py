"""Satisfaction records: one row per return visit, with the leader and unit holding the case then.

A correction of the visit (satisfaction, signed, method, comment, occurred_at) updates its row;
a correction of the case's category updates every row of the case. Rates are read by
projections/satisfaction/rates.py.
"""

from __future__ import annotations

from typing import Any, ClassVar

from domain import case_events as ev
from domain.application import LedgerApplication
from domain.corrections import typed_value
from projections.case_status.context import (
    SCOPE_COLUMNS,
    SET_REGISTERED_AT,
    CaseContexts,
    local_day,
    registration_moved,
    touched_cases,
    utc_text,
)
from projections.engine.database import Tx
from projections.engine.view import ViewEvent
from projections.reference_data.units import UnitPaths

RECORDS = "satisfaction_records"
CONTEXT = "satisfaction_case_context"

INSERT_RECORD = (
    "INSERT INTO {t} (case_id, version, position, occurred_at, day, month, satisfaction, signed, "
    f"method, comment, unit_code, category, {', '.join(SCOPE_COLUMNS)}) "
    f"VALUES ({', '.join('?' * (12 + len(SCOPE_COLUMNS)))})"
)
SET_CATEGORY = "UPDATE {t} SET category = ? WHERE case_id = ?"
# A corrected field of one visit → the statement that applies it (values first, then the key).
SET_VISIT_FIELD: dict[str, str] = {
    "satisfaction": "UPDATE {t} SET satisfaction = ? WHERE case_id = ? AND version = ?",
    "signed": "UPDATE {t} SET signed = ? WHERE case_id = ? AND version = ?",
    "method": "UPDATE {t} SET method = ? WHERE case_id = ? AND version = ?",
    "comment": "UPDATE {t} SET comment = ? WHERE case_id = ? AND version = ?",
    "occurred_at": "UPDATE {t} SET occurred_at = ?, day = ?, month = ? WHERE case_id = ? AND version = ?",
}


def _visit_values(field: str, json_value: Any) -> tuple[Any, ...]:
    value = typed_value(ev.ReturnVisitRecorded, field, json_value)
    if field == "occurred_at":
        day = local_day(value)
        return (utc_text(value), day, day[:7])
    if field == "signed":
        return (bool(value),)
    return (None if value is None else str(value),)


class SatisfactionView:
    """Every return visit, as recorded and corrected, for listings and rates."""

    name: ClassVar[str] = "satisfaction"
    tables: ClassVar[tuple[str, ...]] = (RECORDS, CONTEXT)

    def __init__(self, ledger: LedgerApplication) -> None:
        self._paths = UnitPaths(ledger)

    def apply(self, tx: Tx, batch: list[ViewEvent]) -> None:
        contexts = CaseContexts(CONTEXT, self._paths)
        contexts.load(tx, touched_cases(batch, (ev.ReturnVisitRecorded,)))
        records: list[tuple[Any, ...]] = []
        # Corrections run after the inserts, in ledger order per statement (the last one wins).
        updates: dict[str, list[tuple[Any, ...]]] = {}
        for e in batch:
            contexts.advance(e)
            event = e.event
            if isinstance(event, ev.ReturnVisitRecorded):
                records.append(self._record(e, event, contexts))
            elif moved := registration_moved(e):
                updates.setdefault(SET_REGISTERED_AT, []).append(moved)
            elif isinstance(event, ev.Corrected):
                key = (str(e.originator_id),)
                if (event.target_type, event.field) == ("Registered", "category"):
                    updates.setdefault(SET_CATEGORY, []).append((str(event.new_value), *key))
                elif event.target_type == "ReturnVisitRecorded" and event.field in SET_VISIT_FIELD:
                    values = _visit_values(event.field, event.new_value)
                    statement = SET_VISIT_FIELD[event.field]
                    updates.setdefault(statement, []).append((*values, *key, event.target_version))
        contexts.save(tx)
        table = tx.table(RECORDS)
        tx.executemany(INSERT_RECORD.format(t=table), records)
        for statement, rows in updates.items():
            tx.executemany(statement.format(t=table), rows)

    @staticmethod
    def _record(e: ViewEvent, event: ev.ReturnVisitRecorded, contexts: CaseContexts) -> tuple[Any, ...]:
        context = contexts.get(e.originator_id)
        day = local_day(event.occurred_at)
        return (
            str(e.originator_id), e.version, e.position, utc_text(event.occurred_at), day, day[:7],
            str(event.satisfaction), bool(event.signed), str(event.method), event.comment,
            context.unit_code, context.category, *context.scope(),
        )  # fmt: skip
