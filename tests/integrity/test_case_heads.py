"""Signed case heads: a re-chained or cut case is named by verify, fails its timeline and its bundle.

The attacker is a database superuser (append-only triggers disabled, then re-enabled) on both
stores; every case's own hash chain still holds after the rewrite.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import pytest
from nacl.signing import SigningKey

from api.settings import Settings
from domain import bundle_check, merkle
from domain.application import LedgerApplication
from domain.checkpoint_store import CheckpointStore
from domain.checkpoints import Checkpoint, key_id, sign_checkpoint
from domain.context import command_context
from domain.evidence import build_bundle, find_proofs
from domain.ledger_tree import StoredHeadsChanged, make_checkpoint, row_leaf
from domain.vocabulary import Role
from tests.conftest import ADMIN_TOKEN, LiveServer
from tests.integrity.support import ADMIN, Attacker, all_rows, populate, rechained, register, verify
from tests.pages.scene import csrf_of, http_login

SEED = bytes(range(32))
KEY = SigningKey(SEED)
PUBLIC = bytes(KEY.verify_key)
TRUSTED = {key_id(PUBLIC): PUBLIC}
NOW = datetime(2026, 6, 1, tzinfo=UTC)


@pytest.fixture
def server(store_url: str, tmp_path: Path) -> Iterator[LiveServer]:
    key_file = tmp_path / "signing.key"
    key_file.write_text(SEED.hex())
    key_file.chmod(0o600)
    settings = Settings(database_url=store_url, admin_token=ADMIN_TOKEN, signing_key_file=str(key_file))
    with LiveServer(settings) as live:
        yield live


def inspector_token(server: LiveServer) -> str:
    with command_context(actor=ADMIN):
        token: str = server.ledger.create_user(
            user_id="inspector", name="纪检", role=Role.INSPECTOR, unit_code="county"
        )
    return token


def test_a_superuser_rechain_is_named_by_verify_and_fails_the_case_timeline(
    server: LiveServer, store_url: str
) -> None:
    case_id, other = populate(server.ledger, cases=2)[:2]
    token = inspector_token(server)
    with server.client() as admin, server.client(token) as inspector:
        assert admin.post("/api/v1/ledger/checkpoints").status_code == 201
        assert inspector.get(f"/api/v1/cases/{case_id}/timeline").json()["chain_ok"] is True
        rows = server.ledger.reads.aggregate_rows(case_id)
        Attacker(store_url).set_states(case_id, rechained(rows, 2, text="从未发生"))

        report = admin.get("/api/v1/ledger/verify").json()
        assert report["ok"] is False
        assert [c["originator_id"] for c in report["cases"]] == [str(case_id)]
        assert "the case was rewritten" in report["cases"][0]["problem"]

        timeline = inspector.get(f"/api/v1/cases/{case_id}/timeline").json()
        assert timeline["chain_ok"] is False
        assert all(item["hash"] for item in timeline["items"])  # every link of its own chain holds
        assert "the checkpoint at size" in timeline["problem"] and str(case_id) in timeline["problem"]
        assert inspector.get(f"/api/v1/cases/{other}/timeline").json()["chain_ok"] is True

    pages = http_login(server.url, token)  # the verification page lists the case too
    shown = pages.post("/verify", data={"csrf": csrf_of(pages.get("/verify").text)})
    pages.close()
    assert shown.status_code == 200 and "校验失败" in shown.text
    assert f'href="/cases/{case_id}/timeline"' in shown.text


def test_dropped_trailing_events_are_named_and_the_bundle_without_them_fails(
    server: LiveServer, store_url: str
) -> None:
    case_id = populate(server.ledger, cases=2)[0]
    token = inspector_token(server)
    with server.client() as admin, server.client(token) as inspector:
        admin.post("/api/v1/ledger/checkpoints")
        exported = inspector.get(f"/api/v1/cases/{case_id}/evidence")
        assert exported.status_code == 200, exported.text
        bundle = exported.json()
        assert bundle_check.check_bundle(bundle, PUBLIC).ok
        rows = server.ledger.reads.aggregate_rows(case_id)
        attacker = Attacker(store_url)
        for row in reversed(rows[-2:]):  # the export's own record, and the last note
            attacker.delete(case_id, row.version)

        report = admin.get("/api/v1/ledger/verify").json()
        assert [c["originator_id"] for c in report["cases"]] == [str(case_id)]
        assert "its last events were removed" in report["cases"][0]["problem"]
        timeline = inspector.get(f"/api/v1/cases/{case_id}/timeline").json()
        assert timeline["chain_ok"] is False and "the ledger now ends at version 3" in timeline["problem"]
        # No new bundle of the cut case comes out: the service refuses (the cut ledger no longer
        # matches its checkpoint, or the case's cached state is ahead of its rows).
        refused = inspector.get(f"/api/v1/cases/{case_id}/evidence")
        assert refused.status_code == 409 and refused.json()["code"] in ("ledger_changed", "version_conflict")

    # The bundle as the cut ledger would have it: every remaining event still proves, the head does not.
    cut = copy.deepcopy(bundle)
    del cut["events"][-2:]
    cut["documents"] = []
    report_cut = bundle_check.check_bundle(cut, PUBLIC)
    assert not report_cut.ok and "its last events are missing" in (report_cut.problem or "")


def _truncated(bundle: dict[str, Any], drop: int, move_head: bool) -> dict[str, Any]:
    cut = copy.deepcopy(bundle)
    del cut["events"][-drop:]
    cut["documents"] = [d for d in cut["documents"] if d["event_version"] <= len(cut["events"])]
    if move_head:  # the attacker also points the head at the new last event
        last = cut["events"][-1]
        cut["head"].update(version=last["version"], position=last["position"], hash=last["hash"])
    return cut


def test_a_bundle_with_its_last_events_removed_fails_the_checker(ledger: LedgerApplication) -> None:
    case_id = populate(ledger, cases=2)[1]
    bundle = _bundle(ledger, case_id, SignNow(ledger))
    assert bundle["format"] == bundle_check.FORMAT and bundle["head"]["version"] == 4
    assert bundle_check.check_bundle(bundle, PUBLIC).ok
    for move_head, expected in ((False, "its last events are missing"), (True, "not under the checkpoint's signed heads root")):  # fmt: skip
        report = bundle_check.check_bundle(_truncated(bundle, 1, move_head), PUBLIC)
        assert not report.ok and expected in (report.problem or ""), (move_head, report.problem)
    stripped = copy.deepcopy(bundle)
    del stripped["head"]["heads_proof"]
    assert "inclusion proof is missing" in (bundle_check.check_bundle(stripped, PUBLIC).problem or "")
    downgraded = copy.deepcopy(bundle)  # pass the checkpoint off as one made before heads
    for name in ("version", "heads_root", "heads_size"):
        del downgraded["checkpoint"][name]
    assert "signature does not verify" in (bundle_check.check_bundle(downgraded, PUBLIC).problem or "")


def test_checkpoints_made_before_heads_still_verify_and_prove(
    ledger: LedgerApplication, store_url: str
) -> None:
    case_id = populate(ledger, cases=2)[0]
    old = _version_1_checkpoint(ledger)
    assert old.heads_root is None
    report = verify(ledger, TRUSTED)
    assert report.ok and report.checkpoints_checked == 1
    old_bundle = _bundle(ledger, case_id, Fixed(old))
    checked = bundle_check.check_bundle(old_bundle, PUBLIC)
    assert checked.ok and any("predates case heads" in n for n in checked.notes)

    register(ledger, notes=1)  # the next checkpoint (version 2) starts its heads from the first event
    new = make_checkpoint(ledger.recorder, ledger.reads, KEY, NOW)
    assert new is not None and new.heads_root is not None and new.heads_size == 4  # a unit, 3 cases
    report = verify(ledger, TRUSTED)
    assert report.ok and report.checkpoints_checked == 2
    rows = ledger.reads.aggregate_rows(case_id)
    Attacker(store_url).set_states(case_id, rechained(rows, 3, text="改写"))
    report = verify(ledger, TRUSTED)
    assert [(c.originator_id, c.checkpoint_size) for c in report.cases] == [(str(case_id), new.size)]


def test_heads_stored_as_changes_still_name_a_case_covered_only_by_an_early_checkpoint(
    ledger: LedgerApplication, store_url: str
) -> None:
    first, second = populate(ledger, cases=2)[:2]
    make_checkpoint(ledger.recorder, ledger.reads, KEY, NOW)
    with command_context(actor=ADMIN):
        ledger.execute(second, "notes", {"text": "later"})
    latest = make_checkpoint(ledger.recorder, ledger.reads, KEY, NOW)
    assert latest is not None
    store = CheckpointStore(ledger.recorder)
    newest = store.latest_with_heads()
    assert newest is not None and newest.heads_since is not None  # only the changed heads stored
    assert set(store.heads_delta(newest.id)) == {second}
    assert verify(ledger, TRUSTED).ok

    rows = ledger.reads.aggregate_rows(first)
    Attacker(store_url).set_states(first, rechained(rows, 1, subject="无关事项"))
    report = verify(ledger, TRUSTED)
    assert [c.originator_id for c in report.cases] == [str(first)]
    assert (
        report.cases[0].checkpoint_size == 9
    )  # named at the first checkpoint that covered it (a unit, 2 cases)


def test_stored_heads_that_do_not_fold_to_the_signed_root_name_no_case(
    ledger: LedgerApplication, store_url: str
) -> None:
    populate(ledger, cases=2)
    make_checkpoint(ledger.recorder, ledger.reads, KEY, NOW)
    record = CheckpointStore(ledger.recorder).latest_with_heads()
    assert record is not None
    Attacker(store_url).add_checkpoint_head(record.id, uuid4(), 1, "00" * 32)
    report = verify(ledger, TRUSTED)
    assert not report.ok and report.cases == [] and report.first_bad is not None
    assert "do not fold to its signed heads root" in report.first_bad.problem
    # Nor is the next checkpoint signed over them: recomputing the heads would sign a rewrite.
    with pytest.raises(StoredHeadsChanged):
        make_checkpoint(ledger.recorder, ledger.reads, KEY, NOW)


class SignNow:
    """A checkpoint source that signs a fresh (version 2) checkpoint."""

    def __init__(self, ledger: LedgerApplication) -> None:
        self.ledger = ledger

    def latest(self) -> Checkpoint | None:
        return None

    def public_key_for(self, key: str) -> bytes | None:
        return TRUSTED.get(key)

    def make(self) -> Checkpoint | None:
        return make_checkpoint(self.ledger.recorder, self.ledger.reads, KEY, NOW)


class Fixed(SignNow):
    def __init__(self, checkpoint: Checkpoint) -> None:
        self.checkpoint = checkpoint

    def latest(self) -> Checkpoint | None:
        return self.checkpoint


def _bundle(ledger: LedgerApplication, case_id: UUID, source: SignNow) -> dict[str, Any]:
    rows = ledger.case_rows(case_id)
    proofs, status = find_proofs(ledger.reads, rows, source)
    assert proofs is not None, status
    built = build_bundle(
        case_id, rows, [], exported_at=NOW, exported_by={}, proofs=proofs, proof_status=status
    )
    import orjson

    plain: dict[str, Any] = orjson.loads(orjson.dumps(built))
    return plain


def _version_1_checkpoint(ledger: LedgerApplication) -> Checkpoint:
    """A checkpoint as the service signed them before case heads (payload version 1)."""
    rows = all_rows(ledger)
    acc = merkle.MerkleAccumulator()
    acc.extend(row_leaf(r) for r in rows)
    checkpoint = sign_checkpoint(KEY, rows[-1].position, acc.size, acc.root().hex(), NOW)
    CheckpointStore(ledger.recorder).add(checkpoint, PUBLIC, acc.frontier())
    return checkpoint
