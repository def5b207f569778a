"""Each case command declared once: its domain spec, request body, roles and OpenAPI summary.

The router makes one endpoint per declaration, the permissions check reads its roles, and the
docs show its summary; `COMMAND_BODIES` and `COMMAND_ROLES` are views of this list.
"""

from __future__ import annotations

from dataclasses import dataclass

from api import schemas as s
from api.permissions import CASE_ROLES
from domain.case_commands import SPEC_OF, CommandSpec
from domain.vocabulary import Role


@dataclass(frozen=True)
class CommandDeclaration:
    spec: CommandSpec
    body: type[s.CommandBody]
    roles: frozenset[Role]
    summary: str

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def label(self) -> str:
        """The Chinese name the case page's command panel shows (COMMAND_LABELS)."""
        return COMMAND_LABELS[self.spec.name]


def _declare(
    name: str, body: type[s.CommandBody], roles: set[Role] | frozenset[Role], summary: str
) -> CommandDeclaration:
    return CommandDeclaration(SPEC_OF[name], body, frozenset(roles), summary)


R = Role
REGISTER_ROLES = frozenset({R.REGISTRAR})

DECLARATIONS: tuple[CommandDeclaration, ...] = (
    _declare("accept", s.AcceptIn, {R.REGISTRAR},
             "Accept the case for handling (受理); the 60-day clock starts"),
    _declare("not-accept", s.NotAcceptIn, {R.REGISTRAR},
             "Refuse the case with a reason code and written notice (不予受理)"),
    # R7: the registrar before acceptance, the holding officer or the supervisor after it
    # (the phase is checked by the rule diversion_by_the_phase_holder)
    _declare("divert", s.DivertIn, {R.REGISTRAR, R.OFFICER, R.SUPERVISOR},
             "Route the case to a legal pathway (导入法定途径), until the answer"),
    _declare("transfer", s.TransferIn, {R.REGISTRAR},
             "Send the case to another authority (转送)"),
    # issue 21: the registrar at a joint reception's window, to a unit present there (联合接访)
    _declare("assign", s.AssignIn, {R.SUPERVISOR, R.REGISTRAR},
             "Assign to a unit, a responsible leader and an officer (交办); at a joint reception "
             "(联合接访) the registrar hands the case at once to a unit present"),
    _declare("reassign", s.AssignIn, {R.SUPERVISOR},
             "Hand the case to another unit or leader"),
    _declare("instruct", s.InstructIn, {R.LEADER},
             "Record the logged-in leader's written instruction (批示)"),
    _declare("supervise", s.SuperviseIn, {R.SUPERVISOR},
             "Issue a supervision letter with a reply-by date (督办函)"),
    _declare("supervision-answer", s.SupervisionAnswerIn, {R.OFFICER, R.LEADER},
             "Record the unit's written reply to a supervision letter"),
    _declare("progress", s.ProgressIn, {R.OFFICER},
             "Record a handling step (五到位)"),
    _declare("mediation", s.MediationIn, {R.OFFICER},
             "Record a mediation outcome (调解)"),
    _declare("extend", s.ExtendIn, {R.OFFICER, R.LEADER},
             "Grant the one extension of a handling period, at most 30 days, approved by a leader "
             "of the handling unit or above (延期)"),
    _declare("answer", s.AnswerIn, {R.OFFICER, R.LEADER},
             "Record the written answer and its delivery (答复)"),
    _declare("return-visit", s.ReturnVisitIn, {R.OFFICER, R.REGISTRAR},
             "Record the return visit and the petitioner's satisfaction (回访)"),
    _declare("review-request", s.RequestIn, {R.REGISTRAR},
             "Record the petitioner's review request (复查) on a complaint request's answer, "
             "and the day it was received"),
    _declare("review-decision", s.DecisionIn, {R.SUPERVISOR},
             "Record the review decision of the unit one level above the answering unit, "
             "or the outside decision of a request referred upward (decided_outside)"),
    _declare("re-review-request", s.RequestIn, {R.REGISTRAR},
             "Record the petitioner's re-review request (复核)"),
    _declare("hearing", s.HearingIn, {R.SUPERVISOR},
             "Record a hearing (听证), in re-review (its days do not count against that deadline) "
             "or during handling of a complaint request"),
    _declare("re-review-decision", s.DecisionIn, {R.SUPERVISOR},
             "Record the re-review decision of the unit one level above the reviewing unit, "
             "or the outside one; the matter is terminated (终结)"),
    _declare("close", s.CloseIn, {R.OFFICER, R.LEADER},
             "Close the case (办结)"),
    _declare("reopen", s.ReopenIn, {R.SUPERVISOR},
             "Reopen a closed case (回流); give the reason"),
    _declare("terminate", s.TerminateIn, {R.SUPERVISOR},
             "Terminate the matter (终结)"),
    _declare("archive", s.ArchiveIn, {R.REGISTRAR, R.OFFICER},
             "Archive the complete dossier (归档)"),
    _declare("backlog", s.BacklogIn, {R.SUPERVISOR},
             "Designate the case to a backlog campaign (积案)"),
    _declare("link-repeat", s.LinkRepeatIn, {R.REGISTRAR},
             "Link this case as a repeat of an earlier one (重信重访)"),
    _declare("accountability", s.AccountabilityIn, {R.INSPECTOR},
             "Record an accountability measure (问责)"),
    _declare("notes", s.NoteIn, CASE_ROLES,
             "Add a note"),
    _declare("documents", s.DocumentIn, {R.REGISTRAR, R.OFFICER, R.LEADER, R.SUPERVISOR, R.INSPECTOR},
             "Attach a document by its SHA-256"),
    _declare("corrections", s.CorrectionIn, {R.REGISTRAR, R.OFFICER, R.SUPERVISOR},
             "Correct an earlier entry; the original stays on the record"),
    # issue 18 (R5, R6, R7)
    _declare("notice", s.NoticeIn, {R.REGISTRAR, R.OFFICER, R.SUPERVISOR},  # whoever decided the outcome
             "Record the written notice of a screening outcome decided without one; "
             "the screening clock stops on its date (告知)"),
    _declare("completion-report", s.CompletionReportIn, {R.OFFICER, R.LEADER},  # the holding unit
             "Record the holding unit's completion report (办结报告); its deadline stops"),
    _declare("objection", s.ObjectionIn, {R.OFFICER, R.LEADER},  # the assigned unit
             "Object to the assignment within 5 working days, with reasons (异议)"),
    _declare("objection-decision", s.ObjectionDecisionIn, {R.SUPERVISOR},  # the assigning side
             "Decide an objection; upheld, the case returns for reassignment (交还)"),
    _declare("diversion-outcome", s.DiversionOutcomeIn, {R.REGISTRAR, R.OFFICER, R.SUPERVISOR},
             "Record what the legal pathway did: taken up, or returned (回流) to screening"),
    _declare("query-code-reissue", s.QueryCodeReissueIn, {R.REGISTRAR},
             "Issue a new query code (查询码) for the petitioner; the old one stops working. "
             "The answer carries the code, shown once and never stored"),
    # issue 21 (practices)
    _declare("backlog-clear", s.BacklogClearIn, {R.SUPERVISOR},
             "Strike the case off its backlog campaign (销号), approved by a leader posted over its "
             "unit; a case still open only on the petitioner's written undertaking (息诉罢访)"),
    # issue 21
    _declare("implementation", s.ImplementationIn, {R.OFFICER, R.LEADER},  # the holding unit
             "Record that a supported answer was carried out (落实); its clock stops on done_on"),
)  # fmt: skip

