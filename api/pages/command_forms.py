"""Page forms generated from the command declarations (api/commands.py): each body model gives
the fields, its types the widgets; a posted form is read back into the same body model the API
validates, so a page can ask nothing the API would not.

Labels: the command's own (`CommandDeclaration.label`), each field's from `FIELD_LABELS` (else
the pages' shared `labels.FIELD`), each code value's from `VALUE_LABELS` (else the shared tables);
tests/pages/test_command_forms.py holds that every declared field and value has one.
"""

from __future__ import annotations

import dataclasses
import types
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Any, Union, get_args, get_origin

from pydantic import AwareDatetime, BaseModel, ValidationError
from starlette.datastructures import FormData

from api.pages import labels
from api.pages.render import PageError
from domain.policy import CHINA_TZ
from domain.vocabulary import (
    AnswerOutcome,
    Channel,
    ClearanceBasis,
    ClosureType,
    ContactMethod,
    DiversionOutcome,
    DossierItem,
    Kind,
    Measure,
    MediationOutcome,
    NotAcceptedReason,
    NoticeMode,
    Pathway,
    ProgressStep,
    ReviewDecision,
    Satisfaction,
    TerminationBasis,
)

# Fields whose names the shared labels lack or name otherwise in a command's form.
FIELD_LABELS: dict[str, str] = {
    "occurred_at": "发生时间（北京时间",
    "reason": "理由",
    "notice_issued_on": "书面告知日期（空则待告知）",
    "notice_mode": "告知方式",
    "different_matter_reason": "非同一事项的理由（同一信访人有已终结事项时必填）",
    "reason_code": "不予受理理由",
    "pathway": "法定途径",
    "institution": "受理机关",
    "authority": "转送机关",
    "unit_code": "承办单位",
    "leader_id": "包案领导",
    "officer_id": "承办人",
    "report_by": "办结报告期限（第二十二条第三项，可空）",
    "text": "内容",
    "reply_by": "回复期限",
    "supervision_version": "所回复督办函（事件序号，空则最早未回复的）",
    "reply": "回复内容",
    "step": "办理步骤",
    "note": "说明",
    "document_sha256": "文书 SHA-256（可空）",
    "days": "延长天数（至多 30 天）",
    "approved_by_leader_id": "批准领导",
    "petitioner_notified_on": "告知信访人日期",
    "delivered_on": "送达日期",
    "satisfaction": "满意度",
    "signed": "信访人签字确认",
    "method": "回访方式",
    "comment": "信访人意见",
    "requested_on": "申请日期",
    "received_on": "收到日期（决定期限自此起算，空则同申请日期）",
    "decision": "决定",
    "decided_outside": "辖区外上级机关的决定（仅报上级的请求）",
    "decided_outside.authority": "作出决定的上级机关",
    "decided_outside.document_sha256": "其决定书 SHA-256",
    "started_on": "开始日期",
    "ended_on": "结束日期",
    "closure_type": "办结方式",
    "basis": "依据",
    "dossier": "案卷材料（六个一）",
    "campaign": "积案专项名称",
    "campaign_id": "积案专项",
    "earlier_case_id": "此前案件编号",
    "target_leader_id": "问责对象（领导）",
    "target_unit_code": "问责对象（单位）",
    "measure": "问责方式",
    "file_name": "文件名",
    "media_type": "文件类型（如 application/pdf）",
    "sha256": "文件 SHA-256",
    "target_version": "更正第几条事件",
    "field": "更正的字段（代码）",
    "new_value": "新值",
    "issued_on": "告知日期",
    "upheld": "异议是否成立",
    "outcome": "结果",
    "on": "日期",
    # registration
    "channel": "渠道",
    "kind": "类型",
    "petitioners": "信访人",
    "petitioners.name": "姓名",
    "petitioners.id_number": "身份证号",
    "petitioners.phone": "电话",
    "petitioners.address": "住址",
    "headcount": "人数",
    "subject": "事项",
    "content": "内容",
    "category": "类别",
    "region_code": "行政区划代码",
    "received_unit": "登记单位",
    "external_ref": "外部编号（可空）",
    "accused_unit": "被举报单位（检举控告必填其一）",
    "accused_leader": "被举报领导",
}

