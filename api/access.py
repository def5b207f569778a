"""Read and write scope of a user over a case, and what a user may see of it.

Confidentiality (第三十条): in an accusation, no user of the accused unit (or its sub-units)
and not the accused leader may read the petitioner or the content. Personal data (id number,
phone) is masked unless the role may unmask it and asks to, and each unmasked read is recorded.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from api.auth import Principal
from api.permissions import CASE_ROLES, COMMAND_ROLES, SCOPE_BY_ROLE
from domain.case import Case
from domain.errors import Forbidden
from domain.vocabulary import Kind, Role
from projections.units import UnitPaths

REDACTED = "【已屏蔽】"  # shown in place of what the reader may not see
CONFIDENTIAL_FIELDS = frozenset({"petitioners", "content"})


@dataclass(frozen=True)
class CaseUnits:
    """The facts of a case that decide who may see it."""

    kind: Kind | None
    received_unit: str
    unit_code: str | None
    leader_id: str | None
    accused_unit: str | None
    accused_leader: str | None

    @classmethod
    def of(cls, case: Case) -> CaseUnits:
        return cls(
            case.kind,
            case.received_unit,
            case.unit_code,
            case.leader_id,
            case.accused_unit,
            case.accused_leader,
        )


def in_scope(tree: UnitPaths, who: Principal, case: CaseUnits) -> bool:
    scope = SCOPE_BY_ROLE.get(who.role)
    if scope == "all":
        return True
    if scope == "received":
        return tree.within(case.received_unit, who.unit_code)
    if scope == "held":
        held = tree.within(case.unit_code, who.unit_code)
        return held or (
            who.role is Role.LEADER and who.leader_id is not None and who.leader_id == case.leader_id
        )
    if scope == "received_or_held":
        return tree.within(case.received_unit, who.unit_code) or tree.within(case.unit_code, who.unit_code)
    return False


def is_accused_party(tree: UnitPaths, who: Principal, case: CaseUnits) -> bool:
    if case.kind is not Kind.ACCUSATION:
        return False
    if case.accused_leader is not None and who.leader_id == case.accused_leader:
        return True
    return tree.within(who.unit_code, case.accused_unit)


def check_read(tree: UnitPaths, who: Principal, case: CaseUnits) -> None:
    if who.role not in CASE_ROLES or not in_scope(tree, who, case):
        raise Forbidden("this case is outside your unit's scope", role=who.role.value)


def check_command(tree: UnitPaths, who: Principal, command: str, case: CaseUnits | None) -> None:
    who.require(COMMAND_ROLES[command], f"issue {command}")
    if case is not None and not in_scope(tree, who, case):
        raise Forbidden("this case is outside your unit's scope", role=who.role.value)


def mask_id_number(value: str | None) -> str | None:
    if not value:
        return value
    return value[:6] + "*" * max(0, len(value) - 10) + value[-4:] if len(value) > 10 else "*" * len(value)


def mask_phone(value: str | None) -> str | None:
    if not value:
        return value
    return value[:3] + "****" + value[-4:] if len(value) >= 8 else "*" * len(value)


def petitioners_for(petitioners: Any, *, unmasked: bool) -> list[dict[str, Any]]:
    out = []
    for p in petitioners or ():
        d = dict(vars(p)) if not isinstance(p, dict) else dict(p)
        if not unmasked:
            d["id_number"] = mask_id_number(d.get("id_number"))
            d["phone"] = mask_phone(d.get("phone"))
        out.append(d)
    return out


def redact_fields(fields: dict[str, Any], *, accused: bool, unmasked: bool) -> dict[str, Any]:
    """Event or case fields as this reader may see them."""
    out = dict(fields)
    if accused:
        for name in CONFIDENTIAL_FIELDS & out.keys():
            out[name] = REDACTED
    elif "petitioners" in out:
        out["petitioners"] = petitioners_for(out["petitioners"], unmasked=unmasked)
    return out
