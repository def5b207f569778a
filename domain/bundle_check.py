"""Offline checker of a case's evidence bundle (`xinfang verify-bundle FILE`).

Standalone on purpose: the Python standard library and PyNaCl only, no database, no
service, nothing else from this package, so an inspector can copy this one file and run

    python bundle_check.py BUNDLE.json [--public-key HEX_OR_FILE]

It re-derives every event hash from the stored bytes in the bundle, checks the case's
hash chain and versions 1..n, checks each event's RFC 9162 inclusion proof against the
checkpoint root, and the checkpoint's Ed25519 signature. Under a version 2 checkpoint it also
checks that the bundle's last event is the case's head the checkpoint signed (its inclusion
proof under the heads root), so a bundle missing its last events fails. It re-implements those
few lines (the event hash of `domain.integrity`, the head leaf of `domain.case_heads`, RFC 9162
§2.1.3.2, the checkpoint message of `domain.checkpoints`) rather than importing them: it is
the independent checker.
Exit status 0 when the bundle is valid, 1 when it is not (the first problem is printed), 2 when
it could not be checked (PyNaCl missing, the key file unreadable; one line on stderr).
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

FORMAT = "xinfang-evidence/2"  # the format exported now: with the case's signed head
FORMATS = ("xinfang-evidence/1", FORMAT)  # 1: exported before case heads
GENESIS_HASH = "0" * 64
LEDGER_NAME = "xinfang"


class Invalid(Exception):
    """The first problem found in a bundle."""


@dataclass
class Report:
    ok: bool
    problem: str | None = None
    case_id: str | None = None
    events: int = 0
    proofs_checked: int = 0
    checkpoint: dict[str, Any] | None = None
    key_id: str | None = None
    notes: list[str] = field(default_factory=list)


# ---- the hashes -------------------------------------------------------------------------


def event_hash(case_id: str, version: int, topic: str, state: bytes) -> str:
    header = f"xinfang-event-v1\n{case_id}\n{version}\n{topic}\n".encode()
    return hashlib.sha256(header + state).hexdigest()


def leaf_hash(data: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def root_from_inclusion(leaf: bytes, index: int, size: int, proof: list[bytes]) -> bytes | None:
    """RFC 9162 §2.1.3.2: the root the proof leads to, or None when it cannot be a proof."""
    if index < 0 or index >= size:
        return None
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0:
            return None
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    return r if sn == 0 else None


def key_id(public_key: bytes) -> str:
    return hashlib.sha256(public_key).hexdigest()[:16]


def head_leaf(case_id: str, version: int, head_hash: str) -> bytes:
    return leaf_hash(f"xinfang-head-v1\n{case_id}\n{version}\n{head_hash}".encode())


def checkpoint_message(
    position: int, size: int, root: str, created_at: str, heads: tuple[str, int] | None = None
) -> bytes:
    """The signed bytes: sorted-key JSON without whitespace (as `domain.checkpoints`), version 2 with heads."""
    body: dict[str, Any] = {
        "created_at": created_at, "ledger": LEDGER_NAME, "position": position, "root": root, "size": size,
    }  # fmt: skip
    if heads is not None:
        body |= {"version": 2, "heads_root": heads[0], "heads_size": heads[1]}
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


# ---- reading the bundle -----------------------------------------------------------------


def _hex(value: Any, what: str, length: int | None = None) -> bytes:
    if not isinstance(value, str):
        raise Invalid(f"{what} is not a hex string")
    try:
        raw = bytes.fromhex(value)
    except ValueError:
        raise Invalid(f"{what} is not a hex string") from None
    if length is not None and len(raw) != length:
        raise Invalid(f"{what} is not {length} bytes")
    return raw


def _int(value: Any, what: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise Invalid(f"{what} is not an integer")
    return value


def stored_bytes(event: dict[str, Any], version: int) -> bytes:
    """The event's state exactly as stored: UTF-8 text, or base64 when it was not text."""
    if isinstance(event.get("state"), str):
        return str(event["state"]).encode("utf-8")
    if isinstance(event.get("state_base64"), str):
        try:
            return base64.b64decode(event["state_base64"], validate=True)
        except ValueError:
            raise Invalid(f"event {version}: state_base64 is not base64") from None
    raise Invalid(f"event {version}: the stored state is missing")


