"""What each key figure counts, in the office's words, shown beside it on the figures page
(DOMAIN.md R11; the API's definitions are in api/routers/figures.py and projections/figures/view.py)."""

from __future__ import annotations

DEFINITIONS: dict[str, str] = {
    "closure_rate": "期间内受理的案件中，现已办结的比例（分母：期间内受理的案件；重新办理后再办结的按最后一次办结计）。",
    "on_time_closure_rate": "期间内最终办结的案件中，按期答复的比例：答复在办理期限（60 日，延期的加延长天数，第三十四条）"
    "内送达即为按期，以办理期限计时的结论为准，与办结日无关。意见建议、检举控告没有 60 日办理期限，不算超期。",
    "satisfaction_rate": "期间内所做回访中，信访人满意或基本满意的比例。",
    "resolution_rate": "期间内登记的案件中，现已以“化解”或“调解”办结、且最近一次回访不是“不满意”的比例。",
    "settled_rate": "期间内登记的案件中，已办结、最近一次回访不是“不满意”，且办结后 90 日内没有复查申请、重新办理或重复信访，"
    "并且这 90 日已经届满的比例。",
    "repeat_rate": "期间内登记的案件中，被此后的案件关联为重复信访的比例。",
    "first_contact_resolution_rate": "期间内登记的初信初访（此前没有同一信访人身份证号的案件）中，按化解率的口径已化解的比例。",
    "implementation_rate": "期间内送达的支持类答复中，已记录落实（第三十三条）的比例；仍在落实期限内的也计入分母。",
}

PENDING = (
    "“待定”：已办结且目前满足条件、但办结后的 90 日尚未届满的案件（按今天计算）。这些案件暂不计入分子，"
    "仍计入分母；90 日届满前若有复查申请、重新办理或重复信访，则不算案结事了。"
)
