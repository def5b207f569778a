"""The annual report (第四十一条) as a PDF and as an Excel workbook, Chinese throughout.

Both are laid out from the same sections, so the paper and the spreadsheet say the same numbers.
The PDF uses the dossier's library (fpdf2) and its Chinese font lookup.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fpdf import FPDF
from fpdf.enums import WrapMode, XPos, YPos
from fpdf.fonts import FontFace

from api import workbook
from api.annual_report import AnnualReport
from api.dossier import find_font
from api.pages.labels import FIGURE, label

Section = tuple[str, list[str], list[list[Any]], str | None]  # title, headers, rows, note


def _rate(value: Any) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def sections(report: AnnualReport, unit_name: Callable[[str], str]) -> list[Section]:
    f = report.figures
    on_time = f.get("on_time_closure_rate", {})
    overview = [
        ["登记信访事项", report.registered],
        ["受理", report.accepted],
        ["答复", report.answered],
        ["办结", report.closed],
        ["按期办结（件）", on_time.get("numerator")],
        ["按期办结率", _rate(on_time.get("value"))],
    ]
    figures = [[FIGURE.get(name, name), _rate(v.get("value")), v.get("numerator"), v.get("denominator")]
               for name, v in f.items()]  # fmt: skip
    rec = report.recommendations
    work = report.work
    return [
        ("一、总体情况", ["项目", "数量"], overview,
         "统计口径：本年登记、由本单位及下级登记或承办的信访事项；比率见“关键指标”。"),
        ("二、按信访类型", ["类型", "件数"], [[label(k, "kind"), n] for k, n in report.by_kind.items()], None),
        ("三、按信访形式", ["形式", "件数"], [[label(k, "channel"), n] for k, n in report.by_channel.items()], None),
        ("四、关键指标", ["指标", "比率", "分子", "分母"], figures,
         "与“关键指标”页面同一口径（本年、本单位及下级）。"),
        ("五、反映的主要领域", ["类别", "件数"], [[label(k, "category"), n] for k, n in report.by_category.items()],
         None),
        ("六、被投诉较多的单位", ["承办单位", "单位代码", "件数"],
         [[unit_name(u), u, n] for u, n in report.by_holding_unit], "按本年事项的承办单位计，取前十。"),
        ("七、被检举控告较多的单位", ["被检举单位", "单位代码", "件数"],
         [[unit_name(u), u, n] for u, n in report.by_accused_unit], "按检举控告事项的被检举单位计，取前十。"),
        ("八、转送、交办和督办", ["项目", "次数"],
         [["转送", work["transfers"]], ["交办（含改派）", work["assignments"]], ["督办", work["supervision"]],
          ["督办回复", work["supervision_answers"]]], "本年登记事项上记录的次数。"),
        ("九、建议及其采纳", ["项目", "数量"], [
            ["提出建议", rec.issued],
            *([f"其中：{label(kind, 'recommendation_kind')}", n] for kind, n in rec.by_kind.items()),
            ["已采纳", rec.adopted],
        ], rec.note),
    ]  # fmt: skip


def title(report: AnnualReport) -> str:
    return f"{report.unit_name}{report.year}年度信访工作报告"


def xlsx(report: AnnualReport, unit_name: Callable[[str], str]) -> bytes:
    sheets = [workbook.Sheet("报告", ["报告", "单位", "单位代码", "年度"],
                             [[title(report), report.unit_name, report.unit_code, report.year]])]  # fmt: skip
    for heading, headers, rows, note in sections(report, unit_name):
        extra = [[f"说明：{note}"]] if note else []
        sheets.append(workbook.Sheet(heading.split("、", 1)[-1], headers, [*rows, *extra]))
    return workbook.write(sheets)


class _Report(FPDF):
    heading = ""

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font("cjk", size=8)
        self.cell(0, 6, f"{self.heading}  ·  第 {self.page_no()} / {{nb}} 页", align="C")


def pdf(report: AnnualReport, unit_name: Callable[[str], str], generated: str) -> bytes:
    path, index = find_font()
    doc = _Report(format="A4")
    doc.heading = title(report)
    doc.set_title(title(report))
    doc.set_auto_page_break(auto=True, margin=16)
    doc.add_font("cjk", fname=path, collection_font_number=index)
    doc.add_page()
    _text(doc, title(report), 16, 9)
    _text(
        doc,
        f"依据《信访工作条例》第四十一条。统计期间：{report.year}年1月1日至12月31日。生成时间：{generated}（北京时间）",
    )
    doc.ln(3)
    for heading, headers, rows, note in sections(report, unit_name):
        # keep a heading with the start of its table: a new page if fewer than ~4 lines remain
        if doc.get_y() > doc.h - 16 - 30:
            doc.add_page()
        _text(doc, heading, 12, 7)
        _table(doc, headers, rows or [["（无）", *[""] * (len(headers) - 1)]])
        if note:
            _text(doc, f"说明：{note}", 8, 4.2)
        doc.ln(3)
    return bytes(doc.output())


def _text(doc: FPDF, text: str, size: float = 9, height: float = 4.8) -> None:
    doc.set_font("cjk", size=size)
    doc.multi_cell(0, height, text, wrapmode=WrapMode.CHAR, new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _table(doc: FPDF, headers: list[str], rows: list[list[Any]]) -> None:
    doc.set_font("cjk", size=9)
    # the embedded CJK font has no bold face: headings are told apart by their shading
    heading = FontFace(emphasis="", fill_color=(235, 235, 235))
    with doc.table(text_align="LEFT", line_height=5.5, headings_style=heading) as table:
        head = table.row()
        for h in headers:
            head.cell(h)
        for r in rows:
            line = table.row()
            for v in r:
                line.cell("" if v is None else str(v))
