"""One access rule: which cases a reader may see, as a check on one case and as SQL for listings.

A reader sees a case when it lies in his role's unit scope (api/permissions.SCOPE_BY_ROLE) and he
is not on its accused side (第三十条, DOMAIN.md R1: domain/accused_side.py); an inspector sees
every case, and the user who registered a case keeps seeing it. For everyone else a case he may
not see does not exist: a read or a command answers 404 `case_not_found`, as for an unknown id.

`Access.may_see` (one case) and `Access.rows` (a listing's WHERE) are two forms of the same rule
over the same facts; tests/property/test_access_rule.py holds them equal on generated worlds.
Aggregate figures and caseloads count with `Access.counted`, the role's scope alone: R1 lets a
count include a case whose reader may not open it.

Every per-case view row carries the access columns: `received_path`, `unit_path` (unit paths as
in projections/reference_data/units.py: "/county/town/"), `leader_id`, `kind`, `accused_path`,
`accused_leader`, `registered_at` (when the matter arose) and `registered_by`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property
from typing import Any

from fastapi import Request

from api.auth import Principal
from api.commands import COMMAND_ROLES
from api.permissions import CASE_ROLES, SCOPE_BY_ROLE
from domain.accused_side import Accusation, Exposure, exposure
from domain.authority import ACCUSED_SIDE_REGISTRAR_ONLY_SCREENS, SCREENING_COMMANDS
from domain.case import Case
from domain.errors import CaseNotFound, Forbidden
from domain.reference_index import LeaderPostIndex
from domain.vocabulary import Role
from projections.engine.sqltypes import subtree_pattern
from projections.reference_data.units import UnitPaths

# How a listing's table keeps `registered_at`: the case status view as the store's own time
# type (projections/sqltypes.db_time), the per-case contexts of other views as UTC text.
TimeParam = Callable[[datetime], Any]


@dataclass(frozen=True)
class ScopeSQL:
    where: str  # a boolean SQL expression with `?` placeholders
    params: tuple[Any, ...]


@dataclass(frozen=True)
class Access:
    """What one reader may see of the cases."""

    who: Principal
    paths: UnitPaths
    posts: LeaderPostIndex

    @classmethod
    def of(cls, who: Principal, paths: UnitPaths, posts: LeaderPostIndex) -> Access:
        return cls(who, paths, posts)

    @cached_property
    def exposure(self) -> Exposure:
        """The reader's exposure, worked out at its first use: only an accusation or a listing
        needs it, and bringing the posts up to date reads the ledger (its head, and any leader
        events since), which a command on any other case would pay on every request (issue 23)."""
        return exposure(self.paths.ancestry(self.who.unit_code), self.who.leader_id, self.posts)

    @property
    def scope(self) -> str | None:
        return SCOPE_BY_ROLE.get(self.who.role)

    # ---- one case ---------------------------------------------------------------------

    def in_scope(self, case: Case) -> bool:
        """The role's unit scope alone (the same as `counted` in SQL)."""
        scope, own, tree = self.scope, self.who.unit_code, self.paths
        if scope == "all":
            return True
        received = scope in ("received", "received_or_held") and tree.within(case.received_unit, own)
        held = scope in ("held", "received_or_held") and tree.within(case.unit_code, own)
        by_leader = (
            scope == "held" and self.who.leader_id is not None and self.who.leader_id == case.leader_id
        )
        return received or held or by_leader

    def on_accused_side(self, case: Case) -> bool:
        accusation = Accusation.of(case)
        return accusation is not None and self.exposure.covers(accusation)

    def may_see(self, case: Case) -> bool:
        if self.who.role not in CASE_ROLES:
            return False
        if self.scope == "all" or case.registered_by == self.who.user_id:
            return True
        return self.in_scope(case) and not self.on_accused_side(case)

    def check_read(self, case: Case) -> None:
        """A case the reader may not see answers exactly as a case that does not exist."""
        if self.who.role not in CASE_ROLES:
            raise Forbidden("your role does not read cases", role=self.who.role.value)
        if not self.may_see(case):
            raise CaseNotFound("no such case", case_id=str(case.id))

    def check_command(self, command: str, case: Case | None) -> None:
        """The role may issue the command (403), and on a case it may see (404); on the accused
        side, the registering user may only finish screening (第三十条)."""
        self.who.require(COMMAND_ROLES[command], f"issue {command}")
        if case is None:
            return
        self.check_read(case)
        if self.scope != "all" and self.on_accused_side(case):
            ACCUSED_SIDE_REGISTRAR_ONLY_SCREENS.check(command in SCREENING_COMMANDS, command=command)

    # ---- listings ---------------------------------------------------------------------

    def counted(self, alias: str = "") -> ScopeSQL:
        """Rows an aggregate may count for this reader: the role's unit scope."""
        if self.who.role not in CASE_ROLES:
            raise Forbidden("your role does not read cases", role=self.who.role.value)
        a = f"{alias}." if alias else ""
        scope = self.scope
        if scope == "all":
            return ScopeSQL("1=1", ())
        own = self.paths.path(self.who.unit_code)
        parts: list[str] = []
        params: list[Any] = []
        if own is not None and scope in ("received", "received_or_held"):
            parts.append(f"{a}received_path LIKE ? ESCAPE '\\'")
            params.append(subtree_pattern(own))
        if own is not None and scope in ("held", "received_or_held"):
            parts.append(f"{a}unit_path LIKE ? ESCAPE '\\'")
            params.append(subtree_pattern(own))
        if scope == "held" and self.who.leader_id is not None:
            parts.append(f"{a}leader_id = ?")
            params.append(self.who.leader_id)
        return ScopeSQL(f"({' OR '.join(parts)})" if parts else "1=0", tuple(params))

    def rows(self, time_param: TimeParam, alias: str = "") -> ScopeSQL:
        """Rows of per-case views this reader may see: the listing form of `may_see`."""
        counted = self.counted(alias)
        if self.scope == "all":
            return counted
        a = f"{alias}." if alias else ""
        accused = self._accused_side(a, time_param)
        # COALESCE: a comparison with a missing value hides the row rather than shows it.
        return ScopeSQL(
            f"(({counted.where}) AND NOT COALESCE({accused.where}, 1=1)) OR {a}registered_by = ?",
            (*counted.params, *accused.params, self.who.user_id),
        )

    def _accused_side(self, a: str, time_param: TimeParam) -> ScopeSQL:
        """True on the rows of accusations whose accused side the reader is on (Exposure.covers).

        Each part is false, never NULL, on a row that lacks what it compares: a NULL would make
        the whole condition unknown, which `rows` reads as "hidden"."""
        parts: list[str] = []
        params: list[Any] = []
        own = self.paths.path(self.who.unit_code)
        if own is not None:  # the accused unit is the reader's unit or above it
            parts.append(
                f"({a}accused_path IS NOT NULL AND "
                f"substr(CAST(? AS TEXT), 1, length({a}accused_path)) = {a}accused_path)"
            )
            params.append(own)
        by_leader: list[str] = []
        if self.who.leader_id is not None:  # the reader is the accused leader
            by_leader.append(f"{a}accused_leader = ?")
            params.append(self.who.leader_id)
        still = sorted(leader for leader, until in self.exposure.posted.items() if until is None)
        if still:  # the accused leader holds a post above the reader now
            by_leader.append(f"{a}accused_leader IN ({', '.join('?' * len(still))})")
            params.extend(still)
        for leader, until in sorted(self.exposure.posted.items()):
            if until is not None:  # ... or held one after the matter arose
                by_leader.append(
                    f"({a}accused_leader = ? AND ({a}registered_at IS NULL OR {a}registered_at < ?))"
                )
                params.extend((leader, time_param(until)))
        if by_leader:
            parts.append(f"({a}accused_leader IS NOT NULL AND ({' OR '.join(by_leader)}))")
        if not parts:
            return ScopeSQL("1=0", ())
        return ScopeSQL(f"({a}kind = 'accusation' AND ({' OR '.join(parts)}))", tuple(params))


