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

import orjson
from fpdf import FPDF
from fpdf.enums import WrapMode, XPos, YPos

from domain.bundle_check import Report

FONT_ENV = "XINFANG_PDF_FONT"
# (path, face index in the collection): Simplified Chinese faces first.
KNOWN_FONTS = (
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 2),
    ("/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc", 2),
    ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 0),
    ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", 0),
)
EVENT_NAMES = {
    "Registered": "登记", "Accepted": "受理", "NotAccepted": "不予受理", "Diverted": "分流",
    "Transferred": "转送", "Assigned": "交办", "Reassigned": "改派", "Instructed": "领导批示",
    "SupervisionIssued": "督办", "SupervisionAnswered": "督办回复", "ProgressRecorded": "办理进展",
    "MediationRecorded": "调解", "ExtensionGranted": "延期", "Answered": "答复",
    "ReturnVisitRecorded": "回访", "ReviewRequested": "申请复查", "ReviewDecided": "复查意见",
    "ReReviewRequested": "申请复核", "HearingHeld": "听证", "ReReviewDecided": "复核意见",
    "Closed": "办结", "Reopened": "回流", "Terminated": "终结", "Archived": "归档",
    "BacklogDesignated": "列为积案", "BacklogCleared": "积案销号", "RepeatLinked": "重复信访关联", "AccountabilityRecorded": "问责",
    "NoteAdded": "备注", "DocumentAttached": "附件", "Corrected": "更正", "PersonalDataViewed": "查阅个人信息",
    # issue 18 (R5, R6, R7)
    "NoticeIssued": "书面告知", "CompletionReported": "办结报告", "AssignmentObjected": "交办异议",
    "ObjectionDecided": "异议处理", "DiversionOutcomeRecorded": "分流结果",
}  # fmt: skip
AUDIT_FIELDS = frozenset(
    {"actor", "occurred_at", "reason", "request_id", "prev_hash", "timestamp", "originator_topic"}
)


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
        self.cell(0, 6, f"案件 {self.case_id}  ·  第 {self.page_no()} / {{nb}} 页", align="C")


def _fields_text(state: dict[str, Any]) -> str:
    rest = {k: v for k, v in state.items() if k not in AUDIT_FIELDS}
    return orjson.dumps(rest, option=orjson.OPT_SORT_KEYS).decode() if rest else ""


def _line(pdf: FPDF, text: str, size: float = 9, height: float = 4.6) -> None:
    pdf.set_font("cjk", size=size)
    pdf.multi_cell(0, height, text, wrapmode=WrapMode.CHAR, new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _integrity(pdf: FPDF, bundle: dict[str, Any], report: Report) -> None:
    _line(pdf, "完整性校验 Integrity (offline check of this bundle)", 11, 6)
    if report.ok:
        _line(pdf, f"哈希链：完整（{report.events} 个事件，版本 1..{report.events}） chain intact")
    else:
        _line(pdf, f"校验失败 INVALID: {report.problem}")
    cp = bundle.get("checkpoint")
    if cp:
        _line(pdf, f"签名检查点 checkpoint: position {cp['position']}, size {cp['size']}, {cp['created_at']}")
        _line(pdf, f"Merkle root: {cp['root']}")
        _line(pdf, f"key id {cp['key_id']}  public key {bundle.get('public_key')}")
        if report.ok:
            _line(pdf, f"{report.proofs_checked} 个包含证明在该根下成立；签名有效（以证据包内公钥核验）")
    else:
        _line(pdf, f"无签名检查点 no checkpoint: {bundle.get('proof_status')}")
    pdf.ln(2)


def _event(pdf: FPDF, event: dict[str, Any]) -> None:
    state = orjson.loads(event["state"]) if "state" in event else {}
    actor = state.get("actor") or {}
    name = EVENT_NAMES.get(event["type"], "")
    pdf.set_fill_color(235, 235, 235)
    pdf.set_font("cjk", size=10)
    title = f"#{event['version']}  {name} {event['type']}   (ledger position {event['position']})"
    pdf.cell(0, 6, title, fill=True, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    _line(pdf, f"发生时间 occurred: {state.get('occurred_at')}    记录时间 recorded: {event['recorded_at']}")
    _line(pdf, f"操作人 actor: {actor.get('user_id')} ({actor.get('role')}, {actor.get('unit_code') or '-'})")
    if state.get("reason"):
        _line(pdf, f"理由 reason: {state['reason']}")
    fields = _fields_text(state)
    if fields:
        _line(pdf, f"内容 fields: {fields}", 8, 4.2)
    _line(pdf, f"哈希 hash: {event['hash']}", 8, 4.2)
    _line(pdf, f"前序 prev:  {event['prev_hash']}", 8, 4.2)
    pdf.ln(1.5)


def render_dossier(bundle: dict[str, Any], report: Report) -> bytes:
    """The PDF of the bundle's timeline, documents, clocks and integrity status."""
    path, index = find_font()
    pdf = _Dossier(format="A4")
    pdf.case_id = bundle["case_id"]
    pdf.set_title(f"信访案件卷宗 {bundle['case_id']}")
    pdf.set_auto_page_break(auto=True, margin=16)
    pdf.add_font("cjk", fname=path, collection_font_number=index)
    pdf.add_page()
    _line(pdf, "信访案件卷宗 · 时间线", 16, 9)
    _line(pdf, f"案件编号 case: {bundle['case_id']}", 11, 6)
    who = bundle.get("exported_by") or {}
    _line(
        pdf,
        f"导出时间 exported: {bundle.get('exported_at')}  导出人: {who.get('user_id')} ({who.get('role')})",
    )
    _line(
        pdf,
        f"共 {len(bundle['events'])} 个事件 events; 核验: xinfang verify-bundle <证据包.json> --public-key <公钥>",
    )
    pdf.ln(2)
    _integrity(pdf, bundle, report)
    _line(pdf, "事件 Events", 11, 6)
    for event in bundle["events"]:
        _event(pdf, event)
    if bundle.get("documents"):
        _line(pdf, "文件 Documents (SHA-256)", 11, 6)
        for d in bundle["documents"]:
            _line(
                pdf,
                f"#{d['event_version']} {d['kind']} {d.get('file_name') or ''} {d.get('media_type') or ''}",
            )
            _line(pdf, f"    {d['sha256']}", 8, 4.2)
    if bundle.get("clocks"):
        _line(pdf, "时限 Clocks (at export)", 11, 6)
        for c in bundle["clocks"]:
            _line(pdf, f"{c['name']} {c.get('article') or ''}: {c['started_on']} → {c['due_on']}  {c['state']}"
                  f"{'  超期 ' + str(c['days_overdue']) + ' 天' if c.get('days_overdue') else ''}")  # fmt: skip
    return bytes(pdf.output())
