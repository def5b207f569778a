"""The 信访台账 workbook's columns: one list read by the template, the case-list export and the import.

A case-list export starts with these columns in this order, so an office's exported 台账
imports again (api/ledger_import.py); the columns after them are the list's own and the import
passes over them (EXPORT_ONLY).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from api import workbook
from api.pages.labels import (
    ANSWER_OUTCOME,
    CATEGORY,
    CHANNEL,
    CLOSURE_TYPE,
    CONTACT_METHOD,
    KIND,
    SATISFACTION,
    STATUS,
    label,
)
from domain.policy import CHINA_TZ

if TYPE_CHECKING:
    from api.list_exports import Names


@dataclass(frozen=True)
class Column:
    header: str
    key: str
    note: str
    required: str = "选填"  # 必填, 选填, or the statuses that need it


# The statuses a row may reach: the import enters the steps up to it (登记 → 受理 → 交办 → 答复 → 办结).
IMPORTABLE_STATUSES = ("registered", "accepted", "in_handling", "answered", "closed")
STEPS_BY_STATUS = {status: IMPORTABLE_STATUSES.index(status) for status in IMPORTABLE_STATUSES}


def _values(table: dict[str, str]) -> str:
    return "、".join(table.values())


COLUMNS: tuple[Column, ...] = (
    Column("外部编号", "external_ref", "原台账的编号；同一编号只登记一次"),
    Column(
        "登记时间", "registered_at", "信访事项发生（来信来访）的时间，北京时间，如 2026-03-02 09:30", "必填"
    ),
    Column("渠道", "channel", f"可填：{_values(CHANNEL)}", "必填"),
    Column("类型", "kind", f"可填：{_values(KIND)}", "必填"),
    Column("信访人", "petitioner_name", "姓名"),
    Column("身份证号", "id_number", "15 位或 18 位"),
    Column("联系电话", "phone", "数字，可带 + 和 -"),
    Column("住址", "address", ""),
    Column("人数", "headcount", "正整数，空为 1"),
    Column("事项", "subject", "信访事项的标题", "必填"),
    Column("内容", "content", "空时按事项登记"),
    Column("类别", "category", f"常用：{_values(CATEGORY)}；也可填本单位的类别代码", "必填"),
    Column("行政区划代码", "region_code", "6 至 12 位数字"),
    Column("登记单位", "received_unit_name", "单位名称，仅供阅读；以登记单位代码为准"),
    Column("登记单位代码", "received_unit", "须在导入人所在单位及其下级之内", "必填"),
    Column("状态", "status", f"可填：{'、'.join(STATUS[s] for s in IMPORTABLE_STATUSES)}", "必填"),
    Column("受理时间", "accepted_at", "北京时间", "已受理及以后"),
    Column("告知日期", "notice_issued_on", "受理告知书出具日期；空为尚未告知"),
    Column("交办时间", "assigned_at", "北京时间；空为受理时间"),
    Column("承办单位", "unit_name", "单位名称，仅供阅读；以承办单位代码为准"),
    Column("承办单位代码", "unit_code", "", "办理中及以后"),
    Column("包案领导", "leader_name", "姓名，仅供阅读；以包案领导编号为准"),
    Column("包案领导编号", "leader_id", "须在承办单位或其上级任职", "办理中及以后"),
    Column("承办人", "officer_name", "姓名，仅供阅读"),
    Column("承办人编号", "officer_id", "承办单位及其下级的用户编号"),
    Column("答复意见", "answer_outcome", f"可填：{_values(ANSWER_OUTCOME)}", "已答复及以后"),
    Column("答复时间", "answered_at", "答复送达的时间，北京时间", "已答复及以后"),
    Column("满意度", "satisfaction", f"可填：{_values(SATISFACTION)}；空为未回访"),
    Column("回访方式", "visit_method", f"填写满意度时必填：{_values(CONTACT_METHOD)}"),
    Column("回访时间", "visited_at", "填写满意度时必填，北京时间"),
    Column("办结时间", "closed_at", "北京时间", "已办结"),
    Column("办结方式", "closure_type", f"可填：{_values(CLOSURE_TYPE)}", "已办结"),
)
COLUMN_OF = {c.header: c for c in COLUMNS}
# Columns a case-list export adds after the template's (api/list_exports.CASE_EXTRA_HEADERS).
EXPORT_ONLY = frozenset({"案件编号", "超期", "超期天数", "下一期限", "期限届满日", "补录", "积案"})


def template_headers() -> list[str]:
    return [c.header for c in COLUMNS]


def case_row_values(item: dict[str, Any], names: Names) -> list[Any]:
    """A case-list item (as its JSON shows it) in the template's columns."""
    values = {
        "registered_at": workbook.beijing(item.get("registered_at")),
        "channel": label(item.get("channel"), "channel") if item.get("channel") else None,
        "kind": label(item.get("kind"), "kind") if item.get("kind") else None,
        "subject": item.get("subject"),
        "category": label(item.get("category"), "category") if item.get("category") else None,
        "region_code": item.get("region_code"),
        "received_unit_name": names.unit(item.get("received_unit")),
        "received_unit": item.get("received_unit"),
        "status": label(item.get("status"), "status"),
        "accepted_at": workbook.beijing(item.get("accepted_at")),
        "unit_name": names.unit(item.get("unit_code")),
        "unit_code": item.get("unit_code"),
        "leader_name": names.leader(item.get("leader_id")),
        "leader_id": item.get("leader_id"),
        "officer_name": names.user(item.get("officer_id")),
        "officer_id": item.get("officer_id"),
        "answer_outcome": label(item["answer_outcome"], "answer_outcome")
        if item.get("answer_outcome")
        else None,
        "answered_at": workbook.beijing(item.get("answered_at")),
        "satisfaction": label(item["satisfaction"], "satisfaction") if item.get("satisfaction") else None,
        "visit_method": label(item["visit_method"], "contact_method") if item.get("visit_method") else None,
        "visited_at": workbook.beijing(item.get("visited_at")),
        "closed_at": workbook.beijing(item.get("closed_at")),
        "closure_type": label(item["closure_type"], "closure_type") if item.get("closure_type") else None,
    }
    return [values.get(c.key) for c in COLUMNS]


