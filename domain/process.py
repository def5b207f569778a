"""Which matters get which process (DOMAIN.md R4; 第二十九条 to 第三十一条, 第三十四条 to 第三十六条).

One place for the kinds, so the case's rules and the statutory clocks cannot disagree:
- complaint requests (申诉求决类, 第三十一条第六项) run the 60(+30)-day handling period and may
  go to review (复查) and re-review (复核);
- accusations (检举控告类, 第三十条) follow their handling body's own rules (R4): no 60(+30)-day
  handling period and no review chain here;
- suggestions (建议意见类, 第二十九条) are studied and replied to: no handling period and no
  review chain.
"""

from __future__ import annotations

from domain.vocabulary import Kind

HANDLING_PERIOD_KINDS = frozenset({Kind.COMPLAINT_REQUEST})
APPEAL_KINDS = frozenset({Kind.COMPLAINT_REQUEST})
HEARING_IN_HANDLING_KINDS = frozenset({Kind.COMPLAINT_REQUEST})


def has_handling_period(kind: Kind | None) -> bool:
    # A case whose kind is unknown (no registration seen) keeps the old behaviour: the clock runs.
    return kind is None or kind in HANDLING_PERIOD_KINDS


def has_appeal_chain(kind: Kind | None) -> bool:
    return kind is None or kind in APPEAL_KINDS
