"""Chinese labels for the codes the API speaks (a code without a label is shown as it is)."""

from __future__ import annotations

STATUS = {
    "registered": "已登记",
    "accepted": "已受理",
    "not_accepted": "不予受理",
    "diverted": "已分流",
    "transferred": "已转送",
    "in_handling": "办理中",
    "answered": "已答复",
    "closed": "已办结",
    "under_review": "复查中",
    "reviewed": "已复查",
    "under_re_review": "复核中",
    "terminated": "已终结",
    "archived": "已归档",
}

EVENT = {
    "Registered": "登记",
    "Accepted": "受理",
    "NotAccepted": "不予受理",
    "Diverted": "分流",
    "Transferred": "转送",
    "Assigned": "交办",
    "Instructed": "领导批示",
    "SupervisionIssued": "督办",
    "SupervisionAnswered": "督办回复",
    "ProgressRecorded": "办理进展",
    "MediationRecorded": "调解",
    "ExtensionGranted": "延期",
    "Answered": "答复",
    "ReturnVisitRecorded": "回访",
    "ReviewRequested": "申请复查",
    "ReviewDecided": "复查决定",
    "ReReviewRequested": "申请复核",
    "HearingHeld": "听证",
    "ReReviewDecided": "复核决定",
    "Closed": "办结",
    "Reopened": "重新办理",
    "Terminated": "终结",
    "Archived": "归档",
    "BacklogDesignated": "列入积案",
    "BacklogCleared": "积案销号",
    "RepeatLinked": "关联重复信访",
    "AccountabilityRecorded": "问责",
    "NoteAdded": "备注",
    "DocumentAttached": "附件",
    "Corrected": "更正",
    "PersonalDataViewed": "查看个人信息",
    # issue 18 (R5, R6, R7)
    "Reassigned": "改派",
    "NoticeIssued": "书面告知",
    "CompletionReported": "办结报告",
    "AssignmentObjected": "交办异议",
    "ObjectionDecided": "异议处理",
    "DiversionOutcomeRecorded": "分流结果",
    "QueryCodeReissued": "补发查询码",
    "ImplementationRecorded": "落实",
}

CLOCK = {
    "screening": "登记受理期限",
    "assignment_objection": "交办异议期",
    "supervision_reply": "督办回复期限",
    "handling": "办理期限",
    "fast_track_meet": "快速办理·见面",
    "fast_track_facts": "快速办理·查明",
    "fast_track_answer": "快速办理·答复",
    "review_request_window": "申请复查期",
    "review_decision": "复查期限",
    "re_review_request_window": "申请复核期",
    "re_review_decision": "复核期限",
    "completion_report": "办结报告期限",
    "implementation": "落实期限",  # 第三十三条: a supported answer carried out (issue 21)
}

CLOCK_STATE = {
    "running": "计时中",
    "met": "按期",
    "overdue": "已超期",
    "met_late": "超期完成",
    "window_open": "期间内",
    "window_closed": "期间届满",
}

CHANNEL = {"visit": "来访", "phone": "电话", "letter": "来信", "email": "电子邮件", "online": "网上信访"}
# Category codes the demo data and the generator use; an office's own codes show as they are.
CATEGORY = {
    "land": "国土资源",
    "labour": "劳动社保",
    "housing": "城乡建设",
    "social_security": "民政",
    "environment": "生态环境",
    "urban_management": "城市管理",
    "health": "卫生健康",
    "education": "教育",
    "rural_affairs": "农村农业",
    "discipline": "纪检监察",
}
KIND = {"complaint_request": "投诉请求", "accusation": "检举控告", "suggestion": "意见建议"}
SATISFACTION = {"satisfied": "满意", "basically_satisfied": "基本满意", "unsatisfied": "不满意"}
ROLE = {
    "admin": "管理员",
    "registrar": "登记员",
    "officer": "承办人",
    "leader": "包案领导",
    "supervisor": "督办",
    "inspector": "纪检监察",
    "petitioner": "信访人（自助查询评价）",
}

MEASURE = {
    "interview": "约谈",
    "notice_of_criticism": "通报批评",
    "admonishment": "诫勉",
    "party_discipline": "党纪处分",
    "organisational": "组织处理",
    "listed_supervision": "挂牌督办",
    "ordered_rectification": "责令限期整改",
}

# 第四十条 recommendations and the state of their feedback (issue 21)
# 销号's basis (issue 21; ClearanceBasis): shown where the field `basis` holds one of these codes;
# an accountability basis is free text, which no code matches and so shows as written.
CLEARANCE_BASIS = {"closed": "已办结", "terminated": "已依法终结", "left_the_petition_path": "已不予受理、分流或转送",
                   "petitioner_desisted": "信访人书面承诺息诉罢访"}  # fmt: skip
