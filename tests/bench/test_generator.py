"""The data generator: a real ledger (verifies, views build), near the published rates, deterministic."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from psycopg.sql import SQL, Literal
from typer.testing import CliRunner

from api import cli
from api.bootstrap import build_runner
from bench.generator import generate
from domain.application import LedgerApplication
from domain.ledger_tree import ledger_head
from domain.serialization import decode_state
from domain.store import parse_database_url
from domain.verify import verify_ledger
from migrations.runner import migrate
from projections.engine.database import ViewDatabase

TINY = 300


def _rows(ledger: LedgerApplication) -> list[tuple[str, int, str, bytes]]:
    return [
        (str(r.originator_id), r.version, r.topic, r.state)
        for r in ledger.reads.rows_between(1, ledger_head(ledger.recorder), 10**9)
    ]


def _sqlite_ledger(path: Path) -> LedgerApplication:
    url = f"sqlite:///{path}"
    migrate(url)
    return LedgerApplication(parse_database_url(url))


def test_generated_ledger_verifies_builds_views_and_meets_the_rates(ledger: LedgerApplication) -> None:
    made = generate(ledger, TINY, seed=11)
    head = ledger_head(ledger.recorder)
    assert made.head == head == made.events > TINY * 5

    report = verify_ledger(ledger.reads, head, [], {})
    assert report.ok and report.events_checked == head

    runner = build_runner(ledger)
    try:
        runner.catch_up()
        statuses = runner.positions()
    finally:
        runner.close()
    assert {name: (s.position, s.error) for name, s in statuses.items()} == {
        name: (head, None) for name in statuses
    }
    with ViewDatabase(ledger.store).transaction(write=False) as tx:
        cases, closed, on_time = tx.execute(
            "SELECT COUNT(*), COUNT(closed_on), SUM(CASE WHEN on_time = 1 THEN 1 ELSE 0 END) FROM figures_cases"
        ).fetchone() or (0, 0, 0)
        visits, satisfied = tx.execute(
            "SELECT COUNT(*), SUM(CASE WHEN satisfaction IN ('satisfied', 'basically_satisfied') "
            "THEN 1 ELSE 0 END) FROM figures_visits"
        ).fetchone() or (0, 0)
    assert cases == TINY
    assert closed > TINY // 3
    assert 0.96 <= on_time / closed <= 1.0
    assert 0.74 <= satisfied / visits <= 0.94


def test_generated_lifecycles_cover_the_whole_process(ledger: LedgerApplication) -> None:
    generate(ledger, TINY, seed=11)
    rows = _rows(ledger)
    kinds = {topic.rsplit(":", 1)[-1] for _, _, topic, _ in rows}
    assert {
        "Registered", "Accepted", "NotAccepted", "Diverted", "Transferred", "Assigned", "Reassigned",
        "Instructed", "SupervisionIssued", "SupervisionAnswered", "ProgressRecorded", "ExtensionGranted",
        "Answered", "ReturnVisitRecorded", "Closed", "ReviewRequested", "ReviewDecided", "Corrected",
        "Archived", "UnitCreated", "LeaderAppointed", "UserCreated", "ImplementationRecorded",
    } <= kinds  # fmt: skip
    late = 0
    names: set[str] = set()
    for _, _, topic, state in rows:
        if topic.endswith(":Registered"):
            _, fields = decode_state(topic, state)
            late += fields["timestamp"] - fields["occurred_at"] > timedelta(hours=24)
            names.add(fields["petitioners"][0].name)
    assert late > 0  # late entries (recorded more than a day after the visit)
    assert len(names) > TINY // 2 and all("\u4e00" <= n[0] <= "\u9fff" for n in names)  # zh_CN names


def test_same_seed_gives_the_same_ledger_on_either_store(ledger: LedgerApplication, tmp_path: Path) -> None:
    generate(ledger, 60, seed=5)
    again = _sqlite_ledger(tmp_path / "again.db")
    other = _sqlite_ledger(tmp_path / "other.db")
    try:
        generate(again, 60, seed=5)
        generate(other, 60, seed=6)
        assert _rows(ledger) == _rows(again)
        assert _rows(ledger) != _rows(other)
    finally:
        again.close()
        other.close()


def test_generate_command_fills_an_empty_store_and_refuses_a_used_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XINFANG_DATABASE_URL", f"sqlite:///{tmp_path / 'county.db'}")
    monkeypatch.setenv("XINFANG_ADMIN_TOKEN", "some-admin-token")
    runner = CliRunner()
    result = runner.invoke(cli.app, ["generate", "--cases", "20", "--seed", "3"])
    assert result.exit_code == 0, result.output
    ledger = LedgerApplication(parse_database_url(f"sqlite:///{tmp_path / 'county.db'}"))
    try:
        head = ledger_head(ledger.recorder)
        registered = [r for r in _rows(ledger) if r[2].endswith(":Registered")]
    finally:
        ledger.close()
    assert len(registered) == 20
    assert f"20 cases, {head} events" in result.output
    again = runner.invoke(cli.app, ["generate", "--cases", "5"])
    assert again.exit_code == 1 and "not empty" in again.output
    assert runner.invoke(cli.app, ["generate", "--size", "huge"]).exit_code == 2


def test_a_generated_ledger_has_planner_statistics(
    ledger: LedgerApplication,
) -> None:
    # A bulk load leaves no statistics where autovacuum is off: PostgreSQL then guessed 2% of the
    # table per case id and loaded one case with a parallel scan and JIT (bench/RESULTS.md).
    made = generate(ledger, 40, seed=2)
    recorder: Any = ledger.recorder
    if ledger.store.kind == "sqlite":
        with recorder.datastore.transaction(commit=False) as c:
            c.execute("SELECT tbl FROM sqlite_stat1")
            rows = c.fetchall()
        assert ledger.store.events_table in {r[0] for r in rows}
        return
    with recorder.datastore.transaction(commit=False) as curs:
        curs.execute(
            "SELECT count(*) AS n FROM pg_stats WHERE schemaname = %s AND tablename = %s AND attname = 'originator_id'",
            (ledger.store.schema, ledger.store.events_table),
        )
        assert curs.fetchone()["n"] == 1
        curs.execute(
            SQL("SELECT reltuples FROM pg_class WHERE oid = {}::regclass").format(
                Literal(f"{ledger.store.schema}.{ledger.store.events_table}")
            )
        )
        assert curs.fetchone()["reltuples"] == made.events
