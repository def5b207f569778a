"""Reading receptions (领导接访) and campaign boards (积案销号) for the API and pages (issue 21).

Receptions and campaigns are rows of the reference-data view (projections/reference_data/view.py);
the cases are the case status view's (`reception_id`, `campaigns`, `campaigns_cleared`). Callers
pass the reader's scope as SQL (api/access.py): `rows` where cases are listed, `counted` where
they are only counted, so no case appears to a reader who may not open it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

import orjson

from projections.case_status.view import STATUS
from projections.engine.database import Tx
from projections.engine.sqltypes import like_escape, py_date
from projections.reference_data.view import CAMPAIGNS, RECEPTIONS

MAX_RECEPTIONS = 500
# 化解 as the figures count it (R11): closed as resolved or mediated, the last visit not unsatisfied.
RESOLVED = (
    "status IN ('closed', 'archived') AND closure_type IN ('resolved', 'mediated') "
    "AND (satisfaction IS NULL OR satisfaction <> 'unsatisfied')"
)
CASE_FIELDS = ("case_id", "subject", "status", "registered_at", "unit_code", "leader_id", "closure_type")


def _marks(values: Sequence[Any]) -> str:
    return ", ".join("?" * len(values))


def receptions(
    tx: Tx, where: str, params: Sequence[Any], limit: int = MAX_RECEPTIONS
) -> list[dict[str, Any]]:
    """Receptions matching `where` (over the ref_receptions columns), newest first."""
    tx.execute(
        f"SELECT reception_id, leader_id, held_on, place, kind, unit_code, unit_codes, recorded_by "
        f"FROM {tx.table(RECEPTIONS)} WHERE {where} ORDER BY held_on DESC, reception_id LIMIT ?",
        [*params, limit],
    )
    return [
        {"reception_id": rid, "leader_id": leader, "held_on": py_date(held), "place": place, "kind": kind,
         "unit_code": unit, "unit_codes": orjson.loads(units), "recorded_by": by}
        for rid, leader, held, place, kind, unit, units, by in tx.fetchall()
    ]  # fmt: skip


def reception_cases(
    tx: Tx, reception_ids: Sequence[str], scope: str, scope_params: Sequence[Any]
) -> dict[str, list[dict[str, Any]]]:
    """reception id -> the cases registered there that the scope (`Access.rows`) lets the reader see."""
    if not reception_ids:
        return {}
    tx.execute(
        f"SELECT reception_id, {', '.join(CASE_FIELDS)} FROM {tx.table(STATUS)} "
        f"WHERE reception_id IN ({_marks(reception_ids)}) AND ({scope}) ORDER BY registered_at, case_id",
        [*reception_ids, *scope_params],
    )
    out: dict[str, list[dict[str, Any]]] = {}
    for reception_id, *values in tx.fetchall():
        out.setdefault(reception_id, []).append(dict(zip(CASE_FIELDS, values, strict=True)))
    return out


def reception_counts(
    tx: Tx, reception_ids: Sequence[str], scope: str, scope_params: Sequence[Any]
) -> dict[str, dict[str, int]]:
    """reception id -> {received, accepted, resolved}: petitions registered there, of those
    accepted (受理: the cases it produced), of those resolved (化解), within the scope (`Access.counted`)."""
    if not reception_ids:
        return {}
    tx.execute(
        f"SELECT reception_id, COUNT(*), SUM(CASE WHEN accepted_at IS NOT NULL THEN 1 ELSE 0 END), "
        f"SUM(CASE WHEN {RESOLVED} THEN 1 ELSE 0 END) FROM {tx.table(STATUS)} "
        f"WHERE reception_id IN ({_marks(reception_ids)}) AND ({scope}) GROUP BY reception_id",
        [*reception_ids, *scope_params],
    )
    return {
        rid: {"received": int(n or 0), "accepted": int(a or 0), "resolved": int(r or 0)}
        for rid, n, a, r in tx.fetchall()
    }


def leader_reception_counts(
    tx: Tx, leader_ids: Sequence[str], scope: str, scope_params: Sequence[Any],
    start: date | None = None, end: date | None = None,
) -> dict[str, dict[str, int]]:  # fmt: skip
    """leader id -> {receptions, reception_cases}: receptions held (in the period) and the
    petitions registered at them within the scope (`Access.counted`)."""
    if not leader_ids:
        return {}
    period, period_params = "", []
    if start is not None:
        period += " AND r.held_on >= ?"
        period_params.append(start if tx.postgres else start.isoformat())
    if end is not None:
        period += " AND r.held_on <= ?"
        period_params.append(end if tx.postgres else end.isoformat())
    tx.execute(
        f"SELECT r.leader_id, COUNT(DISTINCT r.reception_id), COUNT(s.case_id) FROM {tx.table(RECEPTIONS)} r "
        f"LEFT JOIN {tx.table(STATUS)} s ON s.reception_id = r.reception_id AND ({scope}) "
        f"WHERE r.leader_id IN ({_marks(leader_ids)}){period} GROUP BY r.leader_id",
        [*scope_params, *leader_ids, *period_params],
    )
    return {
        leader: {"receptions": int(n or 0), "reception_cases": int(c or 0)} for leader, n, c in tx.fetchall()
    }


# ---- campaigns ---------------------------------------------------------------------------


def campaign_names(tx: Tx) -> dict[str, str]:
    """Campaign id → name, for pages that show a designation or a 销号 by its campaign's name."""
    tx.execute(f"SELECT campaign_id, name FROM {tx.table(CAMPAIGNS)}")
    return {str(cid): str(name) for cid, name in tx.fetchall()}


