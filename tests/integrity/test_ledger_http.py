"""The ledger endpoints and CLI commands on both stores, against a live service."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from nacl.signing import SigningKey
from typer.testing import CliRunner

from api.cli import app as cli
from api.settings import Settings
from domain import merkle
from domain.checkpoints import Checkpoint, key_id, parse_time, verify_checkpoint
from domain.context import command_context
from domain.vocabulary import Role
from tests.conftest import ADMIN_TOKEN, LiveServer
from tests.integrity.support import ADMIN, Attacker, all_rows, edited_state, populate, register

SEED = bytes(range(32))


@pytest.fixture
def key_file(tmp_path: Path) -> Path:
    path = tmp_path / "signing.key"
    path.write_text(SEED.hex())
    path.chmod(0o600)
    return path


@pytest.fixture
def server(store_url: str, key_file: Path) -> Iterator[LiveServer]:
    settings = Settings(database_url=store_url, admin_token=ADMIN_TOKEN, signing_key_file=str(key_file))
    with LiveServer(settings) as live:
        yield live


def _checkpoint(body: dict) -> Checkpoint:  # type: ignore[type-arg]
    return Checkpoint(body["position"], body["size"], body["root"], parse_time(body["created_at"]),
                      body["key_id"], body["signature"], body.get("heads_root"),
                      body.get("heads_size"))  # fmt: skip


def test_checkpoints_public_key_consistency_and_verify(server: LiveServer) -> None:
    populate(server.ledger, cases=2)
    anonymous = server.client(token=None)
    published = anonymous.get("/api/v1/ledger/public-key").json()
    public = bytes.fromhex(published["public_key"])
    assert public == bytes(SigningKey(SEED).verify_key) and published["key_id"] == key_id(public)

    with server.client() as admin:
        first = admin.post("/api/v1/ledger/checkpoints")
        assert first.status_code == 201, first.text
        register(server.ledger, notes=2)
        second = admin.post("/api/v1/ledger/checkpoints").json()
        listed = admin.get("/api/v1/ledger/checkpoints").json()["items"]
        assert [c["size"] for c in listed] == [second["size"], first.json()["size"]]
        old, new = _checkpoint(first.json()), _checkpoint(second)
        assert verify_checkpoint(old, public) and verify_checkpoint(new, public)
        proof = admin.get(
            "/api/v1/ledger/checkpoints/consistency", params={"from": old.size, "to": new.size}
        ).json()
        assert (proof["from_root"], proof["to_root"]) == (old.root, new.root)
        assert merkle.verify_consistency(
            old.size, new.size, bytes.fromhex(old.root), bytes.fromhex(new.root),
            [bytes.fromhex(p) for p in proof["proof"]],
        )  # fmt: skip
        bad = admin.get("/api/v1/ledger/checkpoints/consistency", params={"from": 1, "to": 10_000})
        assert bad.status_code == 422
        report = admin.get("/api/v1/ledger/verify").json()
        assert report == {"ok": True, "events_checked": new.size, "checkpoints_checked": 2,
                          "first_bad": None, "problems": 0, "cases": []}  # fmt: skip
    assert anonymous.get("/api/v1/ledger/checkpoints").status_code == 401


def test_only_admin_inspector_and_supervisor_make_checkpoints_or_verify(server: LiveServer) -> None:
    populate(server.ledger, cases=1)
    with command_context(actor=ADMIN):
        tokens = {
            role: server.ledger.create_user(
                user_id=f"u-{role.value}", name="x", role=role, unit_code="county"
            )
            for role in (Role.REGISTRAR, Role.INSPECTOR)
        }
    with server.client(tokens[Role.REGISTRAR]) as registrar:
        assert registrar.post("/api/v1/ledger/checkpoints").status_code == 403
        assert registrar.get("/api/v1/ledger/verify").status_code == 403
        assert registrar.get("/api/v1/ledger/checkpoints").status_code == 200
    with server.client(tokens[Role.INSPECTOR]) as inspector:
        assert inspector.post("/api/v1/ledger/checkpoints").status_code == 201
        assert inspector.get("/api/v1/ledger/verify").json()["ok"] is True


def test_verify_endpoint_names_a_tampered_event(server: LiveServer, store_url: str) -> None:
    case_id = populate(server.ledger, cases=2)[0]
    rows = server.ledger.reads.aggregate_rows(case_id)
    Attacker(store_url).set_state(case_id, 2, edited_state(rows[1].state, text="changed"))
    with server.client() as admin:
        report = admin.get("/api/v1/ledger/verify").json()
    assert report["ok"] is False
    assert report["first_bad"]["originator_id"] == str(case_id)
    assert report["first_bad"]["version"] == 3 and report["first_bad"]["position"] == rows[2].position


@pytest.mark.parametrize("store_url", [pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True)
def test_postgres_without_a_key_file_refuses_checkpoints(store_url: str) -> None:
    with (
        LiveServer(Settings(database_url=store_url, admin_token=ADMIN_TOKEN)) as live,
        live.client() as admin,
    ):
        refused = admin.post("/api/v1/ledger/checkpoints")
        assert refused.status_code == 503
        assert refused.json()["code"] == "signing_key_unavailable"
        assert "XINFANG_SIGNING_KEY_FILE" in refused.json()["detail"]
        assert admin.get("/api/v1/ledger/public-key").status_code == 404


def test_the_service_checkpoints_on_a_schedule_only_when_the_ledger_grew(
    store_url: str, key_file: Path
) -> None:
    settings = Settings(
        database_url=store_url, admin_token=ADMIN_TOKEN, signing_key_file=str(key_file),
        checkpoint_interval_seconds=0.2,
    )  # fmt: skip
    with LiveServer(settings) as live, live.client() as admin:
        deadline = time.monotonic() + 10
        while not admin.get("/api/v1/ledger/checkpoints").json()["items"]:
            assert time.monotonic() < deadline, "no scheduled checkpoint"
            time.sleep(0.05)
        time.sleep(0.6)  # several more ticks without growth
        items = admin.get("/api/v1/ledger/checkpoints").json()["items"]
        assert len(items) == 1 and items[0]["size"] == len(all_rows(live.ledger))


def test_cli_checkpoint_and_verify(store_url: str, key_file: Path) -> None:
    from api.bootstrap import build_application

    env = {"XINFANG_DATABASE_URL": store_url, "XINFANG_SIGNING_KEY_FILE": str(key_file)}
    ledger = build_application(Settings(database_url=store_url))
    try:
        case_id = populate(ledger, cases=2)[0]
        runner = CliRunner()
        made = runner.invoke(cli, ["checkpoint"], env=env)
        assert made.exit_code == 0, made.output
        assert "size     9" in made.output and key_id(bytes(SigningKey(SEED).verify_key)) in made.output
        ok = runner.invoke(cli, ["verify"], env=env)
        assert ok.exit_code == 0, ok.output
        assert "events checked:      9" in ok.output
        rows = ledger.reads.aggregate_rows(case_id)
        Attacker(store_url).set_state(case_id, 4, edited_state(rows[3].state, text="changed"))
        tampered = runner.invoke(cli, ["verify"], env=env)
        assert tampered.exit_code == 1, tampered.output
        assert "TAMPERED" in tampered.output and "signed checkpoint root" in tampered.output
    finally:
        ledger.close()
