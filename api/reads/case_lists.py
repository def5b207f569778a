"""The case listing and the overdue list, from the case status view (never from a replay).

Rows carry no petitioner and no content (the view does not hold them). Every query is the
reader's access (api/access.py: the role's scope, never the accused side of an accusation,
第三十条) AND the filters, so no filter or search finds a case its reader may not open.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from uuid import UUID

import orjson
from fastapi import Request

from api.access import reader_access
from api.auth import Principal
from api.errors import ProblemError
from api.view_query import Where, cursor_invalid, cursor_values, plausible_time, unit_paths, view_database
from domain.context import utcnow
from domain.policy import get_policy, local_date
from domain.vocabulary import Channel, Status
from projections.case_status.queries import At, Order, cursor_key, select_cases
from projections.case_status.rows import DUE_COLUMNS
from projections.engine.sqltypes import db_bool, db_date, db_time, like_escape


def invalid(field: str, message: str) -> ProblemError:
    return ProblemError(422, "validation_failed", message, errors=[{"field": field, "message": message}])


def when(as_of: datetime | None, known_at: datetime | None) -> tuple[At, date]:
    """Which state to read, and the local day deadlines are judged against."""
    if as_of is not None and known_at is not None:
        raise invalid("as_of", "ask for as_of or known_at, not both")
    for name, value in (("as_of", as_of), ("known_at", known_at)):
        if value is not None and value.tzinfo is None:
            raise invalid(name, f"{name} needs a time zone offset")
    at = At.of(as_of, known_at)
    return at, local_date(at.instant or utcnow())


def encode_cursor(key: tuple[str, str]) -> str:
    return base64.urlsafe_b64encode(orjson.dumps(list(key))).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> tuple[str, str] | None:
    """(registration time or due date, case id) as `encode_cursor` wrote them, or 422."""
    if cursor is None:
        return None
    when_, case_id = cursor_values(cursor)
    if not plausible_time(when_) or not isinstance(case_id, str) or not _is_uuid(case_id):
        raise cursor_invalid()
    assert isinstance(when_, str)
    return when_, case_id


def _is_uuid(text: str) -> bool:
    try:
        return str(UUID(text)) == text
    except ValueError:
        return False


def item(row: dict[str, Any], day: date) -> dict[str, Any]:
    """A listing row as the API shows it (unit paths are the view's internals)."""
    due: date | None = row["next_due"]
    overdue = due is not None and due < day
    days = get_policy(row["policy_version"]).count_days(due, day) if overdue and due else 0
    hidden = {
        "received_path",
        "unit_path",
        "accused_path",
        "registered_by",
        "campaigns",
        "campaigns_cleared",
        "next_due",
        "next_clock",
        "next_article",
    }
    hidden |= set(DUE_COLUMNS.values()) | {
        "satisfied",
        "registered_on",
        "answered_on",
        "closed_on",
        "visited_on",
    }
    out = {k: v for k, v in row.items() if k not in hidden}
    out["backlog_campaigns"] = row["campaigns"]
    out["backlog_cleared"] = row["campaigns_cleared"]
    out["due"] = {name: row[column] for name, column in DUE_COLUMNS.items()}
    out["next_deadline"] = (
        None if due is None else {"clock": row["next_clock"], "due_on": due, "article": row["next_article"]}
    )
    out["overdue"], out["days_overdue"] = overdue, days
    return out


def scoped(request: Request, who: Principal) -> Where:
    """The cases this reader may open, as the start of a listing's WHERE."""
    postgres = view_database(request).postgres
    return Where().scope(reader_access(request, who).rows(lambda t: db_time(postgres, t)))


@dataclass(frozen=True)
class CaseListing:
    """One listing's question (state, day, WHERE, order), read a keyset page at a time."""

    request: Request
    at: At
    day: date
    where: Where
    order: Order

    def page(self, limit: int, cursor: str | None) -> dict[str, Any]:
        after = decode_cursor(cursor)
        with view_database(self.request).transaction(write=False) as tx:
            rows = select_cases(
                tx, self.at, self.where.sql, self.where.params, order=self.order, limit=limit + 1, after=after
            )
        more = len(rows) > limit
        rows = rows[:limit]
        return {
            "items": [item(r, self.day) for r in rows],
            "next_cursor": encode_cursor(cursor_key(rows[-1], self.order)) if more else None,
        }


@dataclass(frozen=True)
class CaseFilters:
    """The filters of GET /api/v1/cases (None: not filtered)."""

    status: list[Status] | None = None
    unit: str | None = None
    leader: str | None = None
    category: str | None = None
    channel: Channel | None = None
    overdue: bool | None = None
    backlog: bool | None = None
    first_petition: bool | None = None
    reception: str | None = None
    registered_from: date | None = None
    registered_to: date | None = None
    q: str | None = None


def case_list(
    request: Request, who: Principal, f: CaseFilters, as_of: datetime | None, known_at: datetime | None
) -> CaseListing:
    """Case status rows in the reader's scope matching the filters, newest registration first."""
    at, day = when(as_of, known_at)
    paths = unit_paths(request)
    where = scoped(request, who)
    pg = view_database(request).postgres
    today = db_date(pg, day)
    if f.registered_from is not None:
        where.add("registered_on >= ?", db_date(pg, f.registered_from))
    if f.registered_to is not None:
        where.add("registered_on <= ?", db_date(pg, f.registered_to))
    if f.status:
        where.add(f"status IN ({','.join('?' * len(f.status))})", *[s.value for s in f.status])
    if f.unit is not None:
        where.under("unit_path", paths.path(f.unit))
    for column, value in (("leader_id", f.leader), ("category", f.category), ("channel", f.channel)):
        if value is not None:
            where.add(f"{column} = ?", str(value))
    if f.overdue is not None:
        where.add("next_due < ?" if f.overdue else "(next_due IS NULL OR next_due >= ?)", today)
    if f.backlog is not None:
        where.add("backlog" if f.backlog else "NOT backlog")
    if f.first_petition is not None:  # set on the current row only (projections/case_status/queries.py)
        where.add("case_id IN (SELECT c.case_id FROM case_status c WHERE c.first_petition = ?)",
                  db_bool(pg, f.first_petition))  # fmt: skip
    if f.reception is not None:
        where.add("reception_id = ?", f.reception)
    if f.q is not None:
        where.add("LOWER(subject) LIKE ? ESCAPE '\\'", "%" + like_escape(f.q.lower()) + "%")
    return CaseListing(request, at, day, where, "registered")


def overdue_list(
    request: Request, who: Principal, unit: str | None, leader: str | None,
    as_of: datetime | None, known_at: datetime | None,
) -> CaseListing:  # fmt: skip
    """Cases with an office deadline run out, the longest overdue first, with that clock and its article."""
    at, day = when(as_of, known_at)
    paths = unit_paths(request)
    where = scoped(request, who)
    where.add("next_due IS NOT NULL AND next_due < ?", db_date(view_database(request).postgres, day))
    if unit is not None:
        where.under("unit_path", paths.path(unit))
    if leader is not None:
        where.add("leader_id = ?", leader)
    return CaseListing(request, at, day, where, "due")