def campaign(tx: Tx, campaign_id: str) -> dict[str, Any] | None:
    tx.execute(
        f"SELECT campaign_id, name, starts_on, due_on, unit_code FROM {tx.table(CAMPAIGNS)} WHERE campaign_id = ?",
        [campaign_id],
    )
    row = tx.fetchone()
    if row is None:
        return None
    cid, name, starts, due, unit = row
    return {
        "campaign_id": cid,
        "name": name,
        "starts_on": py_date(starts),
        "due_on": py_date(due),
        "unit_code": unit,
    }


def campaign_cases(tx: Tx, campaign_id: str, scope: str, scope_params: Sequence[Any]) -> list[dict[str, Any]]:
    """The cases designated to the campaign that the scope (`Access.rows`) lets the reader see,
    each with `struck_off` (销号)."""
    # campaigns holds a JSON list of ids: the quoted id, then an exact check of the decoded list.
    pattern = "%" + like_escape(orjson.dumps(campaign_id).decode()) + "%"
    tx.execute(
        f"SELECT {', '.join(CASE_FIELDS)}, campaigns, campaigns_cleared FROM {tx.table(STATUS)} "
        f"WHERE campaigns LIKE ? ESCAPE '\\' AND ({scope}) ORDER BY registered_at, case_id",
        [pattern, *scope_params],
    )
    out = []
    for *values, campaigns, cleared in tx.fetchall():
        if campaign_id not in orjson.loads(campaigns):
            continue
        row = dict(zip(CASE_FIELDS, values, strict=True))
        row["struck_off"] = campaign_id in orjson.loads(cleared)
        out.append(row)
    return out


def board(cases: Sequence[dict[str, Any]], due_on: date, today: date) -> list[dict[str, Any]]:
    """Per leader holding the cases: designated, struck off (销号), open (not yet struck off) and,
    of those open, past the campaign's due date. Cases no leader holds yet are under None."""
    rows: dict[str | None, dict[str, Any]] = {}
    past = today > due_on
    for case in cases:
        leader = case["leader_id"]
        row = rows.setdefault(leader, {"leader_id": leader, "designated": 0, "struck_off": 0, "open": 0,
                                       "past_due": 0})  # fmt: skip
        row["designated"] += 1
        if case["struck_off"]:
            row["struck_off"] += 1
        else:
            row["open"] += 1
            row["past_due"] += int(past)
    return sorted(rows.values(), key=lambda r: (r["leader_id"] is None, r["leader_id"] or ""))