def example_row() -> list[Any]:
    start = datetime(2026, 3, 2, 9, 30)
    values: dict[str, Any] = {
        "external_ref": "2026-0001",
        "registered_at": start,
        "channel": "来访",
        "kind": "投诉请求",
        "petitioner_name": "张某某",
        "id_number": "330100199001011234",
        "phone": "13800000000",
        "address": "某镇某村",
        "headcount": 1,
        "subject": "宅基地纠纷",
        "content": "邻居占用宅基地，请求处理。",
        "category": "国土资源",
        "region_code": "330100",
        "received_unit_name": "某县信访局",
        "received_unit": "county",
        "status": "已办结",
        "accepted_at": start + timedelta(days=2),
        "notice_issued_on": (start + timedelta(days=2)).date(),
        "assigned_at": start + timedelta(days=3),
        "unit_name": "某镇",
        "unit_code": "town",
        "leader_name": "李某",
        "leader_id": "L-li",
        "officer_name": "王某",
        "officer_id": "wang",
        "answer_outcome": "解释说明",
        "answered_at": start + timedelta(days=30),
        "satisfaction": "满意",
        "visit_method": "电话",
        "visited_at": start + timedelta(days=33),
        "closed_at": start + timedelta(days=35),
        "closure_type": "答复办结",
    }
    return [values.get(c.key) for c in COLUMNS]


def template_workbook() -> bytes:
    notes: Sequence[Sequence[Any]] = [[c.header, c.required, c.note] for c in COLUMNS]
    intro = [
        [
            "说明",
            "",
            "每行一件信访事项，按其真实发生的时间补录（登记、受理、交办、答复、办结各为一条记录）。",
        ],
        [
            "说明",
            "",
            "时间均为北京时间；导入时记录文件的 SHA-256 与行号；同一文件或同一行再次导入不会重复登记。",
        ],
        ["说明", "", "第一行为表头，请勿改动；示例行导入前请删除。"],
    ]
    sheets = [
        workbook.Sheet("台账", template_headers(), [example_row()]),
        workbook.Sheet("填写说明", ["列", "是否必填", "说明"], [*notes, *intro], widths=(16, 14, 90)),
    ]
    return workbook.write(sheets)


def beijing_text(moment: datetime) -> str:
    return moment.astimezone(CHINA_TZ).strftime("%Y-%m-%d %H:%M")
