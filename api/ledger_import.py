"""Importing a legacy 台账: each row becomes the late-entered events of its case (补录).

Each event is entered with its real time as `occurred_at` (the ledger records when it learnt it,
so the case reads as a late entry), by the importing registrar, with the provenance as its
reason: the file's SHA-256 and the row number. Each step carries an idempotency key made of the
values it and the steps before it depend on (not of the file), so importing the same file
again, or the same row in another file (after fixing a neighbour, say), finds every step already
entered and creates nothing; a row fixed in a later cell, or grown to a later status in the
office's spreadsheet, continues the case it began.
A dry run checks every row and writes nothing.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from fastapi import Request
from pydantic import ValidationError

from api.access import reader_access
from api.auth import Principal, audit
from api.command_input import as_domain_params
from api.commands import COMMAND_BODIES
from api.ledger_rows import LedgerRow, RowError, open_rows
from domain.application import Idempotency, LedgerApplication
from domain.context import command_context
from domain.errors import DomainError, DuplicateExternalReference, NotFound
from domain.policy import CHINA_TZ
from domain.values import Petitioner

IDEMPOTENCY_SCOPE = "import:ledger-xlsx"
# The column a refused step points at, so its error names a cell the clerk can look at.
STEP_COLUMN = {
    "register": "登记单位代码",
    "accept": "受理时间",
    "assign": "包案领导编号",
    "answer": "答复时间",
    "return-visit": "满意度",
    "close": "办结方式",
}


STEP_NAME = {"register": "登记", "accept": "受理", "assign": "交办", "answer": "答复", "return-visit": "回访",
             "close": "办结"}  # fmt: skip
# The rules an imported row can still break once its cells are well formed, in the clerk's words.
RULE_TEXT = {
    "assigned_leader_posted_in_unit_or_above": "包案领导须在承办单位或其上级单位任职",
    "assigned_officer_within_unit": "承办人须是承办单位或其下级单位的用户",
    "accusation_not_handed_to_accused_side": "检举控告事项不得交由被检举一方办理",
    "registered_within_own_subtree": "只能登记本单位及下级单位收到的信访事项",
    "accused_named_from_reference_data": "被检举的单位或领导须在系统中登记",
    "closure_needs_return_visit": "办结前须回访",
}


@dataclass
class Outcome:
    rows: int = 0
    created: int = 0
    skipped: int = 0

    def as_dict(self, errors: list[RowError]) -> dict[str, Any]:
        return {"rows": self.rows, "created": self.created, "skipped": self.skipped,
                "errors": [e.as_dict() for e in errors]}  # fmt: skip


def provenance(file_sha256: str, row: int) -> str:
    return f"台账导入补录：文件 SHA-256 {file_sha256}，第 {row} 行"


def import_ledger(
    request: Request, who: Principal, ledger: LedgerApplication, content: bytes, *, dry_run: bool
) -> dict[str, Any]:
    """Check every row; unless a dry run, enter each good row's events. Returns the tally."""
    file_sha256 = hashlib.sha256(content).hexdigest()
    access = reader_access(request, who)
    access.check_command("register", None)  # the registering role only (403 otherwise)
    outcome, errors = Outcome(), []
    for row in open_rows(content):
        outcome.rows += 1
        if not row.errors:
            _check_references(row, ledger, lambda unit: access.paths.within(unit, who.unit_code))
        if row.errors:
            errors.extend(row.errors)
            continue
        if _already_entered(ledger, row):
            outcome.skipped += 1
            continue
        if dry_run:
            continue
        try:
            created = _enter(request, who, ledger, row, provenance(file_sha256, row.number))
        except _StepRefused as refused:
            errors.append(refused.error)
            continue
        if created:
            outcome.created += 1
        else:
            outcome.skipped += 1
    return outcome.as_dict(errors)


def _check_references(row: LedgerRow, ledger: LedgerApplication, within: Callable[[str], bool]) -> None:
    """Units and leaders the row names exist; the receiving unit lies in the importer's subtree
    (the rule registered_within_own_subtree, checked again by the domain when entered)."""
    v = row.values
    for key in ("received_unit", "unit_code"):
        if key in v:
            try:
                ledger.get_unit(v[key])
            except NotFound:
                row.fail(key, f"没有代码为“{v[key]}”的单位")
    if "leader_id" in v:
        try:
            ledger.get_leader(v["leader_id"])
        except NotFound:
            row.fail("leader_id", f"没有编号为“{v['leader_id']}”的领导")
    if not row.errors and not within(v["received_unit"]):
        row.fail(
            "received_unit",
            "不在导入人所在单位及其下级之内（registered_within_own_subtree，只能登记本单位及下级收到的信访事项）",
        )


