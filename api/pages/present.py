"""Event fields and values as a reader sees them: Chinese labels, people and units by name.

The same rules serve the pages (HTML, the code kept in a `title` for whoever needs it) and the
dossier PDF (plain text, the code beside the name where an inspector needs it). Names come from
the reference-data view (`projections/reference_data/view.py`), never from scanning the ledger.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from markupsafe import Markup, escape

from api.pages.labels import field_value, label, reason_text
from domain.policy import CHINA_TZ

# Fields whose value is a unit code, a leader id or a user id (DOMAIN.md: reference data).
UNIT_FIELDS = frozenset({
    "accepting_unit", "unit_code", "received_unit", "accused_unit", "target_unit_code", "answering_unit",
    "review_deciding_unit", "review_unit", "re_review_deciding_unit", "deciding_unit", "reviewing_unit",
    "unit",
})  # fmt: skip
LEADER_FIELDS = frozenset({"leader_id", "accused_leader", "target_leader_id", "approved_by"})
USER_FIELDS = frozenset({"officer_id", "supervisor_id", "designated_by", "decided_by", "user_id", "cleared_by"})
CAMPAIGN_FIELDS = frozenset({"campaign", "campaign_id"})
PERSON_FIELDS = ("name", "id_number", "phone", "address")
# Text the service writes itself and so translates: the purpose of a personal data view.
SERVICE_TEXT_FIELDS = frozenset({"purpose"})
ISO_MOMENT = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")


@dataclass
class Names:
    """Unit code, leader id and user id → name, as the reference-data view holds them now."""

    units: dict[str, str] = field(default_factory=dict)
    leaders: dict[str, str] = field(default_factory=dict)
    users: dict[str, str] = field(default_factory=dict)
    campaigns: dict[str, str] = field(default_factory=dict)

    def name(self, code: object, kind: str | None = None) -> str | None:
        """The name of a code; `kind` ("unit", "leader", "user", "campaign") says where to look first."""
        if not isinstance(code, str):
            return None
        tables = {"unit": self.units, "leader": self.leaders, "user": self.users, "campaign": self.campaigns}
        order = [tables[kind]] if kind else []
        order += [t for t in (self.units, self.leaders, self.users) if t not in order]
        return next((t[code] for t in order if code in t), None)

    def get(self, code: object, default: object = None) -> object:
        """dict-like, for templates: the name, else the default."""
        found = self.name(code)
        return found if found is not None else default


def kind_of(field_name: str) -> str | None:
    if field_name in UNIT_FIELDS:
        return "unit"
    if field_name in LEADER_FIELDS:
        return "leader"
    if field_name in USER_FIELDS:
        return "user"
    if field_name in CAMPAIGN_FIELDS:
        return "campaign"
    return None


def china_time(value: Any) -> str:
    """A moment as Beijing time, to the minute; a date as it is."""
    if value in (None, ""):
        return "—"
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    if isinstance(moment, datetime):
        if moment.tzinfo is not None:
            moment = moment.astimezone(CHINA_TZ)
        return moment.strftime("%Y-%m-%d %H:%M")
    if isinstance(moment, date):
        return moment.isoformat()
    return str(value)


def _scalar(value: Any) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, datetime) or (isinstance(value, str) and ISO_MOMENT.match(value)):
        return china_time(value)
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def person_text(person: dict[str, Any]) -> str:
    """A petitioner as labelled fields (masked or not, as the reader's rights gave them)."""
    parts = [f"{label(k, 'field')}：{_scalar(person.get(k))}" for k in PERSON_FIELDS if person.get(k)]
    return "，".join(parts) or "—"


@dataclass
class Shown:
    """One value for a reader: the text, and the code behind it when a name replaced a code."""

    text: str
    code: str | None = None

    def html(self) -> Markup:
        if self.code is None:
            return escape(self.text)
        return Markup('<span class="ref" title="{}">{}</span>').format(self.code, self.text)

    def plain(self, beside: bool) -> str:
        return f"{self.text}（{self.code}）" if beside and self.code else self.text


def show(value: Any, field_name: str, names: Names) -> list[Shown]:
    """A field's value as pieces of text (several for a list), each naming its code if any."""
    if isinstance(value, list | tuple):
        pieces = [p for item in value for p in show(item, field_name, names)]
        return pieces or [Shown("—")]
    if isinstance(value, dict):
        return [Shown(_mapping_text(value, field_name, names))]
    kind = kind_of(field_name)
    if kind is not None and isinstance(value, str):
        name = names.name(value, kind)
        if name is not None:
            return [Shown(name, value)]
    if field_name in SERVICE_TEXT_FIELDS and isinstance(value, str):
        return [Shown(reason_text(value) or "—")]
    return [Shown(_scalar(field_value(value, field_name)))]


def _mapping_text(value: dict[str, Any], field_name: str, names: Names) -> str:
    if field_name in ("petitioners", "petitioner") or "id_number" in value or "name" in value:
        return person_text(value)
    if field_name == "corrections":  # {event version: {field: new value}}
        return (
            "；".join(
                f"第 {version} 条的{label(f, 'field')}改为{text_of(new, f, names)}"
                for version, changes in value.items()
                for f, new in (changes.items() if isinstance(changes, dict) else [])
            )
            or "—"
        )
    return "，".join(f"{label(k, 'field')}：{text_of(v, k, names)}" for k, v in value.items()) or "—"


def text_of(value: Any, field_name: str, names: Names, beside: bool = False) -> str:
    """A field's value as plain text (the PDF); `beside` puts each code after its name."""
    separator = "；" if field_name in ("petitioners",) else "、"
    return separator.join(p.plain(beside) for p in show(value, field_name, names))


def html_of(value: Any, field_name: str, names: Names) -> Markup:
    separator = Markup("；") if field_name in ("petitioners",) else Markup("、")
    return separator.join(p.html() for p in show(value, field_name, names))


def actor_text(actor: Any, names: Names) -> tuple[str, str]:
    """Who did it: the user's name and role in Chinese; and the user id."""
    fields = actor if isinstance(actor, dict) else vars(actor) if actor is not None else {}
    user_id = str(fields.get("user_id") or "")
    name = names.name(user_id, "user") or user_id or "—"
    return f"{name}（{label(fields.get('role'), 'role')}）", user_id


# What the integrity checks report (domain/timeline.py, domain/verify.py, domain/case_heads.py) is
# English for the log and the API; a page says it in Chinese and keeps the original on hover.
PROBLEMS = (
    (re.compile(r"event (\d+) is missing"), "第 {0} 条事件缺失"),
    (re.compile(r"event (\d+) does not link to the stored event (\d+)"), "第 {0} 条事件与所存第 {1} 条事件的哈希不相连"),
    (re.compile(r"prev_hash does not match the hash of the stored event (\d+)"), "前序哈希与所存第 {0} 条事件不符：该事件或这一链接被改动"),
    (re.compile(r"version (\d+) follows version (\d+)"), "第 {0} 条事件紧接第 {1} 条：事件缺失或顺序错乱"),
    (re.compile(r"every event is gone"), "本案的全部事件已不存在"),
    (re.compile(r"ledger now ends at version (\d+)"), "台账中本案只到第 {0} 条：末尾的事件被删除"),
    (re.compile(r"events were inserted"), "有事件被插入或移动"),
    (re.compile(r"the case was rewritten"), "本案被改写（本案自身的哈希链可能仍显示完整）"),
    (re.compile(r"no longer match the signed checkpoint root"), "台账事件与签名检查点的根不符：有事件被改动、删除、插入或移动"),
    (re.compile(r"holds only (\d+)"), "台账现只有 {0} 条事件：签名检查点之后的事件被删除"),
    (re.compile(r"is now at (\d+)"), "签名检查点覆盖的事件已移到位置 {0}"),
    (re.compile(r"not a trusted key"), "签名检查点的密钥不受信任"),
    (re.compile(r"stores a different public key"), "签名检查点所存公钥与密钥编号不符"),
    (re.compile(r"signature that does not verify"), "签名检查点的签名无效"),
)  # fmt: skip


def problem_text(problem: str | None) -> str:
    """An integrity problem in Chinese (each part of a combined report), or a plain notice."""
    if not problem:
        return "—"
    said = []
    for part in problem.split("; "):
        for pattern, words in PROBLEMS:
            found = pattern.search(part)
            if found:
                said.append(words.format(*found.groups()))
                break
    return "；".join(dict.fromkeys(said)) or "校验发现问题（原文见悬停说明）"