RECOMMENDATION_KIND = {"improve": "改进工作建议", "policy": "完善政策建议", "accountability": "追究责任建议"}
RECOMMENDATION_STATE = {"awaiting": "待反馈", "overdue": "逾期未反馈", "adopted": "已采纳", "not_adopted": "未采纳"}
# The unit's written feedback form on the recommendations page: its fields and the adoption choice.
RECOMMENDATION_FEEDBACK = {"adopted": "是否采纳", "text": "书面反馈", "1": "采纳", "0": "不采纳"}

FIGURE = {
    "closure_rate": "办结率",
    "on_time_closure_rate": "按期办结率",
    "satisfaction_rate": "满意率",
    "resolution_rate": "化解率",
    "settled_rate": "案结事了率",
    "repeat_rate": "重复信访率",
    "first_contact_resolution_rate": "初信初访化解率",
    "implementation_rate": "落实率",
}

FIELD = {
    "status": "状态",
    "subject": "事项",
    "content": "内容",
    "petitioners": "信访人",
    "category": "类别",
    "channel": "渠道",
    "kind": "类型",
    "unit_code": "承办单位",
    "leader_id": "包案领导",
    "officer_id": "承办人",
    "received_unit": "登记单位",
    "region_code": "行政区划代码",
    "external_ref": "外部编号",
    "policy_version": "期限规则版本",
    "accused_unit": "被举报单位",
    "accused_leader": "被举报领导",
    "handling_period": "办理轮次",
    "extension_days": "延期天数",
    "answer_outcome": "答复意见",
    "answer_delivered_on": "答复送达日",
    "satisfaction": "满意度",
    "closure_type": "办结方式",
    "closed_at": "办结时间",
    "accepted_at": "受理时间",
    "registered_at": "登记时间",
    "archived_at": "归档时间",
    "termination_basis": "终结依据",
    "backlog_campaigns": "积案专项",
    "repeat_of": "重复信访",
    "documents": "附件",
    "late_entry": "补录",
    "headcount": "人数",
    # issue 18 (R5, R6, R7)
    "notice_issued_on": "告知日期",
    "notice_mode": "告知方式",
    "notice_pending": "待告知",
    "issued_on": "告知日期",
    "report_by": "办结报告期限",
    "done_on": "落实日期",
    "rectify_by": "整改期限",
    "completion_reported_version": "办结报告",
    "objection_pending": "交办异议待处理",
    "upheld": "异议成立",
    "outcome": "结果",
    "on": "日期",
    "diversion_outcome": "分流结果",
    "diverted_to": "分流去向",
    # the appeal chain and the repeat screen (R3, R10)
    "answering_unit": "答复单位",
    "review_received_on": "复查请求收到日",
    "review_deciding_unit": "复查机关",
    "review_referred_upward": "复查请求已报上级",
    "review_unit": "复查决定机关",
    "review_decided_outside": "复查由辖区外上级作出",
    "re_review_received_on": "复核请求收到日",
    "re_review_deciding_unit": "复核机关",
    "re_review_referred_upward": "复核请求已报上级",
    "terminated_matter_on_record": "同一信访人有已终结事项",
    "different_matter_reason": "非同一事项的理由",
    "received_on": "收到日期",
    "deciding_unit": "决定机关",
    "referred_upward": "已报上级",
    "decided_outside": "辖区外上级决定",
}

