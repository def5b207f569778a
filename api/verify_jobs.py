"""Whole-ledger verification as a background job of the API process, polled for progress.

A job runs `domain.verify.verify_stored` in a thread of its own. Jobs live in this process's
memory only: with several API processes, a poll must reach the process that started the job
(sticky routing), or use `xinfang verify` where the run must not depend on one process. At most
KEPT jobs are kept (the oldest finished ones are forgotten first) and at most RUNNING run at once,
since each one reads the whole ledger on a machine whose cores the requests share.
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from eventsourcing.persistence import ApplicationRecorder

from domain.ledger_tree import ledger_head
from domain.verify import VerifyReport, verify_stored

log = logging.getLogger("xinfang.verify_jobs")
KEPT = 20
RUNNING = 2


class TooManyJobs(Exception):
    """RUNNING verifications are already running in this process."""


@dataclass
class VerifyJob:
    id: str
    head: int  # the ledger position verified up to: the job's total
    started_at: datetime
    state: str = "running"  # running | done | failed
    position: int = 0  # the ledger position reached
    events_checked: int = 0
    finished_at: datetime | None = None
    result: VerifyReport | None = None
    error: str | None = None
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def as_dict(self) -> dict[str, Any]:
        with self.lock:
            return {
                "job_id": self.id, "state": self.state, "events_checked": self.events_checked,
                "position": self.position, "head": self.head, "started_at": self.started_at,
                "finished_at": self.finished_at, "error": self.error,
                "result": None if self.result is None else self.result.as_dict(),
            }  # fmt: skip


class VerifyJobs:
    def __init__(self, kept: int = KEPT, running: int = RUNNING) -> None:
        self.kept, self.running = kept, running
        self.jobs: OrderedDict[str, VerifyJob] = OrderedDict()
        self.lock = threading.Lock()

    def start(self, recorder: ApplicationRecorder, trusted: Mapping[str, bytes]) -> VerifyJob:
        """Start verifying the ledger as it stands now; TooManyJobs if RUNNING already run."""
        job = VerifyJob(uuid.uuid4().hex, ledger_head(recorder), datetime.now(UTC))
        with self.lock:
            if sum(j.state == "running" for j in self.jobs.values()) >= self.running:
                raise TooManyJobs(f"{self.running} ledger verifications are already running; poll them first")
            self.jobs[job.id] = job
            self._forget_old()
        thread = threading.Thread(
            target=self._run, args=(job, lambda: self._verify(job, recorder, trusted)),
            name=f"xinfang-verify-{job.id[:8]}", daemon=True,
        )  # fmt: skip
        thread.start()
        return job

    def get(self, job_id: str) -> VerifyJob | None:
        with self.lock:
            return self.jobs.get(job_id)

    def _forget_old(self) -> None:
        finished = [k for k, j in self.jobs.items() if j.state != "running"]
        while len(self.jobs) > self.kept and finished:
            del self.jobs[finished.pop(0)]

    @staticmethod
    def _verify(job: VerifyJob, recorder: ApplicationRecorder, trusted: Mapping[str, bytes]) -> VerifyReport:
        def reached(position: int, _head: int) -> None:
            with job.lock:
                job.position = position

        def counted(events: int) -> None:
            with job.lock:
                job.events_checked = events

        return verify_stored(recorder, trusted, progress=reached, counted=counted, head=job.head)

    @staticmethod
    def _run(job: VerifyJob, verify: Callable[[], VerifyReport]) -> None:
        try:
            report = verify()
        except Exception as exc:  # a failed run is the job's answer, not a lost thread
            log.exception("ledger verification job %s failed", job.id)
            with job.lock:
                job.state, job.error, job.finished_at = "failed", str(exc), datetime.now(UTC)
            return
        with job.lock:
            job.state, job.result, job.finished_at = "done", report, datetime.now(UTC)
            job.events_checked, job.position = report.events_checked, job.head
