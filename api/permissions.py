"""Who may do what: the role table for commands and the unit scope of reads and writes.

A table in code, so it can be read, reviewed and tested as one piece (tests/api/test_permissions.py).
"""

from __future__ import annotations

from domain.vocabulary import Role

R = Role
CASE_ROLES = frozenset({R.REGISTRAR, R.OFFICER, R.LEADER, R.SUPERVISOR, R.INSPECTOR})

# API command name → roles that may issue it.
COMMAND_ROLES: dict[str, frozenset[Role]] = {
    "register": frozenset({R.REGISTRAR}),
    "accept": frozenset({R.REGISTRAR}),
    "not-accept": frozenset({R.REGISTRAR}),
    # R7: the registrar before acceptance, the holding officer or the supervisor after it
    # (the phase is checked by the rule diversion_by_the_phase_holder)
    "divert": frozenset({R.REGISTRAR, R.OFFICER, R.SUPERVISOR}),
    "transfer": frozenset({R.REGISTRAR}),
    "assign": frozenset({R.SUPERVISOR}),
    "reassign": frozenset({R.SUPERVISOR}),
    "instruct": frozenset({R.LEADER}),
    "supervise": frozenset({R.SUPERVISOR}),
    "supervision-answer": frozenset({R.OFFICER, R.LEADER}),
    "progress": frozenset({R.OFFICER}),
    "mediation": frozenset({R.OFFICER}),
    "extend": frozenset({R.OFFICER, R.LEADER}),
    "answer": frozenset({R.OFFICER, R.LEADER}),
    "return-visit": frozenset({R.OFFICER, R.REGISTRAR}),
    "review-request": frozenset({R.REGISTRAR}),
    "review-decision": frozenset({R.SUPERVISOR}),
    "re-review-request": frozenset({R.REGISTRAR}),
    "hearing": frozenset({R.SUPERVISOR}),
    "re-review-decision": frozenset({R.SUPERVISOR}),
    "close": frozenset({R.OFFICER, R.LEADER}),
    "reopen": frozenset({R.SUPERVISOR}),
    "terminate": frozenset({R.SUPERVISOR}),
    "archive": frozenset({R.REGISTRAR, R.OFFICER}),
    "backlog": frozenset({R.SUPERVISOR}),
    "link-repeat": frozenset({R.REGISTRAR}),
    "accountability": frozenset({R.INSPECTOR}),
    "notes": CASE_ROLES,
    "documents": frozenset({R.REGISTRAR, R.OFFICER, R.LEADER, R.SUPERVISOR, R.INSPECTOR}),
    "corrections": frozenset({R.REGISTRAR, R.OFFICER, R.SUPERVISOR}),
    # issue 18 (R5, R6, R7)
    "notice": frozenset({R.REGISTRAR, R.OFFICER, R.SUPERVISOR}),  # whoever decided the outcome
    "completion-report": frozenset({R.OFFICER, R.LEADER}),  # the holding unit
    "objection": frozenset({R.OFFICER, R.LEADER}),  # the assigned unit
    "objection-decision": frozenset({R.SUPERVISOR}),  # the assigning side
    "diversion-outcome": frozenset({R.REGISTRAR, R.OFFICER, R.SUPERVISOR}),
}

# Reference data.
REFERENCE_WRITE = frozenset({R.ADMIN, R.SUPERVISOR})
USER_ADMIN = frozenset({R.ADMIN})
# A jurisdiction's choice of clock policy (R8) is an administrator's, never a registrar's per case.
POLICY_ADOPT = frozenset({R.ADMIN})
REFERENCE_READ = frozenset(Role)

# Signed checkpoints: who may make one on demand and run a full ledger verification.
LEDGER_ROLES = frozenset({R.ADMIN, R.INSPECTOR, R.SUPERVISOR})

# Roles that may ask to see a petitioner's id number and phone unmasked (each read is recorded).
UNMASK_ROLES = frozenset({R.REGISTRAR, R.OFFICER, R.INSPECTOR})

# Case-level scope: which case units a role's own unit subtree must cover.
#   registrar  — the unit that received the case
#   officer    — the unit holding the case
#   leader     — the unit holding the case, or the leader holding it
#   supervisor — the receiving or the holding unit
#   inspector  — every case
SCOPE_BY_ROLE: dict[Role, str] = {
    R.REGISTRAR: "received",
    R.OFFICER: "held",
    R.LEADER: "held",
    R.SUPERVISOR: "received_or_held",
    R.INSPECTOR: "all",
}

# Roles that may export a case's evidence bundle or print its dossier (within their read scope;
# never an accused party). The export is complete, personal data included, and is recorded.
EXPORT_ROLES = frozenset({R.INSPECTOR, R.SUPERVISOR})
