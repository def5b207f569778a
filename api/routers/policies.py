"""Clock policies (DOMAIN.md R8): the versions of policies.toml and the jurisdiction's adoptions."""

import dataclasses
from typing import Any

from fastapi import APIRouter, Request

from api.auth import CurrentUser, Ledger, audit
from api.permissions import POLICY_ADOPT, REFERENCE_READ
from api.responses import JSON
from api.schemas import LocalPolicyIn, PolicyAdoptionIn
from domain.context import utcnow
from domain.policy import default_policy_version, get_policy, local_date, policy_versions
from domain.vocabulary import LocalPolicy

router = APIRouter(prefix="/api/v1", tags=["reference data"])


@router.get("/policies")
def list_policies(ledger: Ledger, who: CurrentUser) -> dict[str, Any]:
    """The clock policy versions, the jurisdiction's adoptions, and the version in force today."""
    who.require(REFERENCE_READ, "read policies")
    default = default_policy_version()
    versions = [
        {**dataclasses.asdict(get_policy(version)), "default": version == default}
        for version in policy_versions()
    ]
    adoptions = [
        {"policy_version": a.policy_version, "effective_from": a.effective_from,
         "adopted_by": a.adopted_by, "adopted_at": a.adopted_at}
        for a in ledger.policy_adoptions()
    ]  # fmt: skip
    today = local_date(utcnow())
    in_force = ledger.policy_version_on(today)
    local = [
        {"option": p.option, "in_force": p.in_force, "effective_from": p.effective_from,
         "set_by": p.set_by, "set_at": p.set_at}
        for p in ledger.local_policies()
    ]  # fmt: skip
    local_today = {option.value: ledger.local_policy_in_force(option, today) for option in LocalPolicy}
    return {"default": default, "in_force": in_force, "versions": versions, "adoptions": adoptions,
            "local_policies": local, "local_policies_in_force": local_today}  # fmt: skip


@router.post("/policies", status_code=201)
def adopt_policy(body: PolicyAdoptionIn, request: Request, ledger: Ledger, who: CurrentUser) -> JSON:
    """Adopt a policy version for matters arising from `effective_from` (cases already registered keep theirs)."""
    who.require(POLICY_ADOPT, "adopt a clock policy")
    with audit(who, request, reason=body.reason):
        position = ledger.adopt_policy(policy_version=body.policy_version, effective_from=body.effective_from)
    answer = {"policy_version": body.policy_version, "effective_from": body.effective_from.isoformat(),
              "position": position}  # fmt: skip
    return JSON(answer, status_code=201)


@router.post("/policies/local", status_code=201)
def set_local_policy(body: LocalPolicyIn, request: Request, ledger: Ledger, who: CurrentUser) -> JSON:
    """Put a local policy option in (or out of) force from `effective_from` (off until set; issue 21)."""
    who.require(POLICY_ADOPT, "set a local policy")
    with audit(who, request, reason=body.reason):
        position = ledger.set_local_policy(
            option=body.option, in_force=body.in_force, effective_from=body.effective_from
        )
    answer = {"option": body.option.value, "in_force": body.in_force,
              "effective_from": body.effective_from.isoformat(), "position": position}  # fmt: skip
    return JSON(answer, status_code=201)
