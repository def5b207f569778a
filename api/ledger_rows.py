"""Reading an uploaded 台账 workbook: the file checks (422) and each row into typed values or errors.

Errors name the row (as the spreadsheet numbers it) and the column by its Chinese header, so a
clerk can find and fix the cell.
"""

from __future__ import annotations

import hashlib
import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

import orjson
from openpyxl import load_workbook

from api.errors import ProblemError
from api.ledger_template import COLUMN_OF, COLUMNS, EXPORT_ONLY, STEPS_BY_STATUS
from api.pages.labels import code_of
from domain.context import utcnow
from domain.policy import CHINA_TZ

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 20_000
EARLIEST = datetime(1990, 1, 1, tzinfo=UTC)  # DOMAIN.md R12
HEADER_ROW = 1
TEXT_LIMITS = {"subject": 200, "content": 10_000, "category": 64, "external_ref": 128, "address": 200}


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "message": self.message}


@dataclass
class LedgerRow:
    """One row's values, typed; `errors` lists what is wrong with it (then nothing is entered)."""

    number: int
    values: dict[str, Any] = field(default_factory=dict)
    errors: list[RowError] = field(default_factory=list)

    def fail(self, key: str, message: str) -> None:
        header = next((c.header for c in COLUMNS if c.key == key), key)
        self.errors.append(RowError(self.number, header, message))

    @property
    def steps(self) -> int:
        return STEPS_BY_STATUS[self.values["status"]]

    def identity(self, step: str) -> str:
        """What makes this step of the row the same in any file: the values it and the steps
        before it depend on (not the status, the row number or the names shown beside codes),
        so a row fixed in a later cell, or grown to a later status, continues the same case."""
        kept = {k: _canonical(self.values.get(k)) for k in STEP_INPUTS[: STEP_INPUT_END[step]]}
        return hashlib.sha256(orjson.dumps(kept)).hexdigest()


# Each step's inputs, in step order: a step depends on its own and every earlier step's.
STEP_INPUTS = (
    "external_ref", "registered_at", "channel", "kind", "petitioner_name", "id_number", "phone", "address",
    "headcount", "subject", "content", "category", "region_code", "received_unit",
    "accepted_at", "notice_issued_on",
    "assigned_at", "unit_code", "leader_id", "officer_id",
    "answer_outcome", "answered_at",
    "satisfaction", "visit_method", "visited_at",
    "closed_at", "closure_type",
)  # fmt: skip
STEP_INPUT_END = {"register": 14, "accept": 16, "assign": 20, "answer": 22, "return-visit": 25, "close": 27}


def _canonical(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value


def _bad_file(message: str) -> ProblemError:
    return ProblemError(422, "validation_failed", message, errors=[{"field": "file", "message": message}])


def open_rows(content: bytes) -> Iterator[LedgerRow]:
    """The data rows of the workbook's first sheet, or 422 for a file that is not a 台账 workbook."""
    if len(content) > MAX_BYTES:
        raise _bad_file(f"文件超过 {MAX_BYTES // (1024 * 1024)} MB")
    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, TypeError) as exc:
        raise _bad_file(f"不是 Excel 工作簿（.xlsx）：{type(exc).__name__}") from None
    sheet = book["台账"] if "台账" in book.sheetnames else book.worksheets[0]
    lines = sheet.iter_rows(values_only=True)
    headers = [str(h).strip() if h is not None else "" for h in next(lines, ())]
    while headers and headers[-1] == "":
        headers.pop()
    missing = [c.header for c in COLUMNS if c.header not in headers]
    unknown = [h for h in headers if h not in COLUMN_OF and h not in EXPORT_ONLY]
    if missing or unknown:
        parts = ([f"缺少列：{'、'.join(missing)}"] if missing else []) + (
            [f"无法识别的列：{'、'.join(h or '（空）' for h in unknown)}"] if unknown else []
        )
        raise _bad_file("表头与台账模板不符。" + "；".join(parts))
    return _rows(lines, headers, book)


def _rows(lines: Iterator[tuple[Any, ...]], headers: list[str], book: Any) -> Iterator[LedgerRow]:
    try:
        for offset, line in enumerate(lines):
            number = HEADER_ROW + 1 + offset
            if offset >= MAX_ROWS:
                raise _bad_file(f"行数超过 {MAX_ROWS}")
            cells = {h: v for h, v in zip(headers, line, strict=False) if h in COLUMN_OF}
            if all(v is None or str(v).strip() == "" for v in cells.values()):
                continue
            yield parse(number, {COLUMN_OF[h].key: v for h, v in cells.items()})
    finally:
        book.close()


# ---- one row ---------------------------------------------------------------------------------

