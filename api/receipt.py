"""The registration receipt (登记回执): the case number and the petitioner's query code on paper.

The code is never stored, so the receipt is printed from the registration's answer (or a
reissue's): whoever prints it sends the code back, and it is checked against the case's hash
first, so no receipt carries a code that does not work. The receipt names nothing personal and
nothing of the matter: a lost receipt gives a finder no more than the look-up shows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from fpdf import FPDF
from fpdf.enums import WrapMode, XPos, YPos

from api.dossier import find_font
from domain.policy import CHINA_TZ


@dataclass(frozen=True)
class Receipt:
    case_id: str
    query_code: str  # as shown: ABCD-EFGH
    registered_on: date
    received_unit: str  # the unit's name
    lookup_url: str  # the page /q with the case number filled in
    printed_at: datetime


def _text(pdf: FPDF, text: str, size: float, height: float, align: str = "L") -> None:
    pdf.set_font("cjk", size=size)
    # by character: Chinese has no spaces to break at, and a space must not break a line early
    pdf.multi_cell(0, height, text, align=align, wrapmode=WrapMode.CHAR, new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def render_receipt(receipt: Receipt) -> bytes:
    """An A5 page: who received the petition and when, the case number, the code, how to look it up."""
    path, index = find_font()
    pdf = FPDF(format=(148, 210))  # A5, in millimetres
    pdf.set_title(f"信访事项登记回执 {receipt.case_id}")
    pdf.add_font("cjk", fname=path, collection_font_number=index)
    pdf.set_margins(14, 14, 14)
    pdf.add_page()
    _text(pdf, "信访事项登记回执", 18, 11, "C")
    pdf.ln(3)
    _text(pdf, f"登记单位：{receipt.received_unit}", 11, 7)
    _text(pdf, f"登记日期：{receipt.registered_on.isoformat()}", 11, 7)
    _text(pdf, "案件编号：", 11, 7)
    _text(pdf, receipt.case_id, 11, 7)
    pdf.ln(2)
    _text(pdf, "查询码", 11, 7, "C")
    pdf.set_draw_color(155, 28, 28)
    pdf.set_font("cjk", size=26)
    pdf.cell(0, 16, receipt.query_code, border=1, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(3)
    _text(pdf, "凭案件编号和查询码可查询办理进展、评价处理意见：", 10, 6)
    _text(pdf, receipt.lookup_url, 9, 5)
    _text(pdf, "查询码由 8 位字母和数字组成（不含 0、O、1、I）。请妥善保管，工作人员不会向您索要查询码；"
               "遗失的，可向登记单位申请补发，原码即失效。", 10, 6)  # fmt: skip
    _text(pdf, "登记单位自收到信访事项之日起 15 日内告知是否受理（《信访工作条例》第二十二条）。", 10, 6)
    pdf.ln(2)
    printed = receipt.printed_at.astimezone(CHINA_TZ).strftime("%Y-%m-%d %H:%M")
    _text(pdf, f"打印时间：{printed}", 9, 5, "R")
    return bytes(pdf.output())
