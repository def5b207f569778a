"""A case's evidence bundle (JSON) and printable dossier (PDF) for discipline inspectors.

Who: EXPORT_ROLES (inspector, supervisor) within their read scope, never an accused party.
The bundle is complete evidence — personal data unmasked — so each export is first recorded
in the case's own ledger as a PersonalDataViewed entry whose purpose starts with
"evidence export"; the bundle therefore contains the record of its own export.
"""

from __future__ import annotations

import dataclasses
from typing import Any
from uuid import UUID

from fastapi import Request, Response

from api.access import Access
from api.auth import Principal, audit
from api.dossier import DossierFontMissing, find_font, render_dossier
from api.errors import ProblemError
from api.permissions import EXPORT_ROLES, UNMASK_ROLES
from api.reads.cases import case_view
from api.settings import Settings
from api.signing import SigningKeys, SigningKeyUnavailable, app_signing_keys
from api.view_query import unit_paths
from domain.application import LedgerApplication
from domain.bundle_check import check_bundle
from domain.checkpoint_store import CheckpointStore
from domain.checkpoints import Checkpoint
from domain.clocks import compute_clocks
from domain.context import current_context
from domain.evidence import LedgerChanged, build_bundle, encode, find_proofs
from domain.ledger_tree import StoredHeadsChanged, make_checkpoint
from projections.reference_data.units import UnitPaths


class StoredCheckpoints:
    """The service's checkpoints table and keys, as `domain.evidence.CheckpointSource`."""

    def __init__(self, ledger: LedgerApplication, keys: SigningKeys) -> None:
        self.ledger, self.keys = ledger, keys

    def latest(self) -> Checkpoint | None:
        record = CheckpointStore(self.ledger.recorder).latest()
        return None if record is None else record.checkpoint

    def public_key_for(self, key_id: str) -> bytes | None:
        return self.keys.trusted().get(key_id)

    def make(self) -> Checkpoint | None:
        if not self.keys.can_sign:
            return None
        try:
            key = self.keys.signing_key()
        except SigningKeyUnavailable:
            return None
        return make_checkpoint(self.ledger.recorder, self.ledger.reads, key, current_context().now)


def signing_keys(ledger: LedgerApplication, settings: Settings) -> SigningKeys:
    return SigningKeys(ledger.store, settings.signing_key_file, settings.trusted_public_keys)


def export_purpose(purpose: str | None) -> str:
    text = (purpose or "").strip()
    return f"evidence export: {text}" if text else "evidence export"


def export_bundle(ledger: LedgerApplication, keys: SigningKeys, case_id: UUID) -> dict[str, Any]:
    """The bundle of the case as it stands (call after recording the export)."""
    rows = ledger.case_rows(case_id)
    ctx = current_context()
    try:
        proofs, status = find_proofs(ledger.reads, rows, StoredCheckpoints(ledger, keys))
    except (LedgerChanged, StoredHeadsChanged) as exc:
        raise ProblemError(
            409, "ledger_changed", f"{exc}; run `xinfang verify` to find the first changed event"
        ) from None
    if proofs is not None and proofs.head is not None and proofs.head.version > rows[-1].version:
        # A command landed before the checkpoint was signed: the bundle ends at the signed head.
        rows = ledger.reads.aggregate_rows(case_id, lte=proofs.head.version)
    clocks = compute_clocks(ledger.case_events(case_id, lte=rows[-1].version), at=ctx.now)
    actor = {"user_id": ctx.actor.user_id, "role": ctx.actor.role, "unit_code": ctx.actor.unit_code}
    return build_bundle(
        case_id, rows, clocks, exported_at=ctx.now, exported_by=actor, proofs=proofs, proof_status=status
    )


def check_export(ledger: LedgerApplication, tree: UnitPaths, who: Principal, case_id: UUID) -> None:
    """Role, scope and the accused side; called before anything is recorded, so a refused export
    leaves no PersonalDataViewed entry and no checkpoint behind. Shared with `xinfang export`."""
    who.require(EXPORT_ROLES, "export a case's evidence")
    Access.of(who, tree, ledger.leader_posts).check_read(ledger.get_case(case_id))  # never the accused side


def authorized_export(
    request: Request, ledger: LedgerApplication, who: Principal, case_id: UUID, purpose: str | None
) -> None:
    check_export(ledger, unit_paths(request), who, case_id)
    with audit(who, request, reason=export_purpose(purpose)):
        ledger.record_personal_data_view(case_id, export_purpose(purpose))


def case_bundle(
    request: Request, ledger: LedgerApplication, who: Principal, case_id: UUID, purpose: str | None
) -> dict[str, Any]:
    authorized_export(request, ledger, who, case_id, purpose)
    keys = app_signing_keys(request.app)  # the app's one set of keys
    with audit(who, request, reason=export_purpose(purpose)):
        return export_bundle(ledger, keys, case_id)


def evidence_file(
    request: Request, ledger: LedgerApplication, who: Principal, case_id: UUID, purpose: str | None
) -> Response:
    """The evidence bundle as a JSON file to keep (the export is recorded in the case first)."""
    bundle = case_bundle(request, ledger, who, case_id, purpose)
    return Response(
        encode(bundle), media_type="application/json",
        headers={"Content-Disposition": f'attachment; filename="case-{case_id}-evidence.json"'},
    )  # fmt: skip


def dossier_file(
    request: Request, ledger: LedgerApplication, who: Principal, case_id: UUID, purpose: str | None
) -> Response:
    """The printable dossier as a PDF shown inline; 503 (and nothing recorded) without its font."""
    try:
        find_font()  # before the export is recorded: a dossier that cannot be printed records nothing
        bundle = case_bundle(request, ledger, who, case_id, purpose)
        plain = _plain(bundle)
        pdf = render_dossier(plain, check_bundle(plain), **_reader_view(request, ledger, who, case_id))
    except DossierFontMissing as exc:
        raise ProblemError(503, "font_missing", str(exc)) from None
    return Response(
        pdf, media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="case-{case_id}-dossier.pdf"'},
    )  # fmt: skip


def _reader_view(
    request: Request, ledger: LedgerApplication, who: Principal, case_id: UUID
) -> dict[str, Any]:
    """The case as this reader may see it (masked unless the role may unmask), and the names of
    units, leaders and users, for the dossier's cover and its Chinese timeline."""
    from api.pages.reference import display_names  # the pages import this module: load late

    unmasked = who.role in UNMASK_ROLES
    case = ledger.get_case(case_id)
    summary = case_view(case, unmasked=unmasked)
    summary["clocks"] = [dataclasses.asdict(c) for c in compute_clocks(ledger.case_events(case_id),
                                                                        at=current_context().now)]  # fmt: skip
    return {"summary": _plain(summary), "names": display_names(request), "unmasked": unmasked}


def _plain(bundle: dict[str, Any]) -> Any:
    """The bundle as a reader of the file sees it (dates as text)."""
    import orjson

    return orjson.loads(encode(bundle))