# Every other field an event or a case view carries (issue 22: no field name on a page).
FIELD.update({
    "case_id": "案件编号", "version": "版本", "corrections": "更正记录", "completion_reported": "已报送办结报告",
    "accepting_unit": "受理单位", "reason_code": "不予受理理由", "pathway": "分流途径", "institution": "接收机关",
    "authority": "转送机关", "report_by": "办结报告期限", "text": "内容", "supervisor_id": "督办人",
    "reply_by": "回复期限", "supervision_version": "所回复的督办", "reply": "回复内容", "step": "办理步骤",
    "note": "说明", "document_sha256": "文书指纹（SHA-256）", "days": "天数", "approved_by": "批准领导",
    "petitioner_notified_on": "告知信访人日期", "delivered_on": "送达日期", "signed": "信访人签字",
    "method": "方式", "answer_sha256": "答复意见书指纹", "comment": "信访人意见", "requested_on": "申请日期",
    "reviewing_unit": "决定机关", "decision": "决定", "started_on": "开始日期", "ended_on": "结束日期",
    "basis": "依据", "dossier": "卷宗材料", "campaign": "专项行动", "designated_by": "认定人", "cleared_by": "销号经办人",
    "query_code_hash": "查询码（散列）", "reception_id": "接访活动", "assignment_count": "交办次数",
    "implemented_on": "落实日期", "implemented_answer_version": "落实所依答复", "backlog_cleared": "已销号专项",
    "rectify_by": "整改期限", "escalation_in_force": "集中督办政策施行",
    "earlier_case_id": "前案编号", "earlier_terminated": "前案已终结", "measure": "问责措施",
    "decided_by": "决定人", "target_leader_id": "被问责领导", "target_unit_code": "被问责单位",
    "file_name": "文件名", "media_type": "文件类型", "sha256": "文件指纹（SHA-256）",
    "target_version": "被更正事件", "target_type": "被更正事件类型", "field": "更正字段",
    "old_value": "原值", "new_value": "新值", "purpose": "用途", "objection_pending": "交办异议待处理",
    "assignment_version": "交办", "reasons": "理由", "name": "姓名", "id_number": "身份证号",
    "phone": "电话", "address": "住址", "user_id": "用户", "role": "角色", "unit": "单位",
    # the audit fields every event carries (shown in their own columns, named here all the same)
    "actor": "操作人", "occurred_at": "发生时间", "reason": "理由", "request_id": "请求编号",
    "timestamp": "写入时间", "prev_hash": "前序哈希", "originator_id": "案件编号",
    "originator_version": "事件序号", "originator_topic": "事件类型", "originator_id_type": "编号类型",
})

NOT_ACCEPTED_REASON = {
    "in_litigation": "已进入诉讼程序", "skipped_levels": "越级信访", "already_in_handling": "正在办理中",
    "terminated_same_matter": "同一事项已终结", "closed_by_court": "已经法院裁判",
    "out_of_remit": "不属于本机关职责范围", "anonymous_unclear": "匿名且事实不清",
}
PATHWAY = {
    "litigation": "诉讼", "procuratorate": "检察", "arbitration": "仲裁", "party_appeal": "党员申诉",
    "administrative_reconsideration": "行政复议", "administrative_procedure": "行政程序",
    "police": "公安机关", "discipline_inspection": "纪检监察机关",
}
PROGRESS_STEP = {"met_petitioner": "约见信访人", "site_investigation": "实地调查",
                 "coordination_meeting": "协调会", "facts_established": "查明事实"}  # fmt: skip
# `outcome` names an answer's, a mediation's or a diversion's outcome: their codes do not overlap.
OUTCOME = {
    "support": "支持", "explain": "解释说明", "reject": "不支持",
    "agreement": "达成调解协议", "settlement": "和解", "failed": "调解未成",
    "taken_up": "已受理", "returned": "回流",
}
CONTACT_METHOD = {"visit": "上门", "phone": "电话", "letter": "信函", "online": "网上", "self_service": "信访人自助评价"}
REVIEW_DECISION = {"upheld": "维持", "changed": "变更"}
CLOSURE = {"resolved": "化解办结", "answered_only": "答复办结", "mediated": "调解办结"}
TERMINATION = {"re_review_decided": "复核终结", "no_review_in_time": "逾期未申请复查",
               "mediation_agreement": "达成调解协议"}  # fmt: skip
DOSSIER_ITEM = {"record": "登记记录", "verification": "核查材料", "screening": "受理审查",
                "determination": "处理意见", "resolution": "化解材料", "dossier": "案卷"}  # fmt: skip
# The clock policies by a name a reader knows (domain/policies.toml holds the rules).
POLICY = {
    "2022-calendar": "《信访工作条例》（2022）自然日计算",
    "2022-calendar-2": "《信访工作条例》（2022）自然日计算，末日逢休息日顺延",
    "2022-working": "《信访工作条例》（2022）工作日计算",
    "2022-calendar-fast-track": "《信访工作条例》（2022）自然日计算，含本地快速办理",
}

NOTICE_MODE = {"written": "书面告知", "on_the_spot": "当场告知", "address_unclear": "姓名住址不清"}
DIVERSION_OUTCOME = {"taken_up": "已受理", "returned": "回流"}

RECEPTION_KIND = {"leader_day": "领导接访日", "home_visit": "下访", "appointment": "约访", "joint": "联合接访"}