# ---- recommendations (第四十条, issue 21) -----------------------------------------------------
# Not case data: a recommendation names a target unit and carries no case or party. It is seen by
# an inspector, by a supervisor whose unit is the target or above it (the issuing side), and by
# the users of the target unit itself; for anyone else it does not exist (404). Only a user of
# the target unit feeds back (a supervisor above it may read, not answer for it).

RECOMMENDATION_READERS = frozenset({Role.INSPECTOR, Role.SUPERVISOR, Role.LEADER, Role.OFFICER, Role.REGISTRAR})
RECOMMENDATION_FEEDBACK_ROLES = frozenset({Role.LEADER, Role.OFFICER, Role.SUPERVISOR})


def may_see_recommendation(who: Principal, paths: UnitPaths, target_unit_code: str) -> bool:
    if who.role is Role.INSPECTOR:
        return True
    if who.role is Role.SUPERVISOR:
        return paths.within(target_unit_code, who.unit_code)
    return who.role in RECOMMENDATION_READERS and who.unit_code == target_unit_code


def may_give_feedback(who: Principal, target_unit_code: str) -> bool:
    """Whether this user answers for the recommended unit (the API's command and the page's form)."""
    return who.role in RECOMMENDATION_FEEDBACK_ROLES and who.unit_code == target_unit_code


def recommendation_rows(who: Principal, paths: UnitPaths) -> ScopeSQL:
    """The listing form of `may_see_recommendation` over the recommendations view."""
    if who.role not in RECOMMENDATION_READERS:
        raise Forbidden("your role does not read recommendations", role=who.role.value)
    if who.role is Role.INSPECTOR:
        return ScopeSQL("1=1", ())
    if who.role is Role.SUPERVISOR:
        own = paths.path(who.unit_code) if who.unit_code else None
        if own is None:
            return ScopeSQL("1=0", ())
        return ScopeSQL("target_path LIKE ? ESCAPE '\\'", (subtree_pattern(own),))
    return ScopeSQL("target_unit_code = ?", (who.unit_code,))


def reader_access(request: Request, who: Principal) -> Access:
    """The reader's access, from the app's unit tree and leaders' posts (up to date now)."""
    app = request.app
    return Access.of(who, app.state.unit_paths, app.state.ledger.leader_posts)


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


def masked_fields(fields: dict[str, Any], *, unmasked: bool) -> dict[str, Any]:
    """Event or case fields with the petitioners' id numbers and phones masked unless unmasked."""
    out = dict(fields)
    # The query code's hash verifies a petitioner's code; no reader needs it (the evidence bundle
    # keeps the stored bytes whole).
    out.pop("query_code_hash", None)
    if "petitioners" in out:
        out["petitioners"] = petitioners_for(out["petitioners"], unmasked=unmasked)
    return out
