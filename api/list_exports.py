"""`?format=xlsx` on the list queries: every row of every page, with Chinese headers and labels.

A list handler hands its rows (already limited to the reader's access by api/access.py, and
shaped exactly as its JSON) to one of the sheets here; nothing here reads a case on its own.
Units, leaders and users appear by name with the code in a column of its own; times in Beijing
time.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from fastapi import Query, Request
from fastapi.responses import Response

from api import workbook
from api.ledger_template import case_row_values, template_headers
from api.pages.labels import FIELD, FIGURE, field_value, label
from api.view_query import view_database
from projections.reference_data.view import leaders_with_posts, unit_tree, user_list

Format = Annotated[
    Literal["json", "xlsx"] | None,
    Query(description="`xlsx`: every row of every page (read `limit` at a time) as an Excel workbook"),
]
Page = Callable[[str | None], dict[str, Any]]


def all_items(page: Page) -> Iterator[dict[str, Any]]:
    """Every item of a keyset listing, page after page, from the first."""
    cursor: str | None = None
    while True:
        body = page(cursor)
        yield from body["items"]
        cursor = body["next_cursor"]
        if cursor is None:
            return


@dataclass(frozen=True)
class Names:
    """Code → name of units, leaders and users, from the reference-data view."""

    units: dict[str, str]
    leaders: dict[str, str]
    users: dict[str, str]

    @classmethod
    def read(cls, request: Request) -> Names:
        units: dict[str, str] = {}

        def walk(nodes: list[dict[str, Any]]) -> None:
            for n in nodes:
                units[n["code"]] = n["name"]
                walk(n["children"])

        with view_database(request).transaction(write=False) as tx:
            walk(unit_tree(tx))
            leaders = {x["leader_id"]: x["name"] for x in leaders_with_posts(tx)}
            users = {x["user_id"]: x["name"] for x in user_list(tx)}
        return cls(units, leaders, users)

    def unit(self, code: str | None) -> str | None:
        return None if code is None else self.units.get(code, code)

    def leader(self, leader_id: str | None) -> str | None:
        return None if leader_id is None else self.leaders.get(leader_id, leader_id)

    def user(self, user_id: str | None) -> str | None:
        return None if user_id is None else self.users.get(user_id, user_id)


def _send(title: str, headers: list[str], rows: Iterable[list[Any]], filename: str) -> Response:
    content = workbook.write([workbook.Sheet(title, headers, rows)])
    return workbook.response(content, filename)


# ---- the case list and the overdue list ------------------------------------------------------

CASE_EXTRA_HEADERS = ["案件编号", "超期", "超期天数", "下一期限", "期限届满日", "补录", "积案"]


def cases(items: Iterable[dict[str, Any]], names: Names, filename: str = "案件列表.xlsx") -> Response:
    """The case list in the 台账 template's shape (it imports again), then what the list adds."""

    def rows() -> Iterator[list[Any]]:
        for i in items:
            deadline = i.get("next_deadline") or {}
            yield [
                *case_row_values(i, names),
                i["case_id"],
                i["overdue"],
                i["days_overdue"],
                label(deadline.get("clock"), "clock") if deadline else None,
                deadline.get("due_on"),
                i["late_entry"],
                i["backlog"],
            ]

    return _send("案件", [*template_headers(), *CASE_EXTRA_HEADERS], rows(), filename)


# ---- caseloads, satisfaction, accountability, figures ------------------------------------------


def caseloads(items: Iterable[dict[str, Any]], names: Names) -> Response:
    keys = ("open", "overdue", "answered", "closed", "backlog", "avg_handling_days", "satisfaction_rate")
    headers = [
        "包案领导",
        "包案领导编号",
        "在办",
        "超期",
        "已答复",
        "已办结",
        "积案",
        "平均办理天数",
        "满意率",
    ]

    def rows() -> Iterator[list[Any]]:
        for i in items:
            yield [names.leader(i["leader_id"]), i["leader_id"], *(_plain(i.get(k)) for k in keys)]

    return _send("包案领导案件量", headers, rows(), "包案领导案件量.xlsx")


