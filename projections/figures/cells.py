"""The key figures pre-aggregated into cells (migrations 0008), kept by the figures view.

GET /figures summed every case row of the period on each call (six scans of figures_cases),
so it grew with the number of cases. A cell holds the counts of projections/figures/measures.py
for one kind of date, one day or one month, one category and one value of each reader-scope
unit column (received_path, unit_path): a period is summed from whole-month cells plus the day
cells of its partial months (projections/figures/cells_query.py), so a call reads a number of
cells bounded by the county's units, categories and days, not its cases. Cells have no leader
column (it would triple them); a reader scope that names a leader is answered by the scan.

`FiguresWithCells` is the figures view plus this: after the view rewrites a batch's cases
(and the earlier cases their repeat links update), each such case's contribution is
re-derived from its new rows; the cells get the difference from what the case added before
(kept in figures_cell_cases), and cells left at zero are deleted, so the cells are always the
same as a rebuild from position 0 would make them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any, ClassVar
from uuid import UUID

from domain.case_events import CaseEvent
from projections.engine.database import Tx
from projections.engine.sqltypes import py_date
from projections.engine.view import ViewEvent
from projections.figures.measures import MEASURES
from projections.figures.view import FiguresView, day_param, id_param

GRAINS = ("day", "month")
CHUNK = 500  # case ids per IN (...) list
KEY = ("kind", "grain", "bucket", "category", "received_path", "unit_path")
COUNTS = ("n", "n1", "n2", "n3")
# (kind, grain, bucket, category, received_path, unit_path)
Cell = tuple[str, str, date, str, str, str]


def _chunks(ids: Sequence[UUID]) -> Iterable[Sequence[UUID]]:
    for i in range(0, len(ids), CHUNK):
        yield ids[i : i + CHUNK]


def _bucket(grain: str, day: date) -> date:
    return day if grain == "day" else day.replace(day=1)


def _contributions(tx: Tx, ids: Sequence[UUID]) -> dict[str, dict[Cell, list[int]]]:
    """case id -> cell -> what the case's current figures rows add to it."""
    out: dict[str, dict[Cell, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0, 0, 0, 0]))
    tables = {"cases": tx.table("figures_cases"), "visits": tx.table("figures_visits")}
    for chunk in _chunks(ids):
        marks = ",".join("?" * len(chunk))
        for m in MEASURES:
            sums = "".join(f", SUM(CASE WHEN {c} THEN 1 ELSE 0 END)" for c in m.sums)
            tx.execute(
                f"SELECT f.case_id, {m.column}, f.category, COALESCE(f.received_path, ''), "
                f"COALESCE(f.unit_path, ''), COUNT(*){sums} "
                f"{m.source.format(**tables)} WHERE {m.column} IS NOT NULL AND f.case_id IN ({marks}) "
                "GROUP BY 1, 2, 3, 4, 5",
                [id_param(tx, c) for c in chunk],
            )
            for case_id, day, category, received, unit, *values in tx.fetchall():
                on = py_date(day)
                assert on is not None
                for grain in GRAINS:
                    counts = out[str(case_id)][(m.kind, grain, _bucket(grain, on), category, received, unit)]
                    for i, value in enumerate(values):
                        counts[i] += int(value or 0)
    return out


def _kept(tx: Tx, ids: Sequence[UUID]) -> dict[str, dict[Cell, list[int]]]:
    """case id -> cell -> what the case added when its rows were last written."""
    out: dict[str, dict[Cell, list[int]]] = defaultdict(dict)
    for chunk in _chunks(ids):
        tx.execute(
            f"SELECT case_id, {', '.join(KEY)}, {', '.join(COUNTS)} FROM {tx.table('figures_cell_cases')} "
            f"WHERE case_id IN ({','.join('?' * len(chunk))})",
            [id_param(tx, c) for c in chunk],
        )
        for case_id, kind, grain, bucket, category, received, unit, *counts in tx.fetchall():
            day = py_date(bucket)
            assert day is not None
            out[str(case_id)][(kind, grain, day, category, received, unit)] = [int(v) for v in counts]
    return out


