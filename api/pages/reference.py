"""Unit and leader names for the pages (codes stay visible beside them), read through the API's
own reference functions, which every role may call."""

from __future__ import annotations

from typing import Any

from api.auth import Ledger
from api.pages.render import call
from api.pages.session import PageUser
from api.routers.reference import list_leaders, list_units


def unit_choices(ledger: Ledger, user: PageUser) -> list[dict[str, str]]:
    """Units in tree order with their depth, for the unit pickers."""
    out: list[dict[str, str]] = []

    def walk(nodes: list[dict[str, Any]], depth: int) -> None:
        for n in nodes:
            out.append({"code": n["code"], "name": n["name"], "indent": "　" * depth})
            walk(n["children"], depth + 1)

    walk(call(list_units, ledger, user.principal)["items"], 0)
    return out


def leader_names(ledger: Ledger, user: PageUser) -> dict[str, str]:
    return {x["leader_id"]: x["name"] for x in call(list_leaders, ledger, user.principal)["items"]}


def display_names(ledger: Ledger, user: PageUser) -> dict[str, str]:
    """Unit code or leader id → name."""
    names = {u["code"]: u["name"] for u in unit_choices(ledger, user)}
    names.update(leader_names(ledger, user))
    return names