def visits(items: Iterable[dict[str, Any]], names: Names) -> Response:
    headers = ["案件编号", "回访时间", "满意度", "签字确认", "回访方式", "回访意见", "包案领导", "包案领导编号",
               "承办单位", "承办单位代码", "类别", "类型"]  # fmt: skip

    def rows() -> Iterator[list[Any]]:
        for i in items:
            yield [
                i["case_id"], workbook.beijing(i["occurred_at"]), label(i["satisfaction"], "satisfaction"),
                i["signed"], label(i["method"], "contact_method") if i.get("method") else None, i.get("comment"),
                names.leader(i.get("leader_id")), i.get("leader_id"), names.unit(i.get("unit_code")),
                i.get("unit_code"), label(i.get("category"), "category"), label(i.get("kind"), "kind"),
            ]  # fmt: skip

    return _send("回访", headers, rows(), "回访记录.xlsx")


GROUP_HEADERS = {"leader": "包案领导", "unit": "承办单位", "category": "类别", "month": "月份"}


def satisfaction_groups(body: dict[str, Any], names: Names) -> Response:
    group_by: str = body["group_by"]
    coded = group_by in ("leader", "unit")
    counts = [k for k in body["total"] if k != "key"]
    headers = [
        GROUP_HEADERS[group_by],
        *(["代码"] if coded else []),
        *(FIELD.get(k, _COUNT_NAMES.get(k, k)) for k in counts),
    ]

    def name(key: str) -> Any:
        if group_by == "leader":
            return names.leader(key)
        if group_by == "unit":
            return names.unit(key)
        return label(key, "category") if group_by == "category" else key

    rows = [[name(g["key"]), *([g["key"]] if coded else []), *(_plain(g.get(k)) for k in counts)]
            for g in body["groups"]]  # fmt: skip
    rows.append(["合计", *([None] if coded else []), *(_plain(body["total"].get(k)) for k in counts)])
    return _send("满意率", headers, rows, "满意率.xlsx")


_COUNT_NAMES = {
    "visits": "回访数",
    "satisfied": "满意",
    "basically_satisfied": "基本满意",
    "unsatisfied": "不满意",
    "rate": "满意率",
    "signed": "签字确认",
}


def accountability(items: Iterable[dict[str, Any]], names: Names) -> Response:
    headers = ["案件编号", "时间", "问责方式", "问责依据", "决定人", "决定人编号", "被问责领导", "被问责领导编号",
               "被问责单位", "被问责单位代码"]  # fmt: skip

    def rows() -> Iterator[list[Any]]:
        for i in items:
            yield [
                i["case_id"], workbook.beijing(i["occurred_at"]), label(i["measure"], "measure"), i.get("basis"),
                names.user(i.get("decided_by")), i.get("decided_by"), names.leader(i.get("target_leader_id")),
                i.get("target_leader_id"), names.unit(i.get("target_unit_code")), i.get("target_unit_code"),
            ]  # fmt: skip

    return _send("问责", headers, rows(), "问责记录.xlsx")


FIGURE_HEADERS = ["指标", "值", "分子", "分母", "待定"]


def figure_rows(figures: dict[str, Any]) -> list[list[Any]]:
    return [[FIGURE.get(name, name), f.get("value"), f.get("numerator"), f.get("denominator"), f.get("pending")]
            for name, f in figures.items()]  # fmt: skip


def figures(body: dict[str, Any]) -> Response:
    months = body.get("by_month") or []
    monthly_rows: list[list[Any]] = []
    for month in months:
        for row in figure_rows(month.get("figures", {})):
            monthly_rows.append([month.get("month"), *row])
    sheets = [
        workbook.Sheet("关键指标", FIGURE_HEADERS, figure_rows(body["figures"])),
        workbook.Sheet("按月", ["月份", *FIGURE_HEADERS], monthly_rows),
    ]
    return workbook.response(workbook.write(sheets), "关键指标.xlsx")