LABELLED = {
    "channel": "channel",
    "kind": "kind",
    "status": "status",
    "answer_outcome": "answer_outcome",
    "satisfaction": "satisfaction",
    "visit_method": "contact_method",
    "closure_type": "closure_type",
}
TIMES = ("registered_at", "accepted_at", "assigned_at", "answered_at", "visited_at", "closed_at")
# step index (STEPS_BY_STATUS) from which a column must be filled
NEEDED_FROM = {
    "registered_at": 0, "channel": 0, "kind": 0, "subject": 0, "category": 0, "received_unit": 0,
    "status": 0, "accepted_at": 1, "unit_code": 2, "leader_id": 2, "answer_outcome": 3,
    "answered_at": 3, "closed_at": 4, "closure_type": 4,
}  # fmt: skip
# Times that must come in this order (a late entry keeps the real order of events).
ORDER = ("registered_at", "accepted_at", "assigned_at", "answered_at", "visited_at", "closed_at")


def parse(number: int, raw: dict[str, Any]) -> LedgerRow:
    row = LedgerRow(number)
    for key, value in raw.items():
        if value is None or (isinstance(value, str) and value.strip() == ""):
            continue
        try:
            row.values[key] = _typed(key, value)
        except ValueError as exc:
            row.fail(key, str(exc))
    if row.errors:
        return row
    status = row.values.get("status")
    steps = STEPS_BY_STATUS.get(status or "", -1)
    for key, needed_from in NEEDED_FROM.items():
        if key not in row.values and steps >= needed_from:
            row.fail(key, "必填")
        elif key in row.values and 0 <= steps < needed_from:  # not silently left out
            row.fail(key, "与状态不符：该状态尚未到这一步")
    _check_visit_and_closure(row, steps)
    _check_order(row)
    return row


def _check_visit_and_closure(row: LedgerRow, steps: int) -> None:
    """A return visit needs its method and time and an answer; a closure needs the visit (the
    rule closure_needs_return_visit) and, when mediated, an agreement the 台账 does not carry."""
    if "satisfaction" in row.values:
        for key in ("visit_method", "visited_at"):
            if key not in row.values:
                row.fail(key, "填写满意度时必填")
        if steps < 3:
            row.fail("satisfaction", "尚未答复的事项不能回访")
    if steps == STEPS_BY_STATUS["closed"] and "satisfaction" not in row.values:
        row.fail("satisfaction", "已办结的事项须先回访（closure_needs_return_visit）")
    if row.values.get("closure_type") == "mediated":
        row.fail("closure_type", "调解办结须有调解协议的记录，台账导入不支持，请在系统中办理")


def _typed(key: str, value: Any) -> Any:
    if key in LABELLED:
        code = code_of(value, LABELLED[key])
        if code is None or (key == "status" and code not in STEPS_BY_STATUS):
            column = next(c for c in COLUMNS if c.key == key)
            raise ValueError(f"“{value}”不是可填的值（{column.note}）")
        return code
    if key == "category":
        return code_of(value, "category") or _text(key, value)
    if key in TIMES:
        return _time(value)
    if key == "notice_issued_on":
        return _day(value)
    if key == "headcount":
        if isinstance(value, bool) or not str(value).strip().isdigit() or not 1 <= int(str(value)) <= 100_000:
            raise ValueError("须为 1 至 100000 的整数")
        return int(str(value))
    return _text(key, value)


def _text(key: str, value: Any) -> str:
    text = str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)
    text = text.strip()
    limit = TEXT_LIMITS.get(key, 100)
    if len(text) > limit:
        raise ValueError(f"超过 {limit} 个字")
    if key == "region_code" and not (text.isascii() and text.isdigit() and 6 <= len(text) <= 12):
        raise ValueError("须为 6 至 12 位数字")
    if key == "phone" and not re.fullmatch(r"\+?[0-9\-]{5,20}", text):
        raise ValueError("须为 5 至 20 位数字，可带 + 和 -")
    if key == "id_number" and not (len(text) in (15, 18) and text[:17].isdigit() and text.isascii()):
        raise ValueError("须为 15 位或 18 位身份证号")
    return text


def _time(value: Any) -> datetime:
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        moment = datetime(value.year, value.month, value.day)
    else:
        text = str(value).strip().replace("/", "-")
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            raise ValueError(f"“{value}”不是时间，应如 2026-03-02 09:30") from None
    moment = moment.replace(tzinfo=CHINA_TZ) if moment.tzinfo is None else moment
    if not EARLIEST <= moment <= utcnow():
        raise ValueError("须在 1990-01-01 与现在之间")
    return moment


def _day(value: Any) -> date:
    return _time(value).astimezone(CHINA_TZ).date()


def _check_order(row: LedgerRow) -> None:
    if row.errors:
        return
    last: tuple[str, datetime] | None = None
    for key in ORDER:
        moment = row.values.get(key)
        if moment is None:
            continue
        if last is not None and moment < last[1]:
            before = next(c.header for c in COLUMNS if c.key == last[0])
            row.fail(key, f"早于{before}")
        last = (key, moment)
    notice = row.values.get("notice_issued_on")
    registered = row.values.get("registered_at")
    if notice is not None and registered is not None and notice < registered.astimezone(CHINA_TZ).date():
        row.fail("notice_issued_on", "早于登记时间")
