"""Reading page query strings and forms: blank fields mean "no filter", bad values a clear 422 page."""

from __future__ import annotations

from datetime import date, datetime, time
from enum import StrEnum
from typing import TypeVar

from api.pages.render import PageError
from domain.policy import CHINA_TZ

E = TypeVar("E", bound=StrEnum)
MAX_TEXT = 100


def text(value: str | None, name: str = "", limit: int = MAX_TEXT) -> str | None:
    """A trimmed text field, or None when blank."""
    value = (value or "").strip()
    if not value:
        return None
    if len(value) > limit:
        raise PageError(422, f"{name or '输入'}过长（最多 {limit} 个字符）")
    return value


def day(value: str | None, name: str) -> date | None:
    raw = text(value, name)
    if raw is None:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise PageError(422, f"{name}不是有效日期（格式：2026-01-31）：{raw}") from None


def end_of_day(value: date | None) -> datetime | None:
    """An "as of" date means the end of that China-local day."""
    return None if value is None else datetime.combine(value, time(23, 59, 59), tzinfo=CHINA_TZ)


def choice(value: str | None, enum: type[E], name: str) -> E | None:
    raw = text(value, name)
    if raw is None:
        return None
    try:
        return enum(raw)
    except ValueError:
        raise PageError(422, f"{name}的取值无效：{raw}") from None


def flag(value: str | None, name: str) -> bool | None:
    """A yes/no/any select: "1", "0" or blank."""
    raw = text(value, name)
    if raw is None:
        return None
    if raw not in ("0", "1"):
        raise PageError(422, f"{name}的取值无效：{raw}")
    return raw == "1"
