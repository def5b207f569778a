"""Views fed by several runner processes at once, one group of views each: the same rows as one
runner, every view at the ledger's end, and a process that fails or dies is never waited for
forever nor left dead."""

from __future__ import annotations

import dataclasses
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from uuid import UUID

import psutil
import pytest

from bench.generator import generate
from domain.application import LedgerApplication
from domain.context import command_context
from domain.ledger_tree import ledger_head
from domain.store import parse_database_url
from domain.values import SYSTEM_ACTOR
from migrations.runner import migrate
from projections.engine.database import ViewDatabase
from projections.engine.parallel import GroupFailed, catch_up_in_processes, view_groups
from projections.engine.rebuild import check_view
from projections.engine.runner import ViewRunner
from projections.registry import VIEW_CLASSES, instantiate

ROOT = Path(__file__).resolve().parents[2]
REGISTERED = [cls.name for cls in VIEW_CLASSES]


# ---- groups -------------------------------------------------------------------------------


def test_two_jobs_put_the_case_status_view_with_the_lightest_and_the_rest_together() -> None:
    # the recommendations view (a few events) ties the two groups' work and joins the first
    assert view_groups(REGISTERED, 2) == [
        ["case_status", "recommendations"], ["satisfaction", "accountability", "figures", "reference"],
    ]  # fmt: skip


def test_one_job_takes_every_view_in_registry_order() -> None:
    assert view_groups(REGISTERED, 1) == [REGISTERED]


def test_more_jobs_than_views_gives_each_view_a_process_and_no_empty_group() -> None:
    assert sorted(view_groups(REGISTERED, 8)) == sorted([name] for name in REGISTERED)


def test_groups_are_balanced_by_work_and_unknown_views_count_as_light() -> None:
    groups = view_groups(["a", "b", "c", "figures"], 2)
    assert groups == [["figures"], ["a", "b", "c"]]


def test_no_jobs_is_refused() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        view_groups(REGISTERED, 0)


# ---- catching up in processes (PostgreSQL: SQLite takes one writer at a time) -----------------


def _head(ledger: LedgerApplication) -> int:
    return ledger_head(ledger.recorder)


@pytest.mark.postgres
def test_views_fed_by_two_processes_match_a_rebuild_by_one(postgres_ledger: LedgerApplication) -> None:
    ledger = postgres_ledger
    generate(ledger, 60, seed=5)
    head = _head(ledger)

    groups = catch_up_in_processes(ledger.store, 2)

    assert sorted(g.views for g in groups) == [
        ("case_status", "recommendations"),
        ("satisfaction", "accountability", "figures", "reference"),
    ]
    assert {v: p for g in groups for v, p in g.positions.items()} == {name: head for name in REGISTERED}
    assert all(g.peak_rss_mb > 0 for g in groups)
    db = ViewDatabase(ledger.store)
    for view in instantiate(ledger, VIEW_CLASSES):
        report = check_view(ledger, db, view)  # one process replays it into scratch tables
        assert report.position == head and not report.drifted, (view.name, report.tables)


def test_sqlite_views_are_fed_by_one_process(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'ledger.db'}"
    migrate(url)
    with pytest.raises(ValueError, match="one writer"):
        catch_up_in_processes(parse_database_url(url), 2)


@pytest.mark.postgres
def test_a_group_that_cannot_reach_its_store_fails_with_its_views_named(
    postgres_ledger: LedgerApplication,
) -> None:
    gone = dataclasses.replace(postgres_ledger.store, pg_dbname="xinfang_no_such_database")

    with pytest.raises(GroupFailed, match=r"views case_status,recommendations: OperationalError") as failed:
        catch_up_in_processes(gone, 2)

    assert "views satisfaction,accountability,figures,reference: OperationalError" in str(failed.value)


# ---- xinfang project --jobs ---------------------------------------------------------------


class ProjectProcess:
    """`xinfang project --jobs N` in a process of its own."""

    def __init__(self, url: str, jobs: int) -> None:
        command = [sys.executable, "-c", "from api.cli import main; main()", "project", "--jobs", str(jobs)]
        env = {**os.environ, "XINFANG_DATABASE_URL": url}
        self.proc = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
        )

    def runners(self) -> list[psutil.Process]:
        """The runner processes (spawn also starts a resource tracker, which feeds no view)."""
        children = psutil.Process(self.proc.pid).children()
        return [c for c in children if "resource_tracker" not in " ".join(c.cmdline())]

    def stop(self) -> str:
        self.proc.send_signal(signal.SIGTERM)
        out, _ = self.proc.communicate(timeout=60)
        return out.decode()


@pytest.fixture
def project_of(postgres_store_url: str) -> Iterator[ProjectProcess]:
    process = ProjectProcess(postgres_store_url, 2)
    yield process
    if process.proc.poll() is None:
        process.proc.kill()
        process.proc.wait()


def _positions(ledger: LedgerApplication) -> dict[str, int]:
    runner = ViewRunner(ledger, ViewDatabase(ledger.store), instantiate(ledger, VIEW_CLASSES))
    try:
        return {name: status.position for name, status in runner.positions().items()}
    finally:
        runner.close()


def _wait_for(ledger: LedgerApplication, position: int, seconds: float = 60) -> dict[str, int]:
    deadline = time.monotonic() + seconds
    while True:
        reached = _positions(ledger)
        if all(p >= position for p in reached.values()) or time.monotonic() > deadline:
            return reached
        time.sleep(0.2)


@pytest.mark.postgres
def test_project_with_two_jobs_feeds_every_view_restarts_a_dead_runner_and_stops_cleanly(
    postgres_ledger: LedgerApplication, project_of: ProjectProcess
) -> None:
    ledger = postgres_ledger
    generate(ledger, 30, seed=9)
    assert _wait_for(ledger, _head(ledger)) == {name: _head(ledger) for name in REGISTERED}
    runners = project_of.runners()
    assert len(runners) == 2

    # A runner process dies (killed, out of memory): the parent starts it again, and the views
    # of its group follow the ledger once more.
    victim = runners[0]
    victim.kill()
    victim.wait(10)
    more = generate_more(ledger)
    assert _wait_for(ledger, more) == {name: more for name in REGISTERED}
    assert len(project_of.runners()) == 2 and victim.pid not in {p.pid for p in project_of.runners()}

    pids = [p.pid for p in project_of.runners()]
    output = project_of.stop()
    assert project_of.proc.returncode == 0, output
    assert not any(
        psutil.pid_exists(pid) and psutil.Process(pid).status() != psutil.STATUS_ZOMBIE for pid in pids
    )
    assert "runner process 1: views case_status" in output
    assert "runner process 2: views satisfaction, accountability, figures" in output
    assert "starting it again" in output


def generate_more(ledger: LedgerApplication) -> int:
    """A note on a case, written like any command; the ledger's new head."""
    with ViewDatabase(ledger.store).transaction(write=False) as tx:
        row = tx.execute("SELECT case_id FROM case_status ORDER BY case_id LIMIT 1").fetchone()
    assert row is not None
    with command_context(actor=SYSTEM_ACTOR, reason="a note after a runner died"):
        ledger.execute(UUID(str(row[0])), "notes", {"text": "跟进记录"})
    return _head(ledger)


def test_project_jobs_needs_postgresql(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'ledger.db'}"
    command = [sys.executable, "-c", "from api.cli import main; main()", "project", "--jobs", "2"]
    done = subprocess.run(
        command,
        check=False,
        cwd=ROOT,
        env={**os.environ, "XINFANG_DATABASE_URL": url},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert "--jobs above 1 needs PostgreSQL" in done.stdout
