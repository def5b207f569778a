"""The case page's work panel: the case's clocks as ruled (DOMAIN.md R3-R5: windows with their
last day, deadlines with their due date and state, each with its article) and the forms of the
commands the signed-in user may issue on this case now.

Which forms show: the declaration's roles (api/commands.py), the statuses the case accepts the
command from (domain/case.py ALLOWED_FROM), the one access rule on this case (api/access.py:
scope and the accused side), and a few facts of the case's state that make a command pointless
(no notice owed, no objection pending, ...). Showing a form decides nothing: the posted command
runs the API's own path, which decides again.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from fastapi import Request

from api.access import Access
from api.commands import DECLARATIONS, CommandDeclaration
from api.pages import labels
from api.pages.command_forms import Form, form_of
from api.pages.reference import leader_names, unit_choices
from api.view_query import view_database
from domain.case import ALLOWED_FROM, Case
from domain.clocks import WINDOW_CLOCKS
from domain.errors import DomainError
from domain.process import has_appeal_chain, has_handling_period
from domain.vocabulary import Role, Status
from projections.reference_data.view import user_list

CaseFacts = dict[str, Any]  # the case as GET /api/v1/cases/{id} answers it

# A command's form shows only when the case's state gives it something to act on.
WHEN: dict[str, Callable[[CaseFacts, Role], bool]] = {
    "notice": lambda c, _: bool(c["notice_pending"]),
    "objection": lambda c, _: not c["objection_pending"],
    "objection-decision": lambda c, _: bool(c["objection_pending"]),
    "completion-report": lambda c, _: c["report_by"] is not None and not c["completion_reported"],
    "diversion-outcome": lambda c, _: c["diversion_outcome"] is None,
    "extend": lambda c, _: has_handling_period(c["kind"]),
    "review-request": lambda c, _: has_appeal_chain(c["kind"]),
    "re-review-request": lambda c, _: has_appeal_chain(c["kind"]),
    # R7: the registrar diverts during screening, the holder's officer or the supervisor after it
    "divert": lambda c, role: (role is Role.REGISTRAR) == (c["status"] == Status.REGISTERED.value),
    # 联合接访 (第十八条): a registrar hands over at once only a case registered at a reception
    # (the command's own rule then asks for a joint one and a unit present there).
    "assign": lambda c, role: role is not Role.REGISTRAR or c.get("reception_id") is not None,
    # The new code is shown once, in the API's answer, and a form's redirect would drop it.
    "query-code-reissue": lambda c, _: False,
}


@dataclass(frozen=True)
class CommandForm:
    name: str
    label: str
    form: Form


@dataclass(frozen=True)
class ClockLine:
    name: str
    label: str
    window: bool
    article: str | None
    started_on: Any
    last_day: Any
    state: str  # the state's words, e.g. "期间内，剩 3 天"
    css: str  # overdue / open / done


def available(access: Access, case: Case, facts: CaseFacts) -> list[CommandForm]:
    role = access.who.role
    shown: list[CommandForm] = []
    for d in DECLARATIONS:
        allowed_from = ALLOWED_FROM.get(d.spec.method)  # None: the command's own rules decide
        if role not in d.roles or (allowed_from is not None and case.status not in allowed_from):
            continue
        if (when := WHEN.get(d.name)) is not None and not when(facts, role):
            continue
        if not _may_issue(access, d, case):
            continue
        shown.append(CommandForm(d.name, d.label, form_of(d.body)))
    return shown


def _may_issue(access: Access, declaration: CommandDeclaration, case: Case) -> bool:
    try:
        access.check_command(declaration.name, case)
    except DomainError:
        return False
    return True


def clock_lines(clocks: list[dict[str, Any]]) -> list[ClockLine]:
    return [_line(c) for c in clocks]


def _line(c: dict[str, Any]) -> ClockLine:
    window = c["name"] in WINDOW_CLOCKS
    state, stopped, due = c["state"], c.get("stopped_on"), c["due_on"]
    remaining, overdue = c.get("days_remaining"), c.get("days_overdue") or 0
    if window:
        words, css = {
            "window_open": (
                f"期间内，最后一日 {due}" + (f"（剩 {remaining} 天）" if remaining is not None else ""),
                "open",
            ),
            "window_closed": (f"期间已届满（最后一日 {due}），未行使", "done"),
            "met": (f"已于 {stopped} 行使", "done"),
            "met_late": (f"已于 {stopped} 行使", "done"),
        }.get(state, (labels.label(state, "clock_state"), "done"))
    else:
        words, css = {
            "running": (
                f"计时中，{due} 届满" + (f"（剩 {remaining} 天）" if remaining is not None else ""),
                "open",
            ),
            "overdue": (f"已超期 {overdue} 天（{due} 届满）", "overdue"),
            "met": (f"按期完成（{stopped}）", "done"),
            "met_late": (f"超期完成（{stopped}，超期 {overdue} 天）", "overdue"),
        }.get(state, (labels.label(state, "clock_state"), "done"))
    if c.get("provisional"):
        words += "（该年节假日安排未公布，暂按周末计）"
    if c.get("extension_days"):
        words += f"（已延期 {c['extension_days']} 天）"
    if c.get("paused_days"):
        words += f"（听证 {c['paused_days']} 天不计入）"
    return ClockLine(
        c["name"],
        labels.label(c["name"], "clock"),
        window,
        c.get("article"),
        c["started_on"],
        due,
        words,
        css,
    )


def pickers(request: Request) -> dict[str, list[tuple[str, str]]]:
    """Choices for the reference fields: units in tree order, leaders and officers by name."""
    units = unit_choices(request)
    unit_names = {u["code"]: u["name"] for u in units}
    with view_database(request).transaction(write=False) as tx:
        users = user_list(tx)
    officers = [(u["user_id"], f"{u['name']}（{unit_names.get(u['unit_code'], u['unit_code'])}）")
                for u in users if u["role"] == Role.OFFICER.value and u["active"]]  # fmt: skip
    return {
        "unit": [(u["code"], f"{u['indent']}{u['name']}") for u in units],
        "leader": sorted(leader_names(request).items(), key=lambda kv: kv[1]),
        "officer": officers,
    }
