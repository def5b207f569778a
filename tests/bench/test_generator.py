"""The data generator: a real ledger (verifies, views build), near the published rates, deterministic."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from psycopg.sql import SQL, Literal
from typer.testing import CliRunner

from api import cli
from api.bootstrap import build_runner
from api.reads.escalations import escalated_items, month_end
from bench.generator import DEFAULT_ANCHOR, generate
from domain.application import LedgerApplication
from domain.ledger_tree import ledger_head
from domain.serialization import decode_state
from domain.store import parse_database_url
from domain.verify import verify_ledger
from domain.vocabulary import LocalPolicy
from migrations.runner import migrate
from projections.case_status.history import OCCURRED
from projections.case_status.queries import At
from projections.engine.database import ViewDatabase
from projections.practices import queries as practice_views
from projections.recommendations.view import select_recommendations, state_of

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
        rows = _rows(ledger)
        assert rows == _rows(again)  # ids, topics and bytes: receptions' and recommendations' ids too
        assert rows != _rows(other)
        kinds = {topic.rsplit(":", 1)[-1] for _, _, topic, _ in rows}
        assert {
            "ReceptionRecorded",
            "RecommendationIssued",
            "RecommendationFeedbackGiven",
            "LocalPolicySet",
        } <= kinds
        practice_ids = {
            i for i, _, topic, _ in rows if topic.endswith((":ReceptionRecorded", ":RecommendationIssued"))
        }
        assert practice_ids.isdisjoint({i for i, _, _, _ in _rows(other)})  # the seed is in them
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


def test_a_generated_ledger_holds_each_practice_and_its_views_show_them(ledger: LedgerApplication) -> None:
    """Issue 21 at realistic rates: reception days with cases registered there (joint ones naming
    the departments at the window, their cases handed to one of those), matters assigned three
    times with the petitioner unsatisfied under the escalation policy, and recommendations with
    their written feedback, some of it late; the views the bench reads show each of them."""
    generate(ledger, TINY, seed=11)
    runner = build_runner(ledger)
    try:
        runner.catch_up()
        assert {name: s.error for name, s in runner.positions().items() if s.error} == {}
    finally:
        runner.close()
    db = ViewDatabase(ledger.store)
    anchor_day = DEFAULT_ANCHOR.date()
    with db.transaction(write=False) as tx:
        found = practice_views.receptions(tx, "1=1", [])
        cases = practice_views.reception_cases(tx, [r["reception_id"] for r in found], "1=1", [])
        recs = select_recommendations(tx, "1=1", [], limit=1000, after=None)
    # a reception day a week, every fourth a joint one; a handful of cases registered at each
    assert 15 <= len(found) <= 20
    joint = [r for r in found if r["kind"] == "joint"]
    assert joint and all(2 <= len(r["unit_codes"]) <= 4 for r in joint)
    at_receptions = [c for r in found for c in cases.get(r["reception_id"], [])]
    assert 0.02 * TINY <= len(at_receptions) <= 0.15 * TINY
    handed = 0
    for r in joint:  # 联合接访: handed at once by the registrar to a department at the window
        for c in cases.get(r["reception_id"], []):
            first = next(
                (e for e in ledger.case_events(UUID(c["case_id"])) if type(e).__name__ == "Assigned"), None
            )
            if first is not None:
                assert (first.unit_code in r["unit_codes"], first.actor.role) == (True, "registrar")
                handed += 1
    assert handed
    # the escalation policy in force, and matters on the list now and at the end of October
    assert ledger.local_policy_in_force(LocalPolicy.ESCALATION, anchor_day)
    now = escalated_items(ledger, db, At(), "1=1", [])
    october = escalated_items(ledger, db, At(OCCURRED, month_end(date(2026, 10, 1))), "1=1", [])
    assert now and october
    assert all(i["assignments"] >= 3 and i["satisfaction"] == "unsatisfied" for i in now + october)
    assert len(now) <= 0.02 * TINY  # a small share of the caseload
    # recommendations, most answered in writing, some late, some still awaited or overdue
    assert 10 <= len(recs) <= 15
    states = {state_of(r, anchor_day) for r in recs}
    assert {"adopted"} <= states and states & {"awaiting", "overdue"}
    late = [r for r in recs if r["feedback_at"] and r["feedback_at"][:10] > r["feedback_due"]]
    assert late and all(r["feedback_text"] for r in recs if r["adopted"] is not None)