def load_key(text: str) -> bytes:
    """A public key as 64 hex characters or as the JSON of GET /api/v1/ledger/public-key (its
    `public_key`), given directly or in a file (what `xinfang public-key -o FILE` writes)."""
    candidate = text.strip()
    path = Path(candidate)
    if len(candidate) != 64 and not candidate.startswith("{") and path.is_file():
        candidate = path.read_text(encoding="utf-8").strip()
    if candidate.startswith("{"):
        try:
            candidate = json.loads(candidate).get("public_key")
        except (ValueError, AttributeError):
            raise Invalid("the public key file is JSON but not the service's public-key answer") from None
    return _hex(candidate, "the public key", 32)


# ---- the checks -------------------------------------------------------------------------


def _check_chain(case_id: str, events: list[Any]) -> list[str]:
    """Every hash re-derived, versions 1..n, each event linked to the one before."""
    previous, last_position, hashes = GENESIS_HASH, 0, []
    for expected, event in enumerate(events, start=1):
        if not isinstance(event, dict):
            raise Invalid(f"event entry {expected} is not an object")
        version = _int(event.get("version"), f"event entry {expected}: version")
        if version != expected:
            raise Invalid(
                f"event {expected} is missing or out of order (found version {version} in its place)"
            )
        topic, state = event.get("topic"), stored_bytes(event, version)
        if not isinstance(topic, str):
            raise Invalid(f"event {version}: topic is missing")
        if version == 1 and not topic.endswith(":Registered"):
            raise Invalid("event 1 is not the case's registration")
        digest = event_hash(case_id, version, topic, state)
        if event.get("hash") != digest:
            raise Invalid(
                f"event {version}: its stored bytes hash to {digest}, not the listed {event.get('hash')}"
            )
        try:
            fields = json.loads(state)
        except ValueError:
            raise Invalid(f"event {version}: the stored state is not JSON") from None
        if not isinstance(fields, dict) or fields.get("prev_hash") != previous:
            raise Invalid(f"event {version} does not link to event {version - 1} (prev_hash differs)")
        if event.get("prev_hash") != previous:
            raise Invalid(f"event {version}: the listed prev_hash is not the one in its stored bytes")
        position = _int(event.get("position"), f"event {version}: position")
        if position <= last_position:
            raise Invalid(f"event {version} is not after event {version - 1} in ledger order")
        previous, last_position = digest, position
        hashes.append(digest)
    return hashes


def _signed_heads(cp: dict[str, Any]) -> tuple[str, int] | None:
    """(heads root, heads size) of a version 2 checkpoint, None for version 1."""
    if cp.get("heads_root") is None:
        return None
    root = _hex(cp.get("heads_root"), "the checkpoint's heads root", 32)
    return root.hex(), _int(cp.get("heads_size"), "the checkpoint's heads size")