def refresh_cells(tx: Tx, case_ids: Sequence[UUID]) -> None:
    """Bring the cells up to date with these cases' current figures rows."""
    ids = list(dict.fromkeys(case_ids))
    if not ids:
        return
    new, old = _contributions(tx, ids), _kept(tx, ids)
    delta: dict[Cell, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    rewritten: list[UUID] = []  # cases whose figures_cell_cases rows differ from what is kept
    rows: list[tuple[Any, ...]] = []  # and their rows now
    for case_id in ids:
        now, before = new.get(str(case_id), {}), old.get(str(case_id), {})
        for cell, counts in now.items():
            delta[cell] = [d + c for d, c in zip(delta[cell], counts, strict=True)]
        for cell, counts in before.items():
            delta[cell] = [d - c for d, c in zip(delta[cell], counts, strict=True)]
        # Most batches change nothing a case contributes (a note, a progress step): only a
        # case whose contributions differ has its rows rewritten.
        if now != before:
            rewritten.append(case_id)
            rows += [(id_param(tx, case_id), *_key_params(tx, cell), *counts) for cell, counts in now.items()]
    changed = {cell: counts for cell, counts in delta.items() if any(counts)}
    cases, cells = tx.table("figures_cell_cases"), tx.table("figures_cells")
    tx.delete_keys(cases, "case_id", "uuid", [id_param(tx, c) for c in rewritten])
    tx.insert_rows(cases, ("case_id", *KEY, *COUNTS), rows)
    _add_to_cells(tx, cells, [(*_key_params(tx, cell), *counts) for cell, counts in changed.items()])
    # A cell no case contributes to any more is not kept at zero: a rebuild would not make it.
    # Only a cell that lost counts can have fallen to zero.
    tx.executemany(
        f"DELETE FROM {cells} WHERE {' AND '.join(f'{k} = ?' for k in KEY)} "
        f"AND {' AND '.join(f'{c} = 0' for c in COUNTS)}",
        [_key_params(tx, cell) for cell, counts in changed.items() if min(counts) < 0],
    )


# The cells' columns as PostgreSQL arrays, for one set-based upsert per batch.
_CELL_TYPES = ("text", "text", "date", "text", "text", "text", "int", "int", "int", "int")


def _add_to_cells(tx: Tx, cells: str, deltas: list[tuple[Any, ...]]) -> None:
    """Add each delta to its cell (a new cell starts from it): one statement on PostgreSQL."""
    if not deltas:
        return
    columns = ", ".join((*KEY, *COUNTS))
    added = ", ".join(f"{c} = {cells}.{c} + excluded.{c}" for c in COUNTS)
    conflict = f"ON CONFLICT ({', '.join(KEY)}) DO UPDATE SET {added}"
    if tx.postgres:  # each cell once in `deltas` (a dict's items), as one INSERT must have it
        arrays = ", ".join(f"?::{t}[]" for t in _CELL_TYPES)
        tx.execute(
            f"INSERT INTO {cells} ({columns}) SELECT * FROM unnest({arrays}) {conflict}",
            [list(column) for column in zip(*deltas, strict=True)],
        )
    else:
        tx.executemany(
            f"INSERT INTO {cells} ({columns}) VALUES ({', '.join('?' * len(_CELL_TYPES))}) {conflict}", deltas
        )


def _key_params(tx: Tx, cell: Cell) -> tuple[Any, ...]:
    kind, grain, bucket, *scope = cell
    return (kind, grain, day_param(tx, bucket), *scope)


class FiguresWithCells(FiguresView):
    """The figures view, and its cells kept up to date in the same transaction."""

    tables: ClassVar[tuple[str, ...]] = (*FiguresView.tables, "figures_cells", "figures_cell_cases")

    def apply(self, tx: Tx, batch: list[ViewEvent]) -> None:
        super().apply(tx, batch)
        touched = list(dict.fromkeys(e.originator_id for e in batch if isinstance(e.event, CaseEvent)))
        if touched:
            refresh_cells(tx, [*touched, *self._earlier(tx, touched)])

    @staticmethod
    def _earlier(tx: Tx, later: Sequence[UUID]) -> list[UUID]:
        """The earlier cases the touched ones are linked to as repeats (their repeat counts moved)."""
        found: list[UUID] = []
        for chunk in _chunks(later):
            tx.execute(
                f"SELECT earlier_case_id FROM {tx.table('figures_repeats')} "
                f"WHERE later_case_id IN ({','.join('?' * len(chunk))})",
                [id_param(tx, c) for c in chunk],
            )
            found += [r[0] if isinstance(r[0], UUID) else UUID(str(r[0])) for r in tx.fetchall()]
        return found