# ---- reference data --------------------------------------------------------------------------


def units(tree: list[dict[str, Any]]) -> Response:
    rows: list[list[Any]] = []

    def walk(nodes: list[dict[str, Any]], parent: dict[str, Any] | None, depth: int) -> None:
        for n in nodes:
            rows.append(
                [n["name"], n["code"], parent["name"] if parent else None, n["parent_code"], depth + 1]
            )
            walk(n["children"], n, depth + 1)

    walk(tree, None, 0)
    return _send("单位", ["单位", "单位代码", "上级单位", "上级单位代码", "层级"], rows, "单位.xlsx")


def leaders(items: list[dict[str, Any]], names: Names) -> Response:
    headers = ["领导", "领导编号", "单位", "单位代码", "职务", "在职"]
    rows = [[i["name"], i["leader_id"], names.unit(i["unit_code"]), i["unit_code"], i["post"], i["active"]]
            for i in items]  # fmt: skip
    return _send("领导", headers, rows, "领导.xlsx")


def users(items: list[dict[str, Any]], names: Names) -> Response:
    headers = ["用户", "用户编号", "角色", "单位", "单位代码", "对应领导", "对应领导编号", "在用"]
    rows = [[i["name"], i["user_id"], label(i["role"], "role"), names.unit(i["unit_code"]), i["unit_code"],
             names.leader(i["leader_id"]), i["leader_id"], i["active"]] for i in items]  # fmt: skip
    return _send("用户", headers, rows, "用户.xlsx")


def _plain(value: Any) -> Any:
    """A rate `{value, numerator, denominator}` as its value; anything else as it is."""
    if isinstance(value, dict):
        return value.get("value")
    return value


# ---- one case's timeline ---------------------------------------------------------------------

UNIT_FIELDS = frozenset({"unit_code", "received_unit", "accepting_unit", "accused_unit", "answering_unit",
                         "deciding_unit", "target_unit_code"})  # fmt: skip
LEADER_FIELDS = frozenset({"leader_id", "accused_leader", "approved_by", "target_leader_id"})


def _petitioner(p: dict[str, Any]) -> str:
    parts = [p.get("name"), p.get("id_number"), p.get("phone"), p.get("address")]
    return " ".join(str(x) for x in parts if x)


def _field_text(key: str, value: Any, names: Names) -> str:
    if key == "petitioners":
        return "；".join(_petitioner(p) for p in value or ())
    if key in UNIT_FIELDS and isinstance(value, str):
        return f"{names.unit(value)}（{value}）"
    if key in LEADER_FIELDS and isinstance(value, str):
        return f"{names.leader(value)}（{value}）"
    if key == "officer_id" and isinstance(value, str):
        return f"{names.user(value)}（{value}）"
    shown = field_value(value, key)
    if isinstance(shown, bool):
        return "是" if shown else "否"
    return "—" if shown is None else str(shown)


def timeline(body: dict[str, Any], names: Names) -> Response:
    """The events of one case, fields masked exactly as the JSON timeline masks them."""
    headers = ["序号", "事项", "发生时间", "记录时间", "补录", "操作人", "操作人编号", "角色", "单位", "理由", "内容",
               "哈希"]  # fmt: skip

    def rows() -> Iterator[list[Any]]:
        for e in body["items"]:
            actor = e.get("actor") or {}
            fields = "\n".join(
                f"{FIELD.get(k, k)}：{_field_text(k, v, names)}" for k, v in e["fields"].items()
            )
            yield [
                e["version"], label(e["type"], "event"), workbook.beijing(e["occurred_at"]),
                workbook.beijing(e["recorded_at"]), e["late_entry"], names.user(actor.get("user_id")),
                actor.get("user_id"), label(actor.get("role"), "role"), names.unit(actor.get("unit_code")),
                e.get("reason"), fields, e["hash"],
            ]  # fmt: skip

    return _send("时间线", headers, rows(), "案件时间线.xlsx")