def _check_checkpoint(
    bundle: dict[str, Any], trusted_key: bytes | None, report: Report
) -> tuple[int, int, bytes, tuple[str, int] | None]:
    cp = bundle.get("checkpoint")
    if not isinstance(cp, dict):
        raise Invalid("the checkpoint is malformed")
    position, size = _int(cp.get("position"), "checkpoint position"), _int(cp.get("size"), "checkpoint size")
    root = _hex(cp.get("root"), "the checkpoint root", 32)
    heads = _signed_heads(cp)
    created_at = cp.get("created_at")
    if not isinstance(created_at, str):
        raise Invalid("the checkpoint time is missing")
    bundled_key = _hex(bundle.get("public_key"), "the bundle's public key", 32)
    if trusted_key is not None and trusted_key != bundled_key:
        raise Invalid(
            f"the bundle's public key ({key_id(bundled_key)}) is not the key you trust ({key_id(trusted_key)})"
        )
    key = trusted_key or bundled_key
    if cp.get("key_id") != key_id(key):
        raise Invalid(f"the checkpoint names key {cp.get('key_id')}, not {key_id(key)}")
    signature = _hex(cp.get("signature"), "the checkpoint signature", 64)
    from nacl.exceptions import BadSignatureError
    from nacl.signing import VerifyKey

    try:
        VerifyKey(key).verify(checkpoint_message(position, size, root.hex(), created_at, heads), signature)
    except BadSignatureError:
        raise Invalid("the checkpoint's signature does not verify under the public key") from None
    report.checkpoint, report.key_id = cp, key_id(key)
    if trusted_key is None:
        report.notes.append(
            "checked against the key inside the bundle only: pass --public-key with a key kept elsewhere"
        )
    return position, size, root, heads


def _check_head(case_id: str, bundle: dict[str, Any], events: list[Any], hashes: list[str],
                heads: tuple[str, int] | None, report: Report) -> None:  # fmt: skip
    """The bundle's last event is the case's head the checkpoint signed: none of its events is missing."""
    if heads is None:
        report.notes.append(
            "the checkpoint predates case heads: the bundle cannot show that no later event of the case was left out"
        )
        return
    head = bundle.get("head")
    if not isinstance(head, dict):
        raise Invalid("the bundle has no signed head of the case, which its checkpoint requires")
    version = _int(head.get("version"), "the head's version")
    last = events[-1]["version"]
    if version != last:
        raise Invalid(
            f"the checkpoint signed the case's head at version {version}, but the bundle's events end at "
            f"version {last}: "
            + ("its last events are missing" if version > last else "it lists events after it")
        )
    if head.get("hash") != hashes[-1]:
        raise Invalid(f"the case's last event (version {last}) is not the head the checkpoint signed")
    index, size = (
        _int(head.get("heads_index"), "the head's index"),
        _int(head.get("heads_size"), "heads size"),
    )
    proof = head.get("heads_proof")
    if not isinstance(proof, list) or size != heads[1]:
        raise Invalid("the head's inclusion proof is missing or not for the checkpoint's heads")
    path = [_hex(p, "head proof node", 32) for p in proof]
    if root_from_inclusion(head_leaf(case_id, version, hashes[-1]), index, size, path) != bytes.fromhex(
        heads[0]
    ):
        raise Invalid(
            "the case's head is not under the checkpoint's signed heads root (inclusion proof fails)"
        )


def _check_proofs(
    events: list[dict[str, Any]], hashes: list[str], position: int, size: int, root: bytes
) -> int:
    last_index = -1
    for event, digest in zip(events, hashes, strict=True):
        version = event["version"]
        if event["position"] > position:
            raise Invalid(
                f"event {version} (position {event['position']}) is after the checkpoint ({position})"
            )
        index = _int(event.get("leaf_index"), f"event {version}: leaf_index")
        if index <= last_index:
            raise Invalid(f"event {version}: leaf index {index} is not after the previous event's")
        proof = event.get("inclusion_proof")
        if not isinstance(proof, list):
            raise Invalid(f"event {version}: the inclusion proof is missing")
        path = [_hex(p, f"event {version}: proof node", 32) for p in proof]
        if root_from_inclusion(leaf_hash(bytes.fromhex(digest)), index, size, path) != root:
            raise Invalid(
                f"event {version} is not in the ledger under the checkpoint root (inclusion proof fails)"
            )
        last_index = index
    return len(events)


