"""Ledger verification as a background job over HTTP: start, poll, result; roles; the bound."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator, Mapping
from typing import Any

import httpx
import pytest
from eventsourcing.persistence import ApplicationRecorder

from api.verify_jobs import TooManyJobs, VerifyJob, VerifyJobs
from domain.context import command_context
from domain.ledger_tree import ledger_head
from domain.verify import VerifyReport
from domain.vocabulary import Role
from tests.conftest import ADMIN_TOKEN, LiveServer
from tests.integrity.support import ADMIN, Attacker, edited_state, populate


@pytest.fixture
def server(store_url: str, tmp_path: Any) -> Iterator[LiveServer]:
    from api.settings import Settings

    key_file = tmp_path / "signing.key"
    key_file.write_text(bytes(range(32)).hex())
    key_file.chmod(0o600)
    settings = Settings(database_url=store_url, admin_token=ADMIN_TOKEN, signing_key_file=str(key_file))
    with LiveServer(settings) as live:
        yield live


def finished(client: httpx.Client, location: str) -> dict[str, Any]:
    deadline = time.monotonic() + 30
    while True:
        job: dict[str, Any] = client.get(location).json()
        if job["state"] != "running":
            return job
        assert time.monotonic() < deadline, job
        time.sleep(0.05)


def test_a_verify_job_is_started_polled_and_reports_what_the_synchronous_verify_does(
    server: LiveServer, store_url: str
) -> None:
    case_id = populate(server.ledger, cases=3)[1]
    with server.client() as admin:
        admin.post("/api/v1/ledger/checkpoints")
        started = admin.post("/api/v1/ledger/verify")
        assert started.status_code == 202, started.text
        location = started.headers["location"]
        assert location == f"/api/v1/ledger/verify/{started.json()['job_id']}"
        head = ledger_head(server.ledger.recorder)
        assert started.json()["head"] == head and started.json()["state"] in ("running", "done")
        job = finished(admin, location)
        assert job["state"] == "done" and job["error"] is None
        assert job["events_checked"] == head and job["position"] == job["head"] == head
        assert job["result"] == admin.get("/api/v1/ledger/verify").json()
        assert job["result"]["ok"] is True

        rows = server.ledger.reads.aggregate_rows(case_id)
        Attacker(store_url).set_state(case_id, 2, edited_state(rows[1].state, text="changed"))
        tampered = finished(admin, admin.post("/api/v1/ledger/verify").headers["location"])
        assert tampered["result"]["ok"] is False
        assert tampered["result"]["first_bad"]["originator_id"] == str(case_id)

        missing = admin.get("/api/v1/ledger/verify/no-such-job")
        assert missing.status_code == 404 and missing.json()["code"] == "verify_job_not_found"


def test_only_ledger_roles_start_or_poll_a_verify_job(server: LiveServer) -> None:
    populate(server.ledger, cases=1)
    with command_context(actor=ADMIN):
        registrar = server.ledger.create_user(user_id="r", name="r", role=Role.REGISTRAR, unit_code="county")
        inspector = server.ledger.create_user(user_id="i", name="i", role=Role.INSPECTOR, unit_code="county")
    with server.client(inspector) as allowed, server.client(registrar) as refused:
        location = allowed.post("/api/v1/ledger/verify").headers["location"]
        assert refused.post("/api/v1/ledger/verify").status_code == 403
        assert refused.get(location).status_code == 403
        assert finished(allowed, location)["result"]["ok"] is True
    assert server.client(token=None).post("/api/v1/ledger/verify").status_code == 401


class HeldJobs(VerifyJobs):
    """Jobs that run only when the test lets them finish."""

    release = threading.Event()

    @staticmethod
    def _verify(job: VerifyJob, recorder: ApplicationRecorder, trusted: Mapping[str, bytes]) -> VerifyReport:
        assert HeldJobs.release.wait(30)
        return VerifyJobs._verify(job, recorder, trusted)


def test_jobs_are_bounded_and_the_oldest_finished_are_forgotten_first(server: LiveServer) -> None:
    populate(server.ledger, cases=1)
    recorder = server.ledger.recorder
    jobs = HeldJobs(kept=2, running=1)
    HeldJobs.release.clear()
    first = jobs.start(recorder, {})
    with pytest.raises(TooManyJobs):
        jobs.start(recorder, {})
    HeldJobs.release.set()
    ids = [first.id]
    for _ in range(3):
        wait_done(jobs, ids[-1])
        ids.append(jobs.start(recorder, {}).id)
    wait_done(jobs, ids[-1])
    assert [jobs.get(i) is not None for i in ids] == [False, False, True, True]


def wait_done(jobs: VerifyJobs, job_id: str) -> None:
    deadline = time.monotonic() + 30
    while (job := jobs.get(job_id)) is not None and job.state == "running":
        assert time.monotonic() < deadline
        time.sleep(0.01)
