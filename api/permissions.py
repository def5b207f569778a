"""Who may do what: the role table for commands and the unit scope of reads and writes.

A table in code, so it can be read, reviewed and tested as one piece (tests/api/test_permissions.py).
"""

from __future__ import annotations

from domain.vocabulary import Role

R = Role
CASE_ROLES = frozenset({R.REGISTRAR, R.OFFICER, R.LEADER, R.SUPERVISOR, R.INSPECTOR})

# The roles that may issue each case command are declared with it, in api/commands.py.

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
