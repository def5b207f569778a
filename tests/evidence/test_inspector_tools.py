"""The inspector's path as the README writes it: get the public key, export, verify offline."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from api.cli import app as cli
from domain import bundle_check
from tests.api.helpers import World
from tests.evidence.helpers import documented_case, export


def _bundle_file(world: World, tmp_path: Path) -> Path:
    path = tmp_path / "case.json"
    path.write_text(json.dumps(export(world, documented_case(world)), ensure_ascii=False))
    return path


def test_xinfang_public_key_prints_what_verify_bundle_takes(
    world: World, tmp_path: Path, key_file: Path, public_key_hex: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XINFANG_DATABASE_URL", world.server.settings.database_url)
    monkeypatch.setenv("XINFANG_SIGNING_KEY_FILE", str(key_file))
    runner = CliRunner()
    printed = runner.invoke(cli, ["public-key"])
    assert printed.exit_code == 0, printed.output
    assert printed.output.strip() == public_key_hex
    key = tmp_path / "ledger.pub"
    written = runner.invoke(cli, ["public-key", "-o", str(key)])
    assert written.exit_code == 0, written.output
    assert key.read_text() == public_key_hex + "\n"
    bundle = _bundle_file(world, tmp_path)
    checked = runner.invoke(cli, ["verify-bundle", str(bundle), "--public-key", str(key)])
    assert checked.exit_code == 0, checked.output
    assert "checked against the key inside the bundle only" not in checked.output


def test_verify_bundle_takes_the_apis_public_key_json(world: World, tmp_path: Path, public_key_hex: str) -> None:
    answer = world.client("inspector").get("/api/v1/ledger/public-key")
    assert answer.status_code == 200, answer.text
    saved = tmp_path / "public-key.json"
    saved.write_bytes(answer.content)
    bundle = _bundle_file(world, tmp_path)
    runner = CliRunner()
    for given in (str(saved), answer.text):  # the saved answer, or pasted as it came
        result = runner.invoke(cli, ["verify-bundle", str(bundle), "--public-key", given])
        assert result.exit_code == 0, result.output
        assert "signature verifies" in result.output
    assert bundle_check.load_key(answer.text) == bytes.fromhex(public_key_hex)
    with pytest.raises(bundle_check.Invalid, match="not a hex string"):
        bundle_check.load_key('{"algorithm": "Ed25519"}')


def _run_alone(tmp_path: Path, *args: str, block_nacl: bool) -> subprocess.CompletedProcess[str]:
    """The copied checker under a plain interpreter; PyNaCl hidden as if it were not installed."""
    alone = tmp_path / "alone"
    alone.mkdir(exist_ok=True)
    (alone / "bundle_check.py").write_bytes(Path(bundle_check.__file__).read_bytes())
    hide = "import sys; sys.modules['nacl'] = None; " if block_nacl else "import sys; "
    code = hide + "import runpy; sys.argv = ['bundle_check.py', *sys.argv[1:]]; runpy.run_path('bundle_check.py', run_name='__main__')"
    return subprocess.run(
        [sys.executable, "-I", "-c", code, *args], cwd=alone, capture_output=True, text=True, check=False
    )


def test_the_standalone_checker_without_pynacl_exits_2_with_one_line(world: World, tmp_path: Path) -> None:
    bundle = _bundle_file(world, tmp_path)
    missing = _run_alone(tmp_path, str(bundle), block_nacl=True)
    assert missing.returncode == 2  # not 1: nothing was found invalid, nothing was checked
    assert missing.stdout == ""
    lines = missing.stderr.strip().splitlines()
    assert len(lines) == 1 and "PyNaCl is not installed" in lines[0], missing.stderr
    present = _run_alone(tmp_path, str(bundle), block_nacl=False)
    assert present.returncode == 0, present.stdout + present.stderr
