"""The local escalation policy (Yongxing county; DOMAIN.md, practices): which matters go to the
month's concentrated supervision meeting. Off until a jurisdiction puts it in force
(`LocalPolicy.ESCALATION`, an event on the policy adoptions).

A matter escalates when it was assigned (交办, an assignment or reassignment) 3 or more times and
the petitioner's latest return visit was unsatisfied; under the policy it closes only after a
satisfied or basically satisfied return visit (rules.ESCALATED_MATTER_CLOSES_WHEN_SATISFIED).
"""

from __future__ import annotations

from domain.case import ESCALATION_ASSIGNMENTS, Case
from domain.vocabulary import Satisfaction, Status

# Still before the meeting: open, or closed but not archived (a closure over an unsatisfied
# petitioner before the policy came in force does not settle the matter). A terminated matter is
# final (第三十六条) and leaves the list.
ON_THE_LIST_STATUSES = frozenset(
    {
        Status.ACCEPTED, Status.IN_HANDLING, Status.ANSWERED, Status.UNDER_REVIEW, Status.REVIEWED,
        Status.UNDER_RE_REVIEW, Status.CLOSED,
    }
)  # fmt: skip


def is_escalated(case: Case) -> bool:
    return (
        case.assignment_count >= ESCALATION_ASSIGNMENTS
        and case.satisfaction is Satisfaction.UNSATISFIED
        and case.status in ON_THE_LIST_STATUSES
    )
