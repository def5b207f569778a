"""Excel workbooks written with openpyxl: cells that are never formulas, times in Beijing time.

Free text in a ledger comes from petitioners. A cell whose text starts with = + - @ would be run
as a formula by a spreadsheet (CSV/formula injection), so every string is written as a string
cell, never a formula, and one starting with those marks also gets Excel's quote prefix (it stays
text when the cell is edited).
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from urllib.parse import quote

from fastapi.responses import Response
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from domain.policy import CHINA_TZ

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMULA_MARKS = ("=", "+", "-", "@")
TIME_FORMAT = "yyyy-mm-dd hh:mm"
DATE_FORMAT = "yyyy-mm-dd"
BOLD = Font(bold=True)


def beijing(value: datetime | str | None) -> datetime | None:
    """A stored time as a naive Beijing time to the minute (what a spreadsheet cell holds)."""
    if value is None or value == "":
        return None
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    if moment.tzinfo is not None:
        moment = moment.astimezone(CHINA_TZ).replace(tzinfo=None)
    return moment.replace(second=0, microsecond=0)


def cell(sheet: WriteOnlyWorksheet, value: Any, *, bold: bool = False) -> WriteOnlyCell:
    """One cell: text stays text (never a formula), times and dates get a readable format."""
    if isinstance(value, bool):
        value = "是" if value else "否"
    out = WriteOnlyCell(sheet, value=None)
    if isinstance(value, str):
        out.value = value
        out.data_type = "s"  # openpyxl reads a leading "=" as a formula; this one is text
        if value.startswith(FORMULA_MARKS):
            out.quotePrefix = True
    else:
        out.value = value
        if isinstance(value, datetime):
            out.number_format = TIME_FORMAT
        elif isinstance(value, date):
            out.number_format = DATE_FORMAT
    if bold:
        out.font = BOLD
    return out


@dataclass(frozen=True)
class Sheet:
    """A sheet to write: its title, headers, and rows (any iterable: written as it is read)."""

    title: str
    headers: Sequence[str]
    rows: Iterable[Sequence[Any]]
    widths: Sequence[int] = ()


def write(sheets: Sequence[Sheet]) -> bytes:
    """A write-only workbook (rows are streamed to the file, not held as cells)."""
    book = Workbook(write_only=True)
    for spec in sheets:
        sheet = book.create_sheet(spec.title[:31])
        for index, width in enumerate(spec.widths or [16] * len(spec.headers)):
            sheet.column_dimensions[_letter(index)].width = width
        sheet.append([cell(sheet, h, bold=True) for h in spec.headers])
        for row in spec.rows:
            sheet.append([cell(sheet, v) for v in row])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _letter(index: int) -> str:
    letter: str = get_column_letter(index + 1)
    return letter


def response(content: bytes, filename: str) -> Response:
    """The workbook as a download (the Chinese file name in RFC 5987 form)."""
    disposition = f"attachment; filename=export.xlsx; filename*=UTF-8''{quote(filename)}"
    return Response(content, media_type=XLSX,
                    headers={"Content-Disposition": disposition, "Cache-Control": "no-store"})  # fmt: skip
