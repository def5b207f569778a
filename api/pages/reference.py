"""Unit and leader names for the pages (codes stay visible beside them), read from the
reference-data view (projections/reference_data.py), which every role may read."""

from __future__ import annotations

from typing import Any

from fastapi import Request

from api.view_query import view_database
from projections.reference_data import leaders_with_posts, unit_tree


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


def display_names(request: Request) -> dict[str, str]:
    """Unit code or leader id → name."""
    names = {u["code"]: u["name"] for u in unit_choices(request)}
    names.update(leader_names(request))
    return names
