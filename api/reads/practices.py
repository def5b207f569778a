"""Practices of the county reports (issue 21): leaders' receptions (领导接访) and backlog campaigns'
boards (积案专项). Case lists obey the reader's access (api/access.py `rows`: scope and never the
accused side, 第三十条); counts obey `counted`."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import Request

from api.access import reader_access
from api.auth import Principal
from api.errors import ProblemError
from api.permissions import CASE_ROLES
from api.reads.case_lists import invalid
from api.view_query import Where, unit_paths, view_database
from domain.context import utcnow
from domain.policy import local_date
from projections.engine.sqltypes import db_date, db_time
from projections.practices import queries as views


def reception_listing(
    request: Request, who: Principal, leader: str | None, unit: str | None,
    start: date | None, end: date | None,
) -> list[dict[str, Any]]:  # fmt: skip
    """Receptions in the reader's unit subtree (every one for an inspector), each with the cases
    registered there that the reader may open and the counts of those in his scope."""
    who.require(CASE_ROLES, "read receptions")
    if start is not None and end is not None and start > end:
        raise invalid("from", "the period starts after it ends")
    access = reader_access(request, who)
    paths = unit_paths(request)
    where = Where()
    if access.scope != "all":
        where.under("unit_path", paths.path(who.unit_code))
    if unit is not None:
        where.under("unit_path", paths.path(unit))
    db = view_database(request)
    pg = db.postgres
    if leader is not None:
        where.add("leader_id = ?", leader)
    if start is not None:
        where.add("held_on >= ?", db_date(pg, start))
    if end is not None:
        where.add("held_on <= ?", db_date(pg, end))
    rows = access.rows(lambda t: db_time(pg, t))
    counted = access.counted()
    with db.transaction(write=False) as tx:
        found = views.receptions(tx, where.sql, where.params)
        ids = [r["reception_id"] for r in found]
        cases = views.reception_cases(tx, ids, rows.where, rows.params)
        counts = views.reception_counts(tx, ids, counted.where, counted.params)
    empty = {"received": 0, "accepted": 0, "resolved": 0}
    return [{**r, "cases": cases.get(r["reception_id"], []), "counts": counts.get(r["reception_id"], empty)}
            for r in found]  # fmt: skip


def campaign_board(request: Request, who: Principal, campaign_id: str) -> dict[str, Any]:
    who.require(CASE_ROLES, "read campaign boards")
    access = reader_access(request, who)
    db = view_database(request)
    rows = access.rows(lambda t: db_time(db.postgres, t))
    with db.transaction(write=False) as tx:
        found = views.campaign(tx, campaign_id)
        if found is None:
            raise ProblemError(404, "not_found", "no such campaign")
        cases = views.campaign_cases(tx, campaign_id, rows.where, rows.params)
    today = local_date(utcnow())
    return {**found, "today": today, "leaders": views.board(cases, found["due_on"], today), "cases": cases}