TABLES = {
    "clearance_basis": CLEARANCE_BASIS,
    "basis": {**TERMINATION, **CLEARANCE_BASIS},
    "reception_kind": RECEPTION_KIND,
    "status": STATUS,
    "category": CATEGORY,
    "event": EVENT,
    "clock": CLOCK,
    "clock_state": CLOCK_STATE,
    "channel": CHANNEL,
    "kind": KIND,
    "satisfaction": SATISFACTION,
    "role": ROLE,
    "figure": FIGURE,
    "measure": MEASURE,
    "field": FIELD,
    "notice_mode": NOTICE_MODE,
    "diversion_outcome": DIVERSION_OUTCOME,
    "not_accepted_reason": NOT_ACCEPTED_REASON,
    "pathway": PATHWAY,
    "progress_step": PROGRESS_STEP,
    "outcome": OUTCOME,
    "contact_method": CONTACT_METHOD,
    "review_decision": REVIEW_DECISION,
    "closure": CLOSURE,
    "termination": TERMINATION,
    "dossier_item": DOSSIER_ITEM,
    "policy": POLICY,
    "recommendation_kind": RECOMMENDATION_KIND,
    "recommendation_state": RECOMMENDATION_STATE,
    "recommendation_feedback": RECOMMENDATION_FEEDBACK,
}


def label(value: object, table: str) -> str:
    if value is None:
        return "—"
    return TABLES[table].get(str(value), str(value))


# Fields whose values are codes, and the table that names them.
VALUE_TABLES = {
    "status": "status",
    "kind": "kind",
    "channel": "channel",
    "satisfaction": "satisfaction",
    "category": "category",
    "notice_mode": "notice_mode",
    "diversion_outcome": "diversion_outcome",
    "reason_code": "not_accepted_reason",
    "pathway": "pathway",
    "step": "progress_step",
    "outcome": "outcome",
    "answer_outcome": "outcome",
    "method": "contact_method",
    "decision": "review_decision",
    "closure_type": "closure",
    "basis": "basis",  # a termination's or a 销号's; an accountability basis is free text
    "termination_basis": "termination",
    "dossier": "dossier_item",
    "measure": "measure",
    "policy_version": "policy",
    "target_type": "event",
    "field": "field",
    "role": "role",
}


def field_value(value: object, field: str) -> object:
    """A field's value with its Chinese name when the field holds a code (each item of a list)."""
    table = VALUE_TABLES.get(field)
    if table is None or value is None:
        return value
    if isinstance(value, list | tuple):
        return [label(v, table) for v in value]
    return label(value, table)


def reason_text(reason: str | None) -> str | None:
    """A reason or purpose the service itself writes, in Chinese; a person's own words as they are."""
    if reason is None:
        return None
    if reason.endswith(" (command line)"):  # api/cli.py's export
        return (reason_text(reason[: -len(" (command line)")]) or "") + "（命令行）"
    for code, words in SERVICE_REASONS.items():
        if reason == code:
            return words
        if reason.startswith(code + ": "):
            return f"{words}：{reason[len(code) + 2 :]}"
    return reason


# Reasons written by the service (api/routers/evidence.py, api/demo.py, the CLI), not by a person.
SERVICE_REASONS = {
    "evidence export": "导出证据材料",
    "demo data": "示范数据",
    "xinfang users add": "命令行添加用户",
    "XINFANG_ADMIN_TOKEN at start-up": "启动时按配置创建管理员",
}


# ---- issue 22: Excel exports, the 台账 import and the annual report (additive) -----------------

# The 台账's coded columns take the pages' names: an answer's outcome is one of three; a closure any.
ANSWER_OUTCOME = {code: OUTCOME[code] for code in ("support", "explain", "reject")}
CLOSURE_TYPE = CLOSURE
TABLES.update({"answer_outcome": ANSWER_OUTCOME, "closure_type": CLOSURE_TYPE})

# Labels the export headers need that the pages had not named yet; the pages' own win.
for _field, _name in (
    {
        "case_id": "案件编号",
        "answer_outcome": "答复意见",
        "answered_at": "答复时间",
        "next_deadline": "下一期限",
        "days_overdue": "超期天数",
        "overdue": "超期",
        "backlog": "积案",
        "visited_on": "回访日期",
        "method": "回访方式",
        "signed": "签字确认",
        "comment": "回访意见",
        "measure": "问责方式",
        "basis": "问责依据",
        "decided_by": "决定人",
        "target_leader_id": "被问责领导",
        "target_unit_code": "被问责单位",
        "open": "在办",
        "answered": "已答复",
        "closed": "已办结",
        "avg_handling_days": "平均办理天数",
        "satisfaction_rate": "满意率",
        "occurred_at": "发生时间",
        "handling_days": "办理天数",
    }
).items():
    FIELD.setdefault(_field, _name)
FIGURE.update(
    {
        "first_contact_resolution_rate": "初信初访化解率",
        "implementation_rate": "落实率",
    }
)


def code_of(text: object, table: str) -> str | None:
    """The code a Chinese label (or the code itself) names in `table`, or None if neither."""
    value = str(text).strip()
    names = TABLES[table]
    if value in names:
        return value
    return next((code for code, name in names.items() if name == value), None)
