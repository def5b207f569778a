"""Who may export, what the export leaves in the ledger, the PDF dossier, the command line, no key."""

from __future__ import annotations

import json
from pathlib import Path
from uuid import UUID

import pytest
from typer.testing import CliRunner

from api.cli import app as cli
from domain import bundle_check
from domain.application import LedgerApplication
from domain.checkpoints import Checkpoint
from domain.evidence import build_bundle, find_proofs
from tests.api.helpers import World, assert_problem, drive
from tests.evidence.helpers import documented_case, export
from tests.support.pdf_text import pdf_pages


def test_only_inspectors_and_supervisors_in_scope_and_never_the_accused(world: World) -> None:
    case_id = documented_case(world)
    assert export(world, case_id, "supervisor")["case_id"] == case_id
    for who in ("registrar", "officer", "leader", "officer_b"):
        response = world.client(who).get(f"/api/v1/cases/{case_id}/evidence")
        assert_problem(response, 403, "forbidden")
        assert_problem(world.client(who).get(f"/api/v1/cases/{case_id}/dossier.pdf"), 403, "forbidden")
    world.add_user("supervisor_b", "supervisor", world.town_b)  # out of scope: the case does not exist
    assert_problem(
        world.client("supervisor_b").get(f"/api/v1/cases/{case_id}/evidence"), 404, "case_not_found"
    )
    # An accusation: a county supervisor who is the accused leader is in scope, but on the accused
    # side (第三十条): for him the case does not exist.
    world.add_user("accused_supervisor", "supervisor", world.county, world.leader_b)
    accusation = drive(
        world, "in_handling", kind="accusation", accused_unit=world.town_b, accused_leader=world.leader_b
    )
    before = world.version(accusation.case_id)
    for path in ("evidence", "dossier.pdf"):
        response = world.client("accused_supervisor").get(f"/api/v1/cases/{accusation.case_id}/{path}")
        assert_problem(response, 404, "case_not_found")
    assert world.version(accusation.case_id) == before  # a refused export leaves no entry


def test_each_export_is_recorded_in_the_case(world: World) -> None:
    case_id = documented_case(world)
    export(world, case_id)
    export(world, case_id, "supervisor")
    views = [e for e in world.timeline(case_id)["items"] if e["type"] == "PersonalDataViewed"]
    assert [(v["actor"]["role"], v["fields"]["purpose"]) for v in views] == [
        ("inspector", "evidence export: 纪检复查"),
        ("supervisor", "evidence export: 纪检复查"),
    ]


def test_the_dossier_pdf_shows_the_case_events_and_integrity(world: World) -> None:
    case_id = documented_case(world)
    response = world.client("inspector").get(f"/api/v1/cases/{case_id}/dossier.pdf")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/pdf"
    text = "\n".join(line for page in pdf_pages(response.content) for line in page)
    assert case_id in text
    # each event by its Chinese name (issue 22: the paper file is in Chinese)
    for event_type in ("登记", "受理", "交办", "附件", "答复", "查看个人信息"):
        assert f"\u3000{event_type}\u3000" in text, event_type
    assert "哈希链" in text and "完整" in text and "默克尔根" in text


def test_no_checkpoint_and_no_key_exports_the_chain_only(ledger: LedgerApplication) -> None:
    from domain.context import command_context
    from domain.values import Actor, Petitioner
    from tests.factories import id_number

    class NoKey:
        def latest(self) -> Checkpoint | None:
            return None

        def public_key_for(self, key_id: str) -> bytes | None:
            return None

        def make(self) -> Checkpoint | None:
            return None

    with command_context(actor=Actor("r1", "registrar", "C1")):
        result = ledger.register_case(
            channel="letter", kind="complaint_request", headcount=1, subject="s", content="c", category="land",
            region_code="330100", received_unit="C1",
            petitioners=(Petitioner("李四", id_number()),),
        )  # fmt: skip
    rows = ledger.case_rows(result.case_id)
    proofs, status = find_proofs(ledger.reads, rows, NoKey())
    assert proofs is None and "no signing key" in status
    bundle = json.loads(json.dumps(build_bundle(
        result.case_id, rows, [], exported_at=rows[-1].recorded_at, exported_by={}, proofs=None, proof_status=status,
    ), default=str))  # fmt: skip
    report = bundle_check.check_bundle(bundle)
    assert report.ok and any("no checkpoint" in n for n in report.notes)
    assert (
        bundle_check.check_bundle(bundle, bytes(32)).problem
        == "the bundle has no checkpoint to check against your key"
    )