VALUE_LABELS: dict[type[StrEnum], dict[str, str]] = {
    NotAcceptedReason: {
        "in_litigation": "已进入诉讼、仲裁、行政复议等程序",
        "skipped_levels": "越级信访",
        "already_in_handling": "正在办理中",
        "terminated_same_matter": "同一事项已终结（不再受理）",
        "closed_by_court": "已由法院等依法处理终结",
        "out_of_remit": "不属于本机关职责范围",
        "anonymous_unclear": "匿名且事项不清",
    },
    Pathway: {
        "litigation": "诉讼",
        "procuratorate": "检察机关",
        "arbitration": "仲裁",
        "party_appeal": "党员申诉",
        "administrative_reconsideration": "行政复议",
        "administrative_procedure": "行政程序",
        "police": "公安机关",
        "discipline_inspection": "纪检监察",
    },
    ProgressStep: {
        "met_petitioner": "见面沟通",
        "site_investigation": "实地调查",
        "coordination_meeting": "协调会",
        "facts_established": "查明事实",
    },
    MediationOutcome: {"agreement": "达成调解协议", "settlement": "和解", "failed": "调解不成"},
    AnswerOutcome: {"support": "支持", "explain": "解释说明", "reject": "不予支持"},
    ContactMethod: {
        "visit": "上门",
        "phone": "电话",
        "letter": "信函",
        "online": "网上",
        "self_service": "信访人自助评价",
    },
    ReviewDecision: {"upheld": "维持", "changed": "变更"},
    ClosureType: {"resolved": "化解", "answered_only": "答复办结", "mediated": "调解办结"},
    TerminationBasis: {
        "re_review_decided": "复核决定",
        "no_review_in_time": "逾期未申请复查复核",
        "mediation_agreement": "调解协议",
    },
    DossierItem: {
        "record": "登记表",
        "verification": "调查核实材料",
        "screening": "受理告知",
        "determination": "处理意见书",
        "resolution": "化解材料",
        "dossier": "卷宗目录",
    },
}
# Value tables the pages already keep (api/pages/labels.py), by the vocabulary they name.
SHARED_VALUE_TABLES: dict[type[StrEnum], str] = {
    Satisfaction: "satisfaction", NoticeMode: "notice_mode", DiversionOutcome: "diversion_outcome",
    Measure: "measure", Channel: "channel", Kind: "kind", ClearanceBasis: "clearance_basis",
}  # fmt: skip

LONG_TEXT_FIELDS = {
    "content",
    "text",
    "reply",
    "reason",
    "basis",
    "note",
    "comment",
    "different_matter_reason",
}
# Reference pickers: the field's value is a unit, a leader or an officer, chosen by name.
UNIT_FIELDS = {"unit_code", "received_unit", "accused_unit", "target_unit_code"}
LEADER_FIELDS = {"leader_id", "approved_by_leader_id", "accused_leader", "target_leader_id"}
OFFICER_FIELDS = {"officer_id"}
PETITIONER_ROWS = 3  # blank rows on the registration form; empty ones are left out


@dataclass(frozen=True)
class FormField:
    name: str  # the form's input name: "reason", "decided_outside.authority", "petitioners.0.name"
    label: str
    widget: str  # date, datetime, text, textarea, number, select, checkboxes, yesno, unit, leader, officer
    required: bool
    choices: tuple[tuple[str, str], ...] = ()
    group: str | None = None  # a nested model's fields share a group heading


@dataclass(frozen=True)
class Form:
    fields: tuple[FormField, ...]
    repeated: Mapping[str, tuple[FormField, ...]] = field(default_factory=dict)  # list-of-model rows


