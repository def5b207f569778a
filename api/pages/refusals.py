"""A refused command, told in Chinese on the page: what kind of refusal, the article, the field,
and the rule's name for whoever needs to look it up (the API's problem code is the same)."""

from __future__ import annotations

from dataclasses import dataclass

from api.errors import _status_for
from api.pages import labels
from api.pages.command_forms import field_label
from domain import errors as de

HEADLINE = {
    "transition_not_allowed": "案件当前所处阶段不能办理此事项",
    "deadline_passed": "已超过法定期限，不能办理",
    "rule_violated": "不符合办理规则，未予记录",
    "validation_failed": "填写的内容不符合要求，未予记录",
    "not_found": "所填的单位、领导、人员或案件不存在",
    "already_exists": "已有相同的记录",
    "duplicate_external_ref": "此外部编号已经登记过",
    "version_conflict": "案件刚被他人更新，请刷新页面后重试",
    "idempotency_key_reused": "此表单已提交过，请刷新页面后重新填写",
    "forbidden": "您的角色或单位无权办理此事项",
}


@dataclass(frozen=True)
class Refusal:
    status: int
    headline: str
    details: tuple[str, ...]
    rule: str | None


def refusal(exc: de.DomainError) -> Refusal:
    context = exc.context
    details: list[str] = []
    if status := context.get("case_status"):
        details.append(f"案件状态：{labels.label(status, 'status')}")
    if field := context.get("field"):
        details.append(f"涉及：{field_label(str(field))}")
    for key, label in (("open_until", "期间届满日"), ("due_on", "期限届满日"), ("window", "期间")):
        if value := context.get(key):
            shown = labels.label(value, "clock") if key == "window" else value
            details.append(f"{label}：{shown}")
    if exc.article:
        details.append(f"依据：《信访工作条例》{exc.article}")
    rule = context.get("rule")
    return Refusal(
        _status_for(exc), HEADLINE.get(exc.code, "未予记录"), tuple(details), str(rule) if rule else None
    )
