"""Helpers for query endpoints over view tables: a WHERE builder, opaque keyset cursors, unit paths."""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

import orjson
from fastapi import Request

from api.access import ScopeSQL
from api.errors import ProblemError
from domain.policy import CHINA_TZ
from projections.engine.database import ViewDatabase
from projections.engine.sqltypes import subtree_pattern
from projections.reference_data.units import UnitPaths


def unit_paths(request: Request) -> UnitPaths:
    """The app's one cache of unit ancestry (scope checks and view queries share it)."""
    paths: UnitPaths = request.app.state.unit_paths
    return paths


def view_database(request: Request) -> ViewDatabase:
    """The app's view database for reads: pooled connections on PostgreSQL (projections/engine/read_pool.py)."""
    db: ViewDatabase = request.app.state.view_reads
    return db


subtree = subtree_pattern


@dataclass
class Where:
    """AND-ed conditions with `?` placeholders, built from the reader's scope and the filters."""

    clauses: list[str] = field(default_factory=list)
    params: list[Any] = field(default_factory=list)

    def add(self, clause: str, *params: Any) -> Where:
        self.clauses.append(clause)
        self.params.extend(params)
        return self

    def scope(self, scope: ScopeSQL) -> Where:
        return self.add(f"({scope.where})", *scope.params)

    def under(self, column: str, path: str | None) -> Where:
        if path is None:
            return self.add("1=0")
        return self.add(f"{column} LIKE ? ESCAPE '\\'", subtree(path))

    @property
    def sql(self) -> str:
        return " AND ".join(self.clauses) or "1=1"


def encode_cursor(occurred_at: str, position: int) -> str:
    return base64.urlsafe_b64encode(orjson.dumps([occurred_at, position])).decode().rstrip("=")


# The times a listing's cursor can hold: nothing in the ledger predates 1990 (DOMAIN.md R12), and
# deadlines lie a few years ahead at most. Outside this, a decoded time is forged, and year 0 or
# 9999 would fail in the database or in a time zone shift rather than being refused.
CURSOR_TIMES = (datetime(1980, 1, 1, tzinfo=UTC), datetime(2200, 1, 1, tzinfo=UTC))
MAX_POSITION = 2**63 - 1


def plausible_time(text: object) -> bool:
    """`text` is an ISO 8601 date or time inside CURSOR_TIMES (a naive time is read as UTC)."""
    if not isinstance(text, str) or not text.isascii():
        return False
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return False
    moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return CURSOR_TIMES[0] <= moment <= CURSOR_TIMES[1]


def cursor_invalid() -> ProblemError:
    return ProblemError(422, "validation_failed", "the cursor is not one this listing gave out",
                        errors=[{"field": "cursor", "message": "malformed cursor"}])  # fmt: skip


def cursor_values(cursor: str) -> list[object]:
    """The two values an opaque cursor holds, or 422."""
    try:
        values = orjson.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (ValueError, TypeError):
        raise cursor_invalid() from None
    if not isinstance(values, list) or len(values) != 2:
        raise cursor_invalid()
    return values


def decode_cursor(cursor: str | None) -> tuple[str, int] | None:
    if cursor is None:
        return None
    occurred_at, position = cursor_values(cursor)
    if not plausible_time(occurred_at) or type(position) is not int or not 0 <= position <= MAX_POSITION:
        raise cursor_invalid()
    assert isinstance(occurred_at, str)
    return occurred_at, position


def page_of(rows: list[dict[str, Any]], limit: int) -> tuple[list[dict[str, Any]], str | None]:
    """`rows` fetched with `limit + 1`: the page, and a cursor after it if more rows follow."""
    if len(rows) <= limit:
        return rows, None
    rows = rows[:limit]
    return rows, encode_cursor(rows[-1]["occurred_at"], rows[-1]["position"])


def local_time(stored: str) -> str:
    """A stored UTC time as ISO 8601 in China time (the office's clock)."""
    return datetime.fromisoformat(stored).astimezone(CHINA_TZ).isoformat()


def period(where: Where, start: date | None, end: date | None) -> Where:
    """`from`/`to` filters on the China-time day of the event, both inclusive."""
    if start is not None:
        where.add("day >= ?", start.isoformat())
    if end is not None:
        where.add("day <= ?", end.isoformat())
    return where