def field_label(name: str) -> str:
    if name in FIELD_LABELS:
        return FIELD_LABELS[name]
    return labels.FIELD.get(name, name)


def value_label(enum: type[StrEnum], value: str) -> str:
    if enum in VALUE_LABELS:
        return VALUE_LABELS[enum].get(value, value)
    if enum in SHARED_VALUE_TABLES:
        return labels.label(value, SHARED_VALUE_TABLES[enum])
    return value


def _unwrap(annotation: Any) -> tuple[Any, bool]:
    """The type inside Optional / Annotated, and whether None is allowed."""
    optional = False
    while True:
        origin = get_origin(annotation)
        if origin is Annotated:
            annotation = get_args(annotation)[0]
        elif origin in (Union, types.UnionType):
            args = [a for a in get_args(annotation) if a is not type(None)]
            optional = optional or len(args) < len(get_args(annotation))
            if len(args) != 1:
                return str, optional  # a union of scalars (a correction's new value): text
            annotation = args[0]
        else:
            return annotation, optional


# Values no staff form offers: the petitioner's own rating comes only through /q (第二十一条,
# rule self_service_rating_only_by_the_petitioner).
NOT_OFFERED: frozenset[str] = frozenset({ContactMethod.SELF_SERVICE.value})


def _widget(name: str, kind: Any) -> tuple[str, tuple[tuple[str, str], ...]]:
    if isinstance(kind, type) and issubclass(kind, StrEnum):
        return "select", tuple(
            (v.value, value_label(kind, v.value)) for v in kind if v.value not in NOT_OFFERED
        )
    if get_origin(kind) is list:
        (item,) = get_args(kind)
        inner, _ = _unwrap(item)
        if isinstance(inner, type) and issubclass(inner, StrEnum):
            return "checkboxes", tuple((v.value, value_label(inner, v.value)) for v in inner)
    if kind is bool:
        return "yesno", (("1", "是"), ("0", "否"))
    if kind is date:
        return "date", ()
    if kind in (datetime, AwareDatetime):
        return "datetime", ()
    if kind is int:
        return "number", ()
    for picker, names in (("unit", UNIT_FIELDS), ("leader", LEADER_FIELDS), ("officer", OFFICER_FIELDS)):
        if name in names:
            return picker, ()
    return ("textarea" if name in LONG_TEXT_FIELDS else "text"), ()


def _fields(model: type[BaseModel], prefix: str = "", label_prefix: str = "") -> list[FormField]:
    """The model's fields, the audit fields (when, why) last; a nested model's fields inline."""
    names = [n for n in model.model_fields if n not in ("occurred_at", "reason")]
    names += [n for n in ("reason", "occurred_at") if n in model.model_fields]
    out: list[FormField] = []
    for name in names:
        info = model.model_fields[name]
        kind, optional = _unwrap(info.annotation)
        if isinstance(kind, type) and issubclass(kind, BaseModel):
            out += [
                FormField(
                    f"{prefix}{name}.{f.name}", f.label, f.widget, False, f.choices, group=field_label(name)
                )
                for f in _fields(kind, label_prefix=f"{name}.")
            ]
            continue
        required = info.is_required() and not optional
        widget, choices = _widget(name, kind)
        label = (
            field_label(f"{label_prefix}{name}")
            if f"{label_prefix}{name}" in FIELD_LABELS
            else field_label(name)
        )
        if name == "occurred_at":
            label += "）" if required else "，空则为现在）"
        out.append(FormField(f"{prefix}{name}", label, widget, required, choices))
    return out


