"""Clock policies (DOMAIN.md R8): the versions of policies.toml and the jurisdiction's adoptions."""

import dataclasses
from typing import Any

from fastapi import APIRouter, Request

from api.auth import CurrentUser, Ledger, audit
from api.permissions import POLICY_ADOPT, REFERENCE_READ
from api.responses import JSON
from api.schemas import PolicyAdoptionIn
from domain.context import utcnow
from domain.policy import default_policy_version, get_policy, local_date, policy_versions

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
    in_force = ledger.policy_version_on(local_date(utcnow()))
    return {"default": default, "in_force": in_force, "versions": versions, "adoptions": adoptions}


@router.post("/policies", status_code=201)
def adopt_policy(body: PolicyAdoptionIn, request: Request, ledger: Ledger, who: CurrentUser) -> JSON:
    """Adopt a policy version for matters arising from `effective_from` (cases already registered keep theirs)."""
    who.require(POLICY_ADOPT, "adopt a clock policy")
    with audit(who, request, reason=body.reason):
        position = ledger.adopt_policy(policy_version=body.policy_version, effective_from=body.effective_from)
    answer = {"policy_version": body.policy_version, "effective_from": body.effective_from.isoformat(),
              "position": position}  # fmt: skip
    return JSON(answer, status_code=201)
