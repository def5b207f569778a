"""Times and dates as each store keeps them in view tables.

PostgreSQL has `timestamptz` and `date`; SQLite has text, so there a time is written in one
fixed UTC format (microseconds always present) and compares correctly as text. Every value a
view writes or compares goes through these helpers, so both stores order and filter alike.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from functools import lru_cache
from typing import Any

# Upper bound of an open interval: a real value rather than NULL, so "valid at T" is
# `valid_from <= T AND valid_to > T` and both bounds can be range-scanned in an index.
FAR_FUTURE = datetime(9999, 12, 31, tzinfo=UTC)
FAR_PAST = datetime(1, 1, 1, tzinfo=UTC)  # before every valid_from


def db_time(postgres: bool, value: datetime | None) -> Any:
    if value is None or postgres:
        return value
    if value.tzinfo is None:
        raise ValueError("view times must carry a time zone")
    return _utc_text(value)


@lru_cache(maxsize=8192)  # a case's rows repeat its times (registered, accepted, ...)
def _utc_text(value: datetime) -> str:
    # isoformat, not strftime: glibc's %Y does not pad years before 1000 to four digits, and
    # such a value neither sorts as text nor parses back.
    return value.astimezone(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


def db_date(postgres: bool, value: date | None) -> Any:
    return value if value is None or postgres else value.isoformat()


def py_time(value: Any) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value
    return datetime.fromisoformat(str(value).replace("Z", "+00:00")).astimezone(UTC)


def py_date(value: Any) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


def db_bool(postgres: bool, value: bool) -> Any:
    return value if postgres else int(value)


def like_escape(text: str) -> str:
    """Text to match literally in `LIKE ... ESCAPE '\\'` (its %, _ and \\ are not wildcards)."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def subtree_pattern(path: str) -> str:
    """A LIKE pattern matching a unit path ("/county/town/") and everything below it."""
    return like_escape(path) + "%"
