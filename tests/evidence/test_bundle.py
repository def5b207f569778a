"""Evidence bundles: a real export verifies offline; every kind of tampering with the file is reported."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from nacl.signing import SigningKey
from typer.testing import CliRunner

from api.cli import app as cli
from domain import bundle_check, merkle
from domain.integrity import hash_stored
from tests.api.helpers import World
from tests.evidence.helpers import ANSWER_DOC, DOC, documented_case, export

Bundle = dict[str, Any]


def _canonical(state: dict[str, Any]) -> str:
    return json.dumps(state, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _rechain(bundle: Bundle, version: int, change: Callable[[dict[str, Any]], None]) -> Bundle:
    """What an attacker with the file does: change event `version`, then re-hash and re-link every later one."""
    forged = copy.deepcopy(bundle)
    previous = forged["events"][version - 2]["hash"] if version > 1 else "0" * 64
    for event in forged["events"][version - 1 :]:
        state = json.loads(event["state"])
        if event["version"] == version:
            change(state)
        state["prev_hash"] = previous
        event["state"] = _canonical(state)
        event["prev_hash"] = previous
        event["hash"] = hash_stored(
            forged["case_id"], event["version"], event["topic"], event["state"].encode()
        )
        previous = event["hash"]
    return forged


def _resign(bundle: Bundle, key: SigningKey) -> Bundle:
    """A whole new tree over the case's (forged) events, signed with the attacker's key."""
    forged = copy.deepcopy(bundle)
    leaves = [merkle.event_leaf(e["hash"]) for e in forged["events"]]
    root = merkle.root(leaves).hex()
    cp = forged["checkpoint"]
    for heads_field in ("version", "heads_root", "heads_size"):  # signed as a version 1 checkpoint
        cp.pop(heads_field, None)
    cp.update(size=len(leaves), root=root, key_id=bundle_check.key_id(bytes(key.verify_key)))
    message = bundle_check.checkpoint_message(cp["position"], cp["size"], root, cp["created_at"])
    cp["signature"] = key.sign(message).signature.hex()
    for i, event in enumerate(forged["events"]):
        event["leaf_index"] = i
        event["inclusion_proof"] = [p.hex() for p in merkle.inclusion_proof(i, leaves)]
    forged["public_key"] = bytes(key.verify_key).hex()
    return forged


def _answered(state: dict[str, Any]) -> None:
    state["outcome"] = "support"


def _problem(bundle: Bundle, key: str | None = None) -> str | None:
    return bundle_check.check_bundle(bundle, bytes.fromhex(key) if key else None).problem


def test_an_exported_bundle_verifies_and_every_tampering_is_reported(
    world: World, public_key_hex: str
) -> None:
    case_id = documented_case(world)
    bundle = export(world, case_id)

    # The bundle: format, every stored event with proofs, the export itself on record, documents, clocks.
    assert bundle["format"] == bundle_check.FORMAT and bundle["case_id"] == case_id
    assert bundle["proof_status"] == "proved" and bundle["public_key"] == public_key_hex
    types = [e["type"] for e in bundle["events"]]
    assert types[0] == "Registered" and "Answered" in types and types[-1] == "PersonalDataViewed"
    assert json.loads(bundle["events"][-1]["state"])["purpose"] == "evidence export: 纪检复查"
    assert {(d["kind"], d["sha256"]) for d in bundle["documents"]} >= {
        ("attachment", DOC),
        ("answer_opinion", ANSWER_DOC),
    }
    assert any(c["name"] == "handling" for c in bundle["clocks"])
    assert bundle["checkpoint"]["position"] >= bundle["events"][-1]["position"]
    # The leaf index is the count of ledger events before it, whatever gaps the positions have.
    reads = world.server.ledger.reads
    for event in bundle["events"]:
        assert event["leaf_index"] == len(reads.rows_between(1, event["position"] - 1, 10**9))

    report = bundle_check.check_bundle(bundle, bytes.fromhex(public_key_hex))
    assert report.ok, report.problem
    assert report.proofs_checked == len(bundle["events"]) and not report.notes

    second = bundle["events"][1]["version"]
    answered = types.index("Answered") + 1
    tampered: dict[str, tuple[Bundle, str | None, str]] = {}
    field = copy.deepcopy(bundle)
    field["events"][answered - 1]["state"] = field["events"][answered - 1]["state"].replace(
        '"explain"', '"support"'
    )
    tampered["an event field"] = (field, None, f"event {answered}: its stored bytes hash to")
    deleted = copy.deepcopy(bundle)
    del deleted["events"][2]
    tampered["a deleted event"] = (deleted, None, "event 3 is missing or out of order (found version 4")
    reordered = copy.deepcopy(bundle)
    reordered["events"][1], reordered["events"][2] = reordered["events"][2], reordered["events"][1]
    tampered["a reordered event"] = (reordered, None, f"event {second} is missing or out of order")
    rechained = _rechain(bundle, answered, _answered)
    tampered["a re-chained case"] = (
        rechained, None, f"event {answered} is not in the ledger under the checkpoint root"
    )  # fmt: skip
    forged_root = copy.deepcopy(rechained)
    forged_root["checkpoint"]["root"] = _resign(rechained, SigningKey.generate())["checkpoint"]["root"]
    tampered["a forged checkpoint"] = (forged_root, None, "the checkpoint's signature does not verify")
    bigger = copy.deepcopy(bundle)
    bigger["checkpoint"]["size"] += 1
    tampered["a checkpoint grown by one"] = (bigger, None, "the checkpoint's signature does not verify")
    resigned = _resign(rechained, SigningKey.generate())
    tampered["a swapped public key"] = (resigned, public_key_hex, "is not the key you trust")
    moved = copy.deepcopy(bundle)
    moved["case_id"] = bundle_check.GENESIS_HASH[:8] + case_id[8:]
    tampered["another case id"] = (moved, None, "event 1: its stored bytes hash to")
    doc = copy.deepcopy(bundle)
    doc["documents"][0]["sha256"] = "f" * 64
    tampered["a document hash"] = (doc, None, "its SHA-256 is not in event")

    for what, (forged, key, expected) in tampered.items():
        problem = _problem(forged, key)
        assert problem is not None and expected in problem, (what, problem)
    # Without a key kept elsewhere, the attacker's own key makes the forgery look valid: that is why
    # an inspector passes --public-key.
    assert _problem(resigned) is None


def test_verify_bundle_command_exit_codes_and_output(
    world: World, public_key_hex: str, tmp_path: Path
) -> None:
    bundle = export(world, documented_case(world))
    good, bad, key = tmp_path / "good.json", tmp_path / "bad.json", tmp_path / "ledger.pub"
    good.write_text(json.dumps(bundle, ensure_ascii=False))
    key.write_text(public_key_hex + "\n")
    broken = copy.deepcopy(bundle)
    broken["events"][1]["state"] = broken["events"][1]["state"].replace('"prev_hash"', '"prev_hash "')
    bad.write_text(json.dumps(broken, ensure_ascii=False))
    runner = CliRunner()

    ok = runner.invoke(cli, ["verify-bundle", str(good), "--public-key", str(key)])
    assert ok.exit_code == 0, ok.output
    assert ok.output.startswith(f"VALID: case {bundle['case_id']}, {len(bundle['events'])} events")
    assert "signature verifies with key" in ok.output
    unkeyed = runner.invoke(cli, ["verify-bundle", str(good)])
    assert unkeyed.exit_code == 0 and "pass --public-key with a key kept elsewhere" in unkeyed.output
    failed = runner.invoke(cli, ["verify-bundle", str(bad), "--public-key", public_key_hex])
    assert failed.exit_code == 1
    assert failed.output.startswith("INVALID: event 2: its stored bytes hash to"), failed.output
    other = runner.invoke(
        cli, ["verify-bundle", str(good), "--public-key", SigningKey.generate().verify_key.encode().hex()]
    )
    assert other.exit_code == 1 and "is not the key you trust" in other.output
    # The checker runs alone: the copied file, a plain interpreter, no package on the path.
    import subprocess
    import sys

    alone = tmp_path / "alone"
    alone.mkdir()
    (alone / "verify_bundle.py").write_bytes(Path(bundle_check.__file__).read_bytes())
    run = subprocess.run(
        [sys.executable, "-I", "verify_bundle.py", str(good), "--public-key", public_key_hex],
        cwd=alone, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert run.returncode == 0, run.stdout + run.stderr
