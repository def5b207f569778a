"""The printable dossier (PDF) of a case's timeline, for the paper file (一案一卷宗).

Rendered from an evidence bundle, with the bundle's own offline check (`domain.bundle_check`)
printed on the first page, so the paper says what the independent checker found. Chinese
text needs a CJK font embedded in the PDF: XINFANG_PDF_FONT (a .ttf/.otf/.ttc path, with
an optional ``:index`` for a collection), else Debian's fonts-noto-cjk or fonts-wqy-*,
else whatever fontconfig offers for Chinese. With none, `DossierFontMissing` says what to
install; nothing is rendered with missing glyphs.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

from fpdf import FPDF

from domain.bundle_check import Report

FONT_ENV = "XINFANG_PDF_FONT"
# (path, face index in the collection): Simplified Chinese faces first.
KNOWN_FONTS = (
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 2),
    ("/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc", 2),
    ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 0),
    ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", 0),
)
# Stored audit fields, shown in their own lines (time, actor, reason) or not at all.
AUDIT_FIELDS = frozenset({
    "actor", "occurred_at", "reason", "request_id", "prev_hash", "timestamp", "originator_topic",
    "originator_id", "originator_version",
    "query_code_hash",  # the petitioner's look-up secret (hashed): never printed
})  # fmt: skip
KEEP_WITH_NEXT_MM = 30  # a heading needs this much room below it, or it starts the next page


class DossierFontMissing(RuntimeError):
    """No font with Chinese glyphs was found on this machine."""


def _fontconfig() -> tuple[str, int] | None:
    if shutil.which("fc-match") is None:
        return None
    try:
        out = subprocess.run(
            ["fc-match", "-f", "%{file}\n%{index}", ":lang=zh-cn"],  # noqa: S607
            capture_output=True, text=True, timeout=10, check=False,
        ).stdout.split("\n")  # fmt: skip
    except (OSError, subprocess.SubprocessError):
        return None
    name = out[0].lower() if len(out) == 2 else ""
    # fc-match answers with some font even when none covers Chinese: check its name too.
    chinese = any(mark in name for mark in ("cjk", "wqy", "han", "hei", "song", "ming", "kai"))
    if chinese and name.endswith((".ttf", ".otf", ".ttc")) and Path(out[0]).is_file():
        return out[0], int(out[1] or 0)
    return None


def find_font() -> tuple[str, int]:
    configured = os.environ.get(FONT_ENV)
    if configured:
        name, _, face = configured.partition(":") if not Path(configured).is_file() else (configured, "", "")
        if not Path(name).is_file():
            raise DossierFontMissing(f"{FONT_ENV}={configured}: no such font file")
        return name, int(face or 0)
    for path, index in KNOWN_FONTS:
        if Path(path).is_file():
            return path, index
    found = _fontconfig()
    if found is None:
        raise DossierFontMissing(
            "no Chinese font found for the PDF dossier: install one (Debian: apt-get install "
            f"fonts-noto-cjk) or set {FONT_ENV} to a .ttf/.otf/.ttc file"
        )
    return found


class _Dossier(FPDF):
    case_id = ""

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font("cjk", size=8)
        self.cell(0, 6, f"案件编号 {self.case_id}　　第 {self.page_no()} 页 共 {{nb}} 页", align="C")


def render_dossier(
    bundle: dict[str, Any], report: Report, *, summary: dict[str, Any] | None = None, names: Any = None,
    unmasked: bool = False,
) -> bytes:  # fmt: skip
    """The paper file of a case: cover with its summary, parties, holders, timeline, integrity last.

    `summary` is the case as the reader may see it (api/reads/cases.case_view), `names`
    the reference data's names (api/pages/present.Names); the bundle's raw fields stay in the
    bundle for machines, the paper shows them in Chinese."""
    from api.dossier_text import DossierWriter  # the page labels import the read side: load late

    path, index = find_font()
    pdf = _Dossier(format="A4")
    pdf.case_id = bundle["case_id"]
    pdf.set_title(f"信访事项卷宗 {bundle['case_id']}")
    pdf.set_auto_page_break(auto=True, margin=16)
    pdf.add_font("cjk", fname=path, collection_font_number=index)
    DossierWriter(pdf, bundle, report, summary or {}, names, unmasked=unmasked).write()
    return bytes(pdf.output())