def form_of(model: type[BaseModel]) -> Form:
    """The form of a body model; a list of models (registration's petitioners) becomes rows."""
    plain: list[FormField] = []
    repeated: dict[str, tuple[FormField, ...]] = {}
    for f in _fields(model):
        info = model.model_fields.get(f.name)
        kind = _unwrap(info.annotation)[0] if info is not None else None
        if (
            get_origin(kind) is list
            and isinstance(get_args(kind)[0], type)
            and issubclass(get_args(kind)[0], BaseModel)
        ):
            row = get_args(kind)[0]
            # every row may stay blank (an anonymous letter has none): the body's rules say what a
            # filled row lacks
            repeated[f.name] = tuple(
                dataclasses.replace(r, required=False) for r in _fields(row, label_prefix=f"{f.name}.")
            )
            continue
        plain.append(f)
    return Form(tuple(plain), repeated)


# ---- reading a posted form back into the body ----------------------------------------------


def _value(widget: str, raw: str) -> Any:
    if widget == "datetime":  # the office's clock: a local time without a zone is Beijing time
        try:
            return datetime.fromisoformat(raw).replace(tzinfo=CHINA_TZ).isoformat()
        except ValueError:
            return raw
    if widget == "yesno":
        return raw == "1"
    return raw


def _read(fields: Sequence[FormField], data: FormData, prefix: str = "") -> dict[str, Any]:
    body: dict[str, Any] = {}
    for f in fields:
        name = f"{prefix}{f.name}"
        if f.widget == "checkboxes":
            chosen = [str(v) for v in data.getlist(name)]
            if chosen or f.required:
                body[f.name] = chosen
            continue
        raw = str(data.get(name) or "").strip()
        if not raw:
            continue  # blank: the body's default (a required field is then named as missing)
        target, _, leaf = f.name.rpartition(".")
        holder = body.setdefault(target, {}) if target else body
        holder[leaf] = _value(f.widget, raw)
    return body


# What a form carries that is not the user's input: never shown back.
NOT_ENTERED = frozenset({"csrf", "form_key"})


def entered(data: FormData) -> dict[str, str | list[str]]:
    """What the user typed into a form, by input name, to fill the form again when it is refused
    (a refusal loses nothing): a name sent more than once (a checkbox group) keeps every value."""
    out: dict[str, str | list[str]] = {}
    for name in dict.fromkeys(data.keys()):
        if name in NOT_ENTERED:
            continue
        values = [str(v) for v in data.getlist(name)]
        out[name] = values if len(values) > 1 else values[0]
    return out


def body_from(model: type[BaseModel], form: Form, data: FormData) -> BaseModel:
    """The posted form as the body model, validated as the API validates it (422 page if not)."""
    body = _read(form.fields, data)
    for name, row in form.repeated.items():
        rows = [_read(row, data, f"{name}.{i}.") for i in range(PETITIONER_ROWS)]
        body[name] = [r for r in rows if r]
    try:
        return model.model_validate(body)
    except ValidationError as exc:
        raise PageError(422, "；".join(_problem(e) for e in exc.errors())) from None


PROBLEMS = {
    "missing": "必须填写",
    "date_from_datetime_parsing": "不是有效日期",
    "date_parsing": "不是有效日期",
    "datetime_parsing": "不是有效时间",
    "datetime_from_date_parsing": "不是有效时间",
    "enum": "取值无效",
    "int_parsing": "应为整数",
    "greater_than_equal": "数值过小",
    "less_than_equal": "数值过大",
    "string_too_long": "过长",
    "string_too_short": "不能为空",
    "string_pattern_mismatch": "格式不正确",
    "too_long": "选得过多",
    "uuid_parsing": "不是有效的案件编号",
    "extra_forbidden": "不接受此项",
}


def _problem(error: Mapping[str, Any]) -> str:
    loc = [str(p) for p in error.get("loc", ())]
    if len(loc) >= 3 and loc[1].isdigit():  # a row of a list: the 2nd petitioner's id number
        label = f"第 {int(loc[1]) + 1} 位{field_label(loc[0])}的{field_label(f'{loc[0]}.{loc[2]}')}"
    else:
        label = field_label(".".join(loc)) if loc else "表单"
    return f"“{label}”{PROBLEMS.get(str(error.get('type')), '填写有误')}"
