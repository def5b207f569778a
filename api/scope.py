"""The reader's scope as SQL, for every listing and count over a per-case view table.

Convention: every per-case view row carries `received_path` and `unit_path` (unit paths as
in projections/units.py: "/county/town/"), `leader_id`, `kind`, `accused_path` and
`accused_leader`. A reader sees a row only within the scope of api/permissions.SCOPE_BY_ROLE,
so a listing never shows a row, and a count never counts a case, its reader may not see.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from api.auth import Principal
from api.permissions import CASE_ROLES, SCOPE_BY_ROLE
from domain.errors import Forbidden
from projections.sqltypes import subtree_pattern
from projections.units import UnitPaths


@dataclass(frozen=True)
class ScopeSQL:
    where: str  # a boolean SQL expression with `?` placeholders
    params: tuple[Any, ...]


def case_scope(who: Principal, paths: UnitPaths, alias: str = "") -> ScopeSQL:
    """Rows of per-case views this reader may see at all."""
    if who.role not in CASE_ROLES:
        raise Forbidden("your role does not read cases", role=who.role.value)
    a = f"{alias}." if alias else ""
    scope = SCOPE_BY_ROLE[who.role]
    if scope == "all":
        return ScopeSQL("1=1", ())
    own = paths.path(who.unit_code)
    if own is None:
        return ScopeSQL("1=0", ())
    prefix = subtree_pattern(own)
    received = f"{a}received_path LIKE ? ESCAPE '\\'"
    held = f"{a}unit_path LIKE ? ESCAPE '\\'"
    if scope == "received":
        return ScopeSQL(received, (prefix,))
    if scope == "held":
        if who.leader_id:
            return ScopeSQL(f"({held} OR {a}leader_id = ?)", (prefix, who.leader_id))
        return ScopeSQL(held, (prefix,))
    return ScopeSQL(f"({received} OR {held})", (prefix, prefix))


def accused_party(who: Principal, paths: UnitPaths, alias: str = "") -> ScopeSQL:
    """True for rows where this reader is the accused unit (or below it) or the accused leader:
    such rows never show the petitioner or the content (第三十条)."""
    a = f"{alias}." if alias else ""
    own = paths.path(who.unit_code)
    parts, params = [], []
    if own is not None:
        parts.append(f"(? LIKE {a}accused_path || '%')")
        params.append(own)
    if who.leader_id:
        parts.append(f"{a}accused_leader = ?")
        params.append(who.leader_id)
    if not parts:
        return ScopeSQL("1=0", ())
    return ScopeSQL(f"({a}kind = 'accusation' AND ({' OR '.join(parts)}))", tuple(params))
