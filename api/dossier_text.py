"""What the dossier PDF says, page by page: a cover an inspector signs, the parties, who held the
case, the timeline in Chinese, the documents, and the integrity proof last.

Everything is in Chinese with people and units by name (the code beside it where an inspector
looks a record up), times in Beijing time to the minute; the raw fields stay in the evidence
bundle's JSON. A heading never stands alone at a page foot: it starts the next page instead.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

import orjson
from fpdf import FPDF
from fpdf.enums import WrapMode, XPos, YPos
from fpdf.fonts import FontFace

from api.access import masked_fields
from api.dossier import AUDIT_FIELDS, KEEP_WITH_NEXT_MM
from api.pages.labels import label, reason_text
from api.pages.present import Names, actor_text, china_time, person_text, text_of
from domain.bundle_check import Report
from domain.timeline import DEFAULT_LATE_ENTRY_HOURS

HOLDER_EVENTS = ("Assigned", "Reassigned", "Transferred", "Diverted")
HASH_FIELDS = frozenset({"sha256", "document_sha256", "answer_sha256"})
EVENT_HEAD_MM = 26  # an event's title bar, its time and actor line and a field or two


class DossierWriter:
    def __init__(
        self, pdf: FPDF, bundle: dict[str, Any], report: Report, summary: dict[str, Any], names: Names | None,
        *, unmasked: bool,
    ) -> None:  # fmt: skip
        self.pdf, self.bundle, self.report, self.summary = pdf, bundle, report, summary
        self.names = names or Names()
        self.unmasked = unmasked
        self.events = [(e, orjson.loads(e["state"]) if "state" in e else {}) for e in bundle["events"]]

    # ---- text primitives ---------------------------------------------------------------------

    def line(self, text: str, size: float = 9.5, height: float = 5.2) -> None:
        self.pdf.set_font("cjk", size=size)
        self.pdf.multi_cell(0, height, text, wrapmode=WrapMode.CHAR, new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def room(self, needed_mm: float) -> None:
        """Start a new page unless `needed_mm` fits below (keep-with-next)."""
        if self.pdf.get_y() + needed_mm > self.pdf.page_break_trigger:
            self.pdf.add_page()

    def heading(self, text: str, first_block_mm: float = 0) -> None:
        """A section heading, on the page where at least its first block fits (keep-with-next)."""
        self.room(KEEP_WITH_NEXT_MM + first_block_mm)
        self.pdf.ln(2)
        self.line(text, 13, 8)
        self.pdf.set_draw_color(120, 120, 120)
        self.pdf.line(self.pdf.l_margin, self.pdf.get_y(), self.pdf.w - self.pdf.r_margin, self.pdf.get_y())
        self.pdf.ln(2)

    def row(self, name: str, value: str, width: float = 32) -> None:
        """A labelled field: the label in a column, the value wrapping beside it."""
        self.room(6)
        self.pdf.set_font("cjk", size=9.5)
        self.pdf.cell(width, 6, name + "：", new_x=XPos.RIGHT, new_y=YPos.TOP)
        self.pdf.multi_cell(0, 6, value or "—", wrapmode=WrapMode.CHAR, new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def table(self, header: tuple[str, ...], rows: Sequence[tuple[str, ...]], widths: tuple[int, ...]) -> None:
        self.room(8 + 7 * min(len(rows), 2))
        self.pdf.set_font("cjk", size=9)
        # the one CJK face has no bold: headings are shaded instead
        heading = FontFace(emphasis="", fill_color=(235, 235, 235))
        with self.pdf.table(col_widths=widths, text_align="LEFT", line_height=5.5, wrapmode=WrapMode.CHAR,
                            repeat_headings=1, headings_style=heading) as grid:  # fmt: skip
            grid.row(header)
            for values in rows:
                grid.row(values)

    def ref(self, code: Any, kind: str) -> str:
        """A unit or a leader by name with its code beside it, for the record."""
        if not code:
            return "—"
        name = self.names.name(code, kind)
        return f"{name}（{code}）" if name else str(code)

    # ---- the file --------------------------------------------------------------------------

    def write(self) -> None:
        self.pdf.add_page()
        self.cover()
        self.parties()
        self.holders()
        self.timeline()
        self.documents()
        self.integrity()

    def cover(self) -> None:
        s, b = self.summary, self.bundle
        self.pdf.ln(6)
        self.line("信访事项卷宗", 22, 12)
        self.line("（一案一卷宗）", 11, 7)
        self.pdf.ln(4)
        who = b.get("exported_by") or {}
        exporter, _ = actor_text(who, self.names)
        rows = [
            ("案件编号", b["case_id"]),
            ("信访事项", s.get("subject") or "—"),
            ("信访类型", label(s.get("kind"), "kind")),
            ("信访渠道", label(s.get("channel"), "channel")),
            ("类别", label(s.get("category"), "category")),
            ("当前状态", label(s.get("status"), "status")),
            ("登记时间", china_time(s.get("registered_at"))),
            ("登记单位", self.ref(s.get("received_unit"), "unit")),
            ("承办单位", self.ref(s.get("unit_code"), "unit")),
            ("包案领导", self.ref(s.get("leader_id"), "leader")),
            ("承办人", text_of(s.get("officer_id"), "officer_id", self.names, beside=True)),
            ("信访人", self.petitioners_text()),
            ("期限规则", label(s.get("policy_version"), "policy")),
            ("补录", "是（登记晚于信访发生 24 小时以上）" if s.get("late_entry") else "否"),
            ("事件数", f"{len(b['events'])} 条"),
            ("导出", f"{china_time(b.get('exported_at'))}　{exporter}"),
        ]
        for name, value in rows:
            self.row(name, value)
        self.pdf.ln(3)
        self.line("期限（条例依据）", 11, 7)
        self.clocks()
        self.pdf.ln(8)
        self.room(30)
        self.line("核查人（签字）：____________________　　日期：______年____月____日", 10.5, 9)
        self.line("承办单位（盖章）：____________________", 10.5, 9)

    def petitioners_text(self) -> str:
        people = self.summary.get("petitioners")
        if isinstance(people, str):  # withheld from this reader altogether
            return people
        masked = "" if self.unmasked else "（身份证号、电话已部分隐去）"
        return "；".join(person_text(p) for p in people or []) + masked if people else "—"

    def clocks(self) -> None:
        clocks = self.summary.get("clocks") or self.bundle.get("clocks") or []
        if not clocks:
            self.line("无计时中的期限。")
            return
        rows = []
        for c in clocks:
            state = label(c.get("state"), "clock_state")
            if c.get("days_overdue"):
                state += f"（超期 {c['days_overdue']} 天）"
            elif c.get("days_remaining") is not None:
                state += f"（剩 {c['days_remaining']} 天）"
            rows.append((label(c.get("name"), "clock"), c.get("article") or "—", str(c.get("started_on") or "—"),
                         str(c.get("due_on") or "—"), state))  # fmt: skip
        self.table(("期限", "依据", "起算日", "届满日", "状态"), rows, (30, 30, 26, 26, 40))

    def parties(self) -> None:
        self.heading("一、当事人")
        s = self.summary
        people = s.get("petitioners")
        if isinstance(people, str):
            self.row("信访人", people)
        else:
            for n, person in enumerate(people or [], 1):
                self.row(f"信访人{n}", person_text(person))
        self.row("人数", str(s.get("headcount") or "—"))
        if s.get("accused_unit") or s.get("accused_leader"):
            self.row("被举报单位", self.ref(s.get("accused_unit"), "unit"))
            self.row("被举报领导", self.ref(s.get("accused_leader"), "leader"))

    def holders(self) -> None:
        self.heading("二、承办经过")
        rows = []
        for event, state in self.events:
            if event["type"] not in HOLDER_EVENTS:
                continue
            unit = state.get("unit_code") or state.get("authority") or state.get("institution")
            rows.append((china_time(state.get("occurred_at")), label(event["type"], "event"),
                         self.ref(unit, "unit"), self.ref(state.get("leader_id"), "leader"),
                         text_of(state.get("officer_id"), "officer_id", self.names)))  # fmt: skip
        if not rows:
            self.line("尚未交办。")
            return
        self.table(("时间", "事项", "承办单位", "包案领导", "承办人"), rows, (30, 18, 52, 40, 30))

    def timeline(self) -> None:
        self.heading("三、办理过程（时间线）", first_block_mm=EVENT_HEAD_MM)
        self.line("时间均为北京时间。“补录”指记录时间晚于发生时间 24 小时以上。", 8.5, 5)
        for event, state in self.events:
            self.event(event, state)

    def event(self, event: dict[str, Any], state: dict[str, Any]) -> None:
        pdf = self.pdf
        self.room(EVENT_HEAD_MM)  # the event's title with its first lines
        pdf.set_fill_color(235, 235, 235)
        pdf.set_font("cjk", size=10.5)
        title = f"第 {event['version']} 条　{label(event['type'], 'event')}　{china_time(state.get('occurred_at'))}"
        pdf.cell(0, 7, title, fill=True, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        actor, _ = actor_text(state.get("actor") or {}, self.names)
        late = "（补录）" if self.late(event, state) else ""
        self.line(f"记录时间：{china_time(event.get('recorded_at'))}{late}　　操作人：{actor}")
        if state.get("reason"):
            self.line(f"理由：{reason_text(state['reason'])}")
        fields = masked_fields(
            {k: v for k, v in state.items() if k not in AUDIT_FIELDS}, unmasked=self.unmasked
        )
        for name, value in fields.items():
            if value is None or value == [] or (name in HASH_FIELDS and not value):
                continue
            # a correction's old and new values read as the field they correct
            shown_as = str(fields.get("field") or name) if name in ("old_value", "new_value") else name
            text = str(value) if name in HASH_FIELDS else text_of(value, shown_as, self.names)
            self.row(label(name, "field"), text, 44)
        pdf.set_text_color(90, 90, 90)
        self.line(f"哈希：{event['hash']}", 7.5, 4)
        pdf.set_text_color(0, 0, 0)
        pdf.ln(2)

    def late(self, event: dict[str, Any], state: dict[str, Any]) -> bool:
        """Recorded a day or more after it happened (domain/timeline.py's rule, read from the bundle)."""
        occurred, recorded = state.get("occurred_at"), event.get("recorded_at")
        if not occurred or not recorded:
            return False
        gap = datetime.fromisoformat(recorded) - datetime.fromisoformat(occurred)
        return gap > timedelta(hours=DEFAULT_LATE_ENTRY_HOURS)

    def documents(self) -> None:
        docs = self.bundle.get("documents") or []
        if not docs:
            return
        self.heading("四、文件（SHA-256 指纹）")
        for d in docs:
            self.row(
                f"第 {d['event_version']} 条", f"{d.get('file_name') or label(d.get('event_type'), 'event')}"
            )
            self.line(f"　　{d['sha256']}", 8, 4.5)

    def integrity(self) -> None:
        b, report = self.bundle, self.report
        self.heading("五、完整性校验")
        if report.ok:
            self.row(
                "哈希链",
                f"完整：共 {report.events} 条事件（第 1 至 {report.events} 条），逐条相连，未被篡改",
                36,
            )
        else:
            self.row("校验结果", f"校验失败：{report.problem}", 36)
        cp = b.get("checkpoint")
        if cp:
            self.row(
                "签名检查点",
                f"台账位置 {cp['position']}，共 {cp['size']} 条事件，签于 {china_time(cp['created_at'])}",
                36,
            )
            self.row("默克尔根", cp["root"], 36)
            self.row("签名密钥", f"{cp['key_id']}", 36)
            self.row("公钥", str(b.get("public_key")), 36)
            if report.ok:
                self.row(
                    "包含证明",
                    f"{report.proofs_checked} 条事件的包含证明在该根下成立；签名有效（以证据包内公钥核验）",
                    36,
                )
        else:
            status = str(b.get("proof_status") or "")
            why = "签名密钥不在受信任之列" if "not a configured" in status else "未配置签名密钥"
            self.row("签名检查点", f"尚无覆盖本案最后一条事件的签名检查点（{why}）：本卷只能证明哈希链完整，"
                     "不能证明台账未被整体改写", 36)  # fmt: skip
        self.pdf.ln(2)
        self.line("离线核验：xinfang verify-bundle 证据包.json --public-key 公钥", 9)
