"""The case listing and the overdue list, from the case status view (never from a replay).

Rows carry no petitioner and no content (the view does not hold them). Every query is the
reader's access (api/access.py: the role's scope, never the accused side of an accusation,
第三十条) AND the filters, so no filter or search finds a case its reader may not open.
"""

from __future__ import annotations

import base64
from datetime import date, datetime
from typing import Annotated, Any
from uuid import UUID

import orjson
from fastapi import APIRouter, Query, Request

from api import list_exports
from api.access import reader_access
from api.auth import CurrentUser
from api.errors import ProblemError
from api.freshness import MinPosition
from api.list_exports import Format, Names, all_items
from api.view_query import Where, cursor_invalid, cursor_values, plausible_time, unit_paths, view_database
from domain.context import utcnow
from domain.policy import get_policy, local_date
from domain.vocabulary import Channel, Status
from projections.case_queries import At, Order, cursor_key, select_cases
from projections.case_rows import DUE_COLUMNS
from projections.sqltypes import db_bool, db_date, db_time, like_escape

router = APIRouter(prefix="/api/v1", tags=["views"])

MAX_LIMIT = 500
Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT, description="rows per page (at most 500)")]
Cursor = Annotated[str | None, Query(max_length=500, description="`next_cursor` of the previous page")]
AsOf = Annotated[datetime | None, Query(description="the state in the world at this time (by occurred_at)")]
KnownAt = Annotated[datetime | None, Query(description="the state as the ledger knew it at this time")]


def _invalid(field: str, message: str) -> ProblemError:
    return ProblemError(422, "validation_failed", message, errors=[{"field": field, "message": message}])


def when(as_of: datetime | None, known_at: datetime | None) -> tuple[At, date]:
    """Which state to read, and the local day deadlines are judged against."""
    if as_of is not None and known_at is not None:
        raise _invalid("as_of", "ask for as_of or known_at, not both")
    for name, value in (("as_of", as_of), ("known_at", known_at)):
        if value is not None and value.tzinfo is None:
            raise _invalid(name, f"{name} needs a time zone offset")
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


def page(
    request: Request, at: At, day: date, where: Where, order: Order, limit: int, cursor: str | None
) -> dict[str, Any]:
    after = decode_cursor(cursor)
    with view_database(request).transaction(write=False) as tx:
        rows = select_cases(tx, at, where.sql, where.params, order=order, limit=limit + 1, after=after)
    more = len(rows) > limit
    rows = rows[:limit]
    return {
        "items": [item(r, day) for r in rows],
        "next_cursor": encode_cursor(cursor_key(rows[-1], order)) if more else None,
    }


def listing(
    request: Request, at: At, day: date, where: Where, order: Order, limit: int, cursor: str | None,
    fmt: str | None, filename: str,
) -> Any:  # fmt: skip
    """One page as JSON, or with `format=xlsx` every page from the first, `limit` at a time."""
    if fmt != "xlsx":
        return page(request, at, day, where, order, limit, cursor)
    rows = all_items(lambda after: page(request, at, day, where, order, limit, after))
    return list_exports.cases(rows, Names.read(request), filename)


def scoped(request: Request, who: CurrentUser) -> Where:
    """The cases this reader may open, as the start of a listing's WHERE."""
    postgres = view_database(request).postgres
    return Where().scope(reader_access(request, who).rows(lambda t: db_time(postgres, t)))


@router.get("/cases")
def list_cases(
    request: Request, who: CurrentUser, _: MinPosition = None,
    status: Annotated[list[Status] | None, Query(description="one or more statuses")] = None,
    unit: Annotated[str | None, Query(max_length=100, description="the holding unit and its sub-units")] = None,
    leader: Annotated[str | None, Query(max_length=100)] = None,
    category: Annotated[str | None, Query(max_length=100)] = None,
    channel: Channel | None = None,
    overdue: Annotated[bool | None, Query(description="a deadline ran out before the day asked")] = None,
    backlog: Annotated[bool | None, Query(description="on a backlog campaign (积案)")] = None,
    first_petition: Annotated[bool | None, Query(description="a first petition (初信初访)")] = None,
    reception: Annotated[str | None, Query(max_length=100, description="registered at this reception")] = None,
    registered_from: Annotated[date | None, Query(description="registered on or after (China date)")] = None,
    registered_to: Annotated[date | None, Query(description="registered on or before (China date)")] = None,
    q: Annotated[str | None, Query(min_length=1, max_length=100, description="text in the subject")] = None,
    as_of: AsOf = None, known_at: KnownAt = None, limit: Limit = 50, cursor: Cursor = None,
    format: Format = None,
) -> Any:  # fmt: skip
    """Case status rows in the reader's scope, newest registration first, one keyset page."""
    at, day = when(as_of, known_at)
    paths = unit_paths(request)
    where = scoped(request, who)
    pg = view_database(request).postgres
    today = db_date(pg, day)
    if registered_from is not None:
        where.add("registered_on >= ?", db_date(pg, registered_from))
    if registered_to is not None:
        where.add("registered_on <= ?", db_date(pg, registered_to))
    if status:
        where.add(f"status IN ({','.join('?' * len(status))})", *[s.value for s in status])
    if unit is not None:
        where.under("unit_path", paths.path(unit))
    for column, value in (("leader_id", leader), ("category", category), ("channel", channel)):
        if value is not None:
            where.add(f"{column} = ?", str(value))
    if overdue is not None:
        where.add("next_due < ?" if overdue else "(next_due IS NULL OR next_due >= ?)", today)
    if backlog is not None:
        where.add("backlog" if backlog else "NOT backlog")
    if first_petition is not None:  # set on the current row only (projections/case_queries.py)
        where.add("case_id IN (SELECT c.case_id FROM case_status c WHERE c.first_petition = ?)",
                  db_bool(pg, first_petition))  # fmt: skip
    if reception is not None:
        where.add("reception_id = ?", reception)
    if q is not None:
        where.add("LOWER(subject) LIKE ? ESCAPE '\\'", "%" + like_escape(q.lower()) + "%")
    return listing(request, at, day, where, "registered", limit, cursor, format, "案件列表.xlsx")


@router.get("/overdue")
def list_overdue(
    request: Request, who: CurrentUser, _: MinPosition = None,
    unit: Annotated[str | None, Query(max_length=100, description="the holding unit and its sub-units")] = None,
    leader: Annotated[str | None, Query(max_length=100)] = None,
    as_of: AsOf = None, known_at: KnownAt = None, limit: Limit = 50, cursor: Cursor = None,
    format: Format = None,
) -> Any:  # fmt: skip
    """Cases with an office deadline run out, the longest overdue first, with that clock and its article."""
    at, day = when(as_of, known_at)
    paths = unit_paths(request)
    where = scoped(request, who)
    where.add("next_due IS NOT NULL AND next_due < ?", db_date(view_database(request).postgres, day))
    if unit is not None:
        where.under("unit_path", paths.path(unit))
    if leader is not None:
        where.add("leader_id = ?", leader)
    return listing(request, at, day, where, "due", limit, cursor, format, "超期案件.xlsx")