def _check_documents(bundle: dict[str, Any], events: list[dict[str, Any]]) -> None:
    """Each listed document hash must be a value in the stored event it names."""
    by_version = {e["version"]: e for e in events}
    for n, doc in enumerate(bundle.get("documents") or [], start=1):
        version = doc.get("event_version") if isinstance(doc, dict) else None
        event = by_version.get(version) if isinstance(version, int) else None
        if event is None:
            raise Invalid(f"document {n} names no event of this case")
        fields = json.loads(stored_bytes(event, event["version"]))
        if doc.get("sha256") not in {v for v in fields.values() if isinstance(v, str)}:
            raise Invalid(f"document {n} ({doc.get('file_name')}): its SHA-256 is not in event {version}")


def check_bundle(bundle: Any, trusted_key: bytes | None = None) -> Report:
    """Check a parsed bundle; the report names the first problem."""
    report = Report(ok=False)
    try:
        if not isinstance(bundle, dict) or bundle.get("format") not in FORMATS:
            raise Invalid(f"not an evidence bundle of format {' or '.join(FORMATS)}")
        case_id, events = bundle.get("case_id"), bundle.get("events")
        if not isinstance(case_id, str) or not isinstance(events, list) or not events:
            raise Invalid("the bundle has no case id or no events")
        report.case_id = case_id
        hashes = _check_chain(case_id, events)
        report.events = len(events)
        _check_documents(bundle, events)
        if bundle.get("checkpoint") is None:
            if trusted_key is not None:
                raise Invalid("the bundle has no checkpoint to check against your key")
            report.notes.append(
                f"no checkpoint: {bundle.get('proof_status') or 'the bundle carries no proof'}"
            )
            report.notes.append(
                "only the hash chain was checked; it does not show the ledger was not rewritten"
            )
        else:
            position, size, root, heads = _check_checkpoint(bundle, trusted_key, report)
            report.proofs_checked = _check_proofs(events, hashes, position, size, root)
            _check_head(case_id, bundle, events, hashes, heads, report)
    except Invalid as problem:
        report.problem = str(problem)
        return report
    report.ok = True
    return report


def check_file(path: str | Path, trusted_key: bytes | None = None) -> Report:
    try:
        bundle = json.loads(Path(path).read_bytes())
    except (OSError, ValueError) as exc:
        return Report(ok=False, problem=f"cannot read {path}: {exc}")
    return check_bundle(bundle, trusted_key)


def describe(report: Report) -> list[str]:
    if not report.ok:
        return [f"INVALID: {report.problem}"]
    lines = [f"VALID: case {report.case_id}, {report.events} events, hash chain intact"]
    if report.checkpoint is not None:
        cp = report.checkpoint
        lines.append(
            f"  {report.proofs_checked} inclusion proofs verify under checkpoint size {cp['size']} "
            f"(position {cp['position']}, {cp['created_at']}), root {cp['root']}"
        )
        lines.append(f"  signature verifies with key {report.key_id}")
    lines.extend(f"  note: {n}" for n in report.notes)
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Check a xinfang evidence bundle offline.")
    parser.add_argument("bundle", help="the bundle file (JSON)")
    parser.add_argument(
        "--public-key",
        help="the ledger's public key kept outside the bundle: hex, the JSON of "
        "/api/v1/ledger/public-key, or a file holding either",
    )
    args = parser.parse_args(argv)
    try:
        import nacl.signing  # noqa: F401 - checked here so that a missing library is not "invalid"
    except ImportError:
        print("cannot check: PyNaCl is not installed (pip install pynacl); exit 2 is not 'invalid'",
              file=sys.stderr)  # fmt: skip
        return 2
    try:
        key = load_key(args.public_key) if args.public_key else None
    except OSError as exc:
        print(f"cannot check: cannot read the public key: {exc}", file=sys.stderr)
        return 2
    except Invalid as exc:
        print(f"INVALID: {exc}")
        return 1
    report = check_file(args.bundle, key)
    print("\n".join(describe(report)))
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main())
