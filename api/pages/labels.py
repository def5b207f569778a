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
RECOMMENDATION_KIND = {"improve": "改进工作建议", "policy": "完善政策建议", "accountability": "追究责任建议"}
RECOMMENDATION_STATE = {"awaiting": "待反馈", "overdue": "逾期未反馈", "adopted": "已采纳", "not_adopted": "未采纳"}

FIGURE = {
    "closure_rate": "办结率",
    "on_time_closure_rate": "按期办结率",
    "satisfaction_rate": "满意率",
    "resolution_rate": "化解率",
    "settled_rate": "案结事了率",
    "repeat_rate": "重复信访率",
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

NOTICE_MODE = {"written": "书面告知", "on_the_spot": "当场告知", "address_unclear": "姓名住址不清"}
DIVERSION_OUTCOME = {"taken_up": "已受理", "returned": "回流"}

TABLES = {
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
    "recommendation_kind": RECOMMENDATION_KIND,
    "recommendation_state": RECOMMENDATION_STATE,
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
}


def field_value(value: object, field: str) -> object:
    """A field's value with its Chinese name when the field holds a code."""
    table = VALUE_TABLES.get(field)
    return value if table is None or value is None else label(value, table)
