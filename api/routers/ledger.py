"""Signed checkpoints, consistency proofs and whole-ledger verification.

The router's lifespan also runs the checkpoint schedule (Settings.checkpoint_interval_seconds)
in a background thread, so the service keeps signing the ledger without a separate job.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, FastAPI, Query, Request

from api.auth import CurrentUser, Ledger
from api.errors import ProblemError
from api.permissions import LEDGER_ROLES
from api.reads.verify import verify_ledger
from api.responses import JSON
from api.settings import Settings
from api.signing import SigningKeys, SigningKeyUnavailable, app_signing_keys
from api.verify_jobs import TooManyJobs, VerifyJobs
from domain.application import LedgerApplication
from domain.checkpoint_store import CheckpointRecord, CheckpointStore
from domain.checkpoints import Checkpoint, key_id
from domain.evidence import checkpoint_json
from domain.ledger_tree import StoredHeadsChanged, consistency, ledger_head, make_checkpoint

log = logging.getLogger("xinfang.checkpoints")
_jobs_lock = threading.Lock()


class CheckpointSchedule:
    """Every ``interval`` seconds, sign a checkpoint if the ledger grew since the last one."""

    def __init__(self, ledger: LedgerApplication, keys: SigningKeys, interval: float) -> None:
        self.ledger, self.keys, self.interval = ledger, keys, interval
        self.stop_event = threading.Event()
        self.thread = threading.Thread(target=self._run, name="xinfang-checkpoints", daemon=True)

    def _run(self) -> None:
        while not self.stop_event.wait(self.interval):
            self.tick()

    def tick(self) -> Checkpoint | None:
        try:
            return make_checkpoint(
                self.ledger.recorder, self.ledger.reads, self.keys.signing_key(), datetime.now(UTC),
                only_if_grown=True,
            )  # fmt: skip
        except Exception:  # a failed tick must not end the schedule; the next one retries
            log.exception("scheduled checkpoint failed")
            return None

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self.stop_event.set()
        self.thread.join(timeout=30)


def checkpoint_schedule(
    ledger: LedgerApplication, keys: SigningKeys, settings: Settings
) -> CheckpointSchedule | None:
    """The schedule the settings ask for, not yet started; None if off or nothing can sign."""
    interval = settings.checkpoint_interval_seconds
    return CheckpointSchedule(ledger, keys, interval) if interval > 0 and keys.can_sign else None


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    schedule = checkpoint_schedule(app.state.ledger, app_signing_keys(app), app.state.settings)
    if schedule is not None:
        schedule.start()
    app.state.checkpoint_schedule = schedule
    try:
        yield
    finally:
        if schedule is not None:
            schedule.stop()


router = APIRouter(prefix="/api/v1/ledger", tags=["ledger integrity"], lifespan=lifespan)


def _checkpoint_out(c: Checkpoint, public_key: str | None = None) -> dict[str, Any]:
    out = checkpoint_json(c)
    if public_key is not None:
        out["public_key"] = public_key
    return out


def _record_out(r: CheckpointRecord) -> dict[str, Any]:
    return _checkpoint_out(r.checkpoint, r.public_key)


@router.get("/public-key")
def public_key(request: Request) -> dict[str, Any]:
    """The checkpoint signing key's public half (Ed25519, hex), and every key verify trusts. No token needed."""
    keys = app_signing_keys(request.app)
    own = keys.public_key()
    if own is None:
        raise ProblemError(404, "no_signing_key", "this service has no checkpoint signing key yet")
    trusted = [{"key_id": k, "public_key": v.hex()} for k, v in keys.trusted().items()]
    return {"algorithm": "Ed25519", "key_id": key_id(own), "public_key": own.hex(), "trusted": trusted}


@router.get("/checkpoints")
def list_checkpoints(
    ledger: Ledger, who: CurrentUser, limit: Annotated[int, Query(ge=1, le=1000)] = 100
) -> dict[str, Any]:
    """Signed checkpoints, newest first."""
    return {"items": [_record_out(r) for r in CheckpointStore(ledger.recorder).newest_first(limit)]}