def _key(row: LedgerRow, step: str) -> Idempotency:
    key = f"{row.identity(step)}:{step}"
    return Idempotency(IDEMPOTENCY_SCOPE, key, hashlib.sha256(key.encode()).hexdigest())


def _already_entered(ledger: LedgerApplication, row: LedgerRow) -> bool:
    """Every step of the row is on record (a row stopped half way is finished by a re-import)."""
    return all(
        ledger.reads.idempotency_record(IDEMPOTENCY_SCOPE, _key(row, step).key) is not None
        for step, _at in _steps(row)
    )


class _StepRefused(Exception):
    def __init__(self, error: RowError) -> None:
        super().__init__(error.message)
        self.error = error


def _steps(row: LedgerRow) -> list[tuple[str, datetime]]:
    """The commands the row's status needs, each with the time it really happened."""
    v, n = row.values, row.steps
    steps = [("register", v["registered_at"])]
    if n >= 1:
        steps.append(("accept", v["accepted_at"]))
    if n >= 2:
        steps.append(("assign", v.get("assigned_at") or v["accepted_at"]))
    if n >= 3:
        steps.append(("answer", v["answered_at"]))
        if "satisfaction" in v:
            steps.append(("return-visit", v["visited_at"]))
    if n >= 4:
        steps.append(("close", v["closed_at"]))
    return steps


def _enter(request: Request, who: Principal, ledger: LedgerApplication, row: LedgerRow, reason: str) -> bool:
    """Enter the row's steps in order; True if any was new."""
    created = False
    case_id = None
    entered: list[str] = []
    for step, at in _steps(row):
        with audit(who, request, occurred_at=at, reason=reason):
            try:
                if step == "register":
                    result = ledger.register_case(idempotency=_key(row, step), **_registration(row))
                    case_id = result.case_id
                else:
                    assert case_id is not None
                    with command_context(transcribed=True):  # the 台账's record of others' decisions
                        result = ledger.execute(case_id, step, _params(row, step), idempotency=_key(row, step))
            except DuplicateExternalReference:
                raise _StepRefused(
                    RowError(row.number, "外部编号", "该外部编号已登记过，未重复导入")
                ) from None
            except ValidationError as exc:
                message = f"补录“{step}”的值不合要求：{exc.errors()[0]['msg']}"
                raise _StepRefused(RowError(row.number, STEP_COLUMN[step], message)) from None
            except DomainError as exc:
                rule = str(exc.context.get("rule") or "")
                article = f"，{exc.article}" if exc.article else ""
                reason = RULE_TEXT.get(rule, exc.message)
                message = f"补录“{STEP_NAME[step]}”未通过：{reason}（{rule or exc.code}{article}）"
                if entered:  # what is on record stays; the fixed row continues the same case
                    message += f"。已记入：{'、'.join(STEP_NAME[s] for s in entered)}，修正后重新导入即可接续"
                raise _StepRefused(RowError(row.number, STEP_COLUMN[step], message)) from None
        created = created or not result.replayed
        entered.append(step)
    return created


def _registration(row: LedgerRow) -> dict[str, Any]:
    v = row.values
    petitioners: tuple[Petitioner, ...] = ()
    if v.get("petitioner_name"):
        petitioners = (
            Petitioner(name=v["petitioner_name"], id_number=v.get("id_number"), phone=v.get("phone"),
                       address=v.get("address")),
        )  # fmt: skip
    return {
        "channel": v["channel"],
        "kind": v["kind"],
        "petitioners": petitioners,
        "headcount": v.get("headcount", 1),
        "subject": v["subject"],
        "content": v.get("content") or v["subject"],
        "category": v["category"],
        "region_code": v.get("region_code", ""),
        "received_unit": v["received_unit"],
        "external_ref": v.get("external_ref"),
    }


def _params(row: LedgerRow, step: str) -> dict[str, Any]:
    """The step's body as the API would take it, read through the command's declared body class."""
    v = row.values
    raw: dict[str, Any]
    if step == "accept":
        raw = {"notice_issued_on": v.get("notice_issued_on")}
    elif step == "assign":
        raw = {"unit_code": v["unit_code"], "leader_id": v["leader_id"], "officer_id": v.get("officer_id")}
    elif step == "answer":
        raw = {"outcome": v["answer_outcome"], "delivered_on": v["answered_at"].astimezone(CHINA_TZ).date()}
    elif step == "return-visit":  # a legacy ledger does not say whether the petitioner signed
        raw = {"satisfaction": v["satisfaction"], "signed": False, "method": v["visit_method"]}
    else:
        raw = {"closure_type": v["closure_type"]}
    body = COMMAND_BODIES[step].model_validate(raw)
    return as_domain_params(body.model_dump(exclude={"occurred_at", "reason"}))