# The name of each command as an office says it, for the case page's command panel; every
# declaration has one (tests/pages/test_command_forms.py).
COMMAND_LABELS: dict[str, str] = {
    "accept": "受理", "not-accept": "不予受理", "divert": "导入法定途径（分流）", "transfer": "转送",
    "assign": "交办", "reassign": "改派", "instruct": "领导批示", "supervise": "督办",
    "supervision-answer": "督办回复", "progress": "办理进展", "mediation": "调解", "extend": "延期",
    "answer": "答复", "return-visit": "回访", "review-request": "复查申请", "review-decision": "复查决定",
    "re-review-request": "复核申请", "hearing": "听证", "re-review-decision": "复核决定", "close": "办结",
    "reopen": "重新办理", "terminate": "终结", "archive": "归档", "backlog": "列入积案",
    "link-repeat": "关联重复信访", "accountability": "问责", "notes": "备注", "documents": "附件",
    "corrections": "更正", "notice": "书面告知", "completion-report": "办结报告", "objection": "交办异议",
    "objection-decision": "异议处理", "diversion-outcome": "分流结果", "query-code-reissue": "补发查询码", "backlog-clear": "积案销号", "implementation": "落实",
}  # fmt: skip

DECLARATION_OF: dict[str, CommandDeclaration] = {d.name: d for d in DECLARATIONS}
COMMAND_BODIES: dict[str, type[s.CommandBody]] = {d.name: d.body for d in DECLARATIONS}
# API command name → roles that may issue it; registering is the one command outside a case.
COMMAND_ROLES: dict[str, frozenset[Role]] = {"register": REGISTER_ROLES} | {
    d.name: d.roles for d in DECLARATIONS
}
