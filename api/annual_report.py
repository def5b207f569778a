"""The annual report of 第四十一条 for a year and a unit subtree: what it counts, read from the views.

Every count is an aggregate over the reader's scope (`Access.counted`, as the key figures: an
accusation whose accused side the reader is on is counted, never named, DOMAIN.md R1). Cases
count when registered in the year and received or held (now) within the unit's subtree; the key
figures are those of `GET /api/v1/figures` for the year and the unit, read by the same function.
The accused units alone are counted over the accusations the reader may open (`Access.rows`).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from api.access import Access
from domain.policy import CHINA_TZ
from domain.store import EVENTS_TABLE_POSTGRES, EVENTS_TABLE_SQLITE
from projections.case_status.context import utc_text
from projections.engine.database import Tx
from projections.engine.sqltypes import db_date, db_time, subtree_pattern
from projections.figures.query import Filters, figures_report

STATUS_TABLE = "case_status"
RECOMMENDATIONS_TABLE = "recommendations"
TOP_UNITS = 10
_CHUNK = 500
# Event types counted as 转送, 交办 and 督办 (with 改派 as a further assignment).
WORK_EVENTS = {
    "transfers": ("Transferred",),
    "assignments": ("Assigned", "Reassigned"),
    "supervision": ("SupervisionIssued",),
    "supervision_answers": ("SupervisionAnswered",),
}


@dataclass
class Recommendations:
    """建议 (第三十九条、第四十条) and the units' feedback on their adoption."""

    issued: int = 0
    adopted: int = 0
    by_kind: dict[str, int] = field(default_factory=dict)
    note: str | None = None


def recommendations_for(tx: Tx, year: int, unit_path: str) -> Recommendations:
    """The year's recommendations (第四十条) to units in the subtree, by kind, and how many the
    units adopted. Counts only: a recommendation names no case or party, and the report goes
    beyond the units it concerns."""
    start, end = (
        utc_text(datetime(y, 1, 1, tzinfo=CHINA_TZ)) for y in (year, year + 1)
    )  # the office's year, in the view's UTC text
    tx.execute(
        f"SELECT kind, COUNT(*) AS issued, SUM(CASE WHEN adopted THEN 1 ELSE 0 END) AS adopted "
        f"FROM {tx.table(RECOMMENDATIONS_TABLE)} WHERE target_path LIKE ? ESCAPE '\\' "
        "AND issued_at >= ? AND issued_at < ? GROUP BY kind ORDER BY kind",
        [subtree_pattern(unit_path), start, end],
    )
    rows = [(str(kind), int(issued), int(adopted or 0)) for kind, issued, adopted in tx.fetchall()]
    return Recommendations(
        issued=sum(r[1] for r in rows), adopted=sum(r[2] for r in rows), by_kind={r[0]: r[1] for r in rows}
    )


@dataclass
class AnnualReport:
    year: int
    unit_code: str
    unit_name: str
    registered: int
    by_kind: dict[str, int]
    by_channel: dict[str, int]
    accepted: int
    answered: int
    closed: int
    by_category: dict[str, int]
    by_holding_unit: list[tuple[str, int]]
    by_accused_unit: list[tuple[str, int]]
    work: dict[str, int]
    figures: dict[str, Any]
    recommendations: Recommendations


def build(
    tx: Tx, access: Access, *, year: int, unit_code: str, unit_name: str, unit_path: str, today: date
) -> AnnualReport:
    start, end = date(year, 1, 1), date(year, 12, 31)
    scope = access.counted()
    where = (
        f"({scope.where}) AND registered_on >= ? AND registered_on <= ? "
        "AND (received_path LIKE ? ESCAPE '\\' OR unit_path LIKE ? ESCAPE '\\')"
    )
    params = [*scope.params, db_date(tx.postgres, start), db_date(tx.postgres, end),
              subtree_pattern(unit_path), subtree_pattern(unit_path)]  # fmt: skip
    tx.execute(
        f"SELECT case_id, kind, channel, category, unit_code, accused_unit, accepted_at, answered_at, closed_at "
        f"FROM {tx.table(STATUS_TABLE)} WHERE {where}",
        params,
    )
    rows = tx.fetchall()
    kinds: Counter[str] = Counter()
    channels: Counter[str] = Counter()
    categories: Counter[str] = Counter()
    holding: Counter[str] = Counter()
    accused: Counter[str] = Counter()
    accepted = answered = closed = 0
    for _case_id, kind, channel, category, unit, _accused, accepted_at, answered_at, closed_at in rows:
        kinds[kind or "—"] += 1
        channels[channel or "—"] += 1
        categories[category or "—"] += 1
        if unit:
            holding[unit] += 1
        accepted += accepted_at is not None
        answered += answered_at is not None
        closed += closed_at is not None
    # Which units are accused is the accusation's own matter (第三十条): counted only over the
    # accusations the reader may open, so an accused unit never learns of one against itself.
    readable = access.rows(lambda t: db_time(tx.postgres, t))
    tx.execute(
        f"SELECT accused_unit, COUNT(*) FROM {tx.table(STATUS_TABLE)} WHERE {where} AND ({readable.where}) "
        "AND accused_unit IS NOT NULL GROUP BY accused_unit",
        [*params, *readable.params],
    )
    accused.update({str(unit): int(n) for unit, n in tx.fetchall()})
    figure_scope = access.counted(alias="f")
    figures = figures_report(tx, Filters(start, end, unit_path), (figure_scope.where, figure_scope.params),
                             today=today)["figures"]  # fmt: skip
    return AnnualReport(
        year=year, unit_code=unit_code, unit_name=unit_name, registered=len(rows),
        by_kind=dict(kinds.most_common()), by_channel=dict(channels.most_common()),
        accepted=accepted, answered=answered, closed=closed,
        by_category=dict(categories.most_common()),
        by_holding_unit=holding.most_common(TOP_UNITS), by_accused_unit=accused.most_common(TOP_UNITS),
        work=_work_counts(tx, [str(r[0]) for r in rows]),
        figures=figures,
        recommendations=recommendations_for(tx, year, unit_path),
    )  # fmt: skip


def _work_counts(tx: Tx, case_ids: list[str]) -> dict[str, int]:
    """转送, 交办 and 督办 events on the year's cases, counted by type in the ledger."""
    topics: Counter[str] = Counter()
    for i in range(0, len(case_ids), _CHUNK):
        chunk = case_ids[i : i + _CHUNK]
        if tx.postgres:
            tx.execute(
                f"SELECT topic, COUNT(*) FROM {EVENTS_TABLE_POSTGRES} WHERE originator_id = ANY(?::uuid[]) "
                "GROUP BY topic",
                (chunk,),
            )
        else:
            marks = ",".join("?" * len(chunk))
            tx.execute(
                f"SELECT topic, COUNT(*) FROM {EVENTS_TABLE_SQLITE} WHERE originator_id IN ({marks}) "
                "GROUP BY topic",
                [c.replace("-", "") for c in chunk],
            )
        for topic, count in tx.fetchall():
            topics[str(topic).rsplit(":", 1)[-1].rsplit(".", 1)[-1]] += int(count)
    return {name: sum(topics[t] for t in types) for name, types in WORK_EVENTS.items()}