def _cli_env(world: World, key_file: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("XINFANG_DATABASE_URL", world.server.settings.database_url)
    monkeypatch.setenv("XINFANG_SIGNING_KEY_FILE", str(key_file))
    monkeypatch.delenv("XINFANG_EXPORT_TOKEN", raising=False)
    return CliRunner()


def test_xinfang_export_writes_a_bundle_and_a_pdf_in_the_inspectors_name(
    world: World, tmp_path: Path, key_file: Path, public_key_hex: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    case_id = documented_case(world)
    runner = _cli_env(world, key_file, monkeypatch)
    inspector = world.users["inspector"]
    out = tmp_path / "case.json"
    result = runner.invoke(cli, ["export", case_id, "--as", inspector, "-o", str(out), "--purpose", "上级复查"])
    assert result.exit_code == 0, result.output
    bundle = json.loads(out.read_bytes())
    assert bundle["exported_by"] == {"user_id": inspector, "role": "inspector", "unit_code": world.county}
    recorded = bundle["events"][-1]
    assert json.loads(recorded["state"])["purpose"] == "evidence export: 上级复查 (command line)"
    assert world.timeline(case_id)["items"][-1]["actor"]["user_id"] == inspector  # not "system"
    assert bundle_check.check_bundle(bundle, bytes.fromhex(public_key_hex)).ok
    pdf = tmp_path / "case.pdf"
    by_token = ["export", case_id, "--pdf", "-o", str(pdf), "--token", world.tokens["supervisor"]]
    result = runner.invoke(cli, by_token)
    assert result.exit_code == 0, result.output
    assert pdf.read_bytes().startswith(b"%PDF")
    assert world.timeline(case_id)["items"][-1]["actor"]["user_id"] == world.users["supervisor"]
    missing = runner.invoke(cli, ["export", str(UUID(int=1)), "--as", inspector])
    assert missing.exit_code == 2 and "no such case" in missing.output


@pytest.mark.parametrize(
    ("who", "message"),
    [
        (None, "name the exporter"),
        ("officer", "may not export"),  # a role that may not export
        ("nobody-here", "no such user"),
        ("token:not-a-token", "unknown, revoked or expired"),
    ],
)
def test_xinfang_export_refuses_an_unnamed_or_unentitled_exporter_and_records_nothing(
    world: World, key_file: Path, monkeypatch: pytest.MonkeyPatch, who: str | None, message: str
) -> None:
    case_id = documented_case(world)
    runner = _cli_env(world, key_file, monkeypatch)
    position = world.position()
    if who is None:
        naming: list[str] = []
    elif who.startswith("token:"):
        naming = ["--token", who.removeprefix("token:")]
    else:
        naming = ["--as", world.users.get(who, who)]
    result = runner.invoke(cli, ["export", case_id, "-o", "/dev/null", *naming])
    assert result.exit_code == 2, result.output
    assert message in result.output.replace("\n", " ")
    assert world.position() == position  # no PersonalDataViewed entry, no checkpoint


def test_a_dossier_that_cannot_be_printed_records_nothing(
    world: World, key_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The export is refused (no Chinese font for the PDF): no entry in the case, no checkpoint."""
    case_id = documented_case(world)
    checkpoints = world.client("inspector").get("/api/v1/ledger/checkpoints").json()["items"]
    position = world.position()
    monkeypatch.setenv("XINFANG_PDF_FONT", "/nonexistent/font.ttc")  # read at each export
    response = world.client("inspector").get(f"/api/v1/cases/{case_id}/dossier.pdf")
    assert_problem(response, 503, "font_missing")
    runner = _cli_env(world, key_file, monkeypatch)
    result = runner.invoke(cli, ["export", case_id, "--pdf", "--as", world.users["inspector"]])
    assert result.exit_code == 1 and "no such font file" in result.output
    assert world.position() == position
    assert world.client("inspector").get("/api/v1/ledger/checkpoints").json()["items"] == checkpoints
