"""Unit, leader and user names for the pages, read from the reference-data view
(projections/reference_data/view.py), which every role may read; and the filters' pickers, which
accept a code or a name (a name typed into the address bar is found, or refused by name)."""

from __future__ import annotations

from typing import Any

from fastapi import Request

from api.pages.labels import CATEGORY
from api.pages.present import Names
from api.pages.render import PageError
from api.view_query import view_database
from projections.practices.queries import campaign_names
from projections.reference_data.view import leaders_with_posts, unit_tree, user_list


def unit_choices(request: Request) -> list[dict[str, str]]:
    """Units in tree order with their depth, for the unit pickers."""
    out: list[dict[str, str]] = []

    def walk(nodes: list[dict[str, Any]], depth: int) -> None:
        for n in nodes:
            out.append({"code": n["code"], "name": n["name"], "indent": "　" * depth})
            walk(n["children"], depth + 1)

    with view_database(request).transaction(write=False) as tx:
        walk(unit_tree(tx), 0)
    return out


def leader_names(request: Request) -> dict[str, str]:
    with view_database(request).transaction(write=False) as tx:
        return {x["leader_id"]: x["name"] for x in leaders_with_posts(tx)}


def leader_choices(request: Request) -> list[dict[str, str]]:
    """Leaders by name for the pickers (the post and unit tell two of the same name apart)."""
    with view_database(request).transaction(write=False) as tx:
        leaders = leaders_with_posts(tx)
    return sorted(({"code": x["leader_id"], "name": x["name"], "post": x["post"] or ""} for x in leaders),
                  key=lambda x: x["name"])  # fmt: skip


def category_choices() -> list[dict[str, str]]:
    return [{"code": code, "name": name} for code, name in CATEGORY.items()]


def display_names(request: Request) -> Names:
    """Unit code, leader id, user id and campaign id → name."""
    with view_database(request).transaction(write=False) as tx:
        users = {u["user_id"]: u["name"] for u in user_list(tx)}
        campaigns = campaign_names(tx)
    units = {u["code"]: u["name"] for u in unit_choices(request)}
    return Names(units=units, leaders=leader_names(request), users=users, campaigns=campaigns)


def resolve(value: str | None, choices: list[dict[str, str]], what: str) -> str | None:
    """A picker's value: a code as it is, or a name typed by hand turned into its code.

    A name nobody has, or one that two share, is refused with a message rather than giving an
    empty list that looks like "no cases"."""
    if value is None:
        return None
    if any(c["code"] == value for c in choices):
        return value
    named = [c for c in choices if c["name"] == value]
    if len(named) == 1:
        return named[0]["code"]
    if len(named) > 1:
        raise PageError(422, f"有 {len(named)} 个{what}叫“{value}”，请从列表中选择。")
    raise PageError(422, f"没有名为“{value}”的{what}，请从列表中选择。")