@router.post("/checkpoints", status_code=201)
def create_checkpoint(request: Request, ledger: Ledger, who: CurrentUser) -> Any:
    """Sign a checkpoint over the whole ledger now."""
    who.require(LEDGER_ROLES, "make checkpoints")
    keys = app_signing_keys(request.app)
    try:
        key = keys.signing_key()
    except SigningKeyUnavailable as exc:
        raise ProblemError(503, "signing_key_unavailable", str(exc)) from None
    try:
        checkpoint = make_checkpoint(ledger.recorder, ledger.reads, key, datetime.now(UTC))
    except StoredHeadsChanged as exc:
        raise ProblemError(409, "ledger_changed", str(exc)) from None
    assert checkpoint is not None  # only the schedule skips
    return JSON(_checkpoint_out(checkpoint, bytes(key.verify_key).hex()), status_code=201)


@router.get("/checkpoints/consistency")
def consistency_proof(
    ledger: Ledger,
    who: CurrentUser,
    old: Annotated[int, Query(alias="from", ge=0)],
    new: Annotated[int, Query(alias="to", ge=0)],
) -> dict[str, Any]:
    """RFC 9162 consistency proof that the ledger's first `from` events are a prefix of its first `to`.

    Compare `from_root` and `to_root` with the roots of checkpoints you kept; verify the proof
    with any RFC 9162 implementation (leaves are event hashes in ledger order).
    """
    if old > new:
        raise ProblemError(422, "validation_failed", "`from` must not exceed `to`")
    try:
        proof = consistency(ledger.reads, ledger_head(ledger.recorder), old, new)
    except ValueError as exc:
        raise ProblemError(422, "validation_failed", str(exc)) from None
    return {
        "from": proof.old_size, "to": proof.new_size, "from_root": proof.old_root,
        "to_root": proof.new_root, "proof": proof.proof,
    }  # fmt: skip


@router.get("/verify")
def verify(request: Request, ledger: Ledger, who: CurrentUser) -> dict[str, Any]:
    """Verify within this request (synchronous: for small ledgers; POST starts a background job).

    Re-derives every chain and every checkpoint root and signature; names the first bad event,
    and in `cases` every case whose head a signed checkpoint contradicts.
    """
    return verify_ledger(request, ledger, who)


def verify_jobs(app: FastAPI) -> VerifyJobs:
    """The app's verification jobs (in this process's memory)."""
    with _jobs_lock:
        jobs: VerifyJobs | None = getattr(app.state, "verify_jobs", None)
        if jobs is None:
            jobs = app.state.verify_jobs = VerifyJobs()
        return jobs


@router.post("/verify", status_code=202)
def start_verify(request: Request, ledger: Ledger, who: CurrentUser) -> Any:
    """Start verifying the whole ledger in the background; poll the Location for progress and the result."""
    who.require(LEDGER_ROLES, "verify the ledger")
    try:
        job = verify_jobs(request.app).start(ledger.recorder, app_signing_keys(request.app).trusted())
    except TooManyJobs as exc:
        raise ProblemError(429, "verify_jobs_busy", str(exc)) from None
    return JSON(job.as_dict(), status_code=202, headers={"Location": f"{router.prefix}/verify/{job.id}"})


@router.get("/verify/{job_id}")
def poll_verify(job_id: str, request: Request, who: CurrentUser) -> dict[str, Any]:
    """A verification job: state, events checked so far, the position reached of `head`, the result when done.

    Jobs are kept in the memory of the API process that started them (the newest 20).
    """
    who.require(LEDGER_ROLES, "verify the ledger")
    job = verify_jobs(request.app).get(job_id)
    if job is None:
        raise ProblemError(
            404, "verify_job_not_found", "no such verification job in this API process (finished jobs are kept "
            "for a while, and only by the process that ran them)",
        )  # fmt: skip
    return job.as_dict()
