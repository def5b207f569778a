"""The as-of caseload read from the rollup (projections/case_status/caseload_rollup.py) is the caseload read
from the states themselves, on both stores and both timelines, at any instant and for any
scope; and a rollup kept batch by batch is the one a rebuild makes (no drift)."""

from __future__ import annotations

import random
from datetime import UTC, datetime, time, timedelta
from typing import Any

import pytest

from api.bootstrap import build_views
from bench.generator import generate
from domain.application import LedgerApplication
from domain.policy import CHINA_TZ, local_date
from projections.case_status.caseload import Page, Period, caseloads, from_rollup, from_states
from projections.case_status.caseload_rollup import ZERO
from projections.case_status.history import OCCURRED, RECORDED
from projections.case_status.queries import At
from projections.case_status.view import CaseStatusView
from projections.engine.database import ViewDatabase
from projections.engine.rebuild import check_view
from projections.engine.runner import ViewRunner
from projections.engine.sqltypes import py_date, py_time

CASES = 120


@pytest.fixture
def built(ledger: LedgerApplication) -> ViewDatabase:
    """A generated county ledger (reassignments, late entries, corrections, extensions), its case
    status view fed in small batches so most cases' history is rewritten several times."""
    generate(ledger, CASES, seed=5)
    db, views = build_views(ledger, [CaseStatusView])
    runner = ViewRunner(ledger, db, views, batch_size=37, max_batch_size=37)
    try:
        runner.catch_up()
    finally:
        runner.close()
    return db


def _instants(db: ViewDatabase, timeline: str) -> list[datetime]:
    """Instants where the timeline's counts change, just before and after them, and the China
    midnights where a deadline runs out (the start of the day after `next_due`)."""
    with db.transaction(write=False) as tx:
        rows = tx.execute(
            "SELECT valid_from, valid_to, next_due FROM case_history WHERE timeline = ?", [timeline]
        ).fetchall()
    rng = random.Random(3)
    picked: set[datetime] = set()
    for valid_from, valid_to, next_due in rng.sample(rows, 60):
        for t in (py_time(valid_from), py_time(valid_to)):
            assert t is not None
            if t.year < 9999:
                picked |= {t, t - timedelta(microseconds=1), t + timedelta(microseconds=1)}
        due = py_date(next_due)
        if due is not None:
            midnight = datetime.combine(due + timedelta(days=1), time(), CHINA_TZ).astimezone(UTC)
            picked |= {midnight, midnight - timedelta(microseconds=1)}
    # The turns of the years after the history's start, and a day in the next year, where the
    # earlier years are read from their year buckets (the generated history may lie in one year).
    first = min(t for t in (py_time(r[0]) for r in rows) if t is not None)
    for year in (first.year + 1, first.year + 2):
        turn = datetime(year, 1, 1, tzinfo=UTC)
        picked |= {turn - timedelta(microseconds=1), turn, turn + timedelta(days=40, hours=5)}
    return sorted(picked)


def _middle(db: ViewDatabase) -> datetime:
    """An instant half way through the generated history, when many cases are held."""
    with db.transaction(write=False) as tx:
        rows = tx.execute(
            "SELECT valid_from FROM case_history WHERE timeline = 'occurred' AND leader_id IS NOT NULL"
        ).fetchall()
    starts = sorted(t for t in (py_time(r[0]) for r in rows) if t is not None)
    return starts[len(starts) // 2] + timedelta(seconds=1)


def _scopes(db: ViewDatabase) -> list[tuple[str, list[Any]]]:
    with db.transaction(write=False) as tx:
        town = tx.execute(
            "SELECT unit_path FROM case_status WHERE unit_path IS NOT NULL ORDER BY unit_path LIMIT 1"
        ).fetchone()
        leader = tx.execute(
            "SELECT leader_id FROM case_status WHERE leader_id IS NOT NULL LIMIT 1"
        ).fetchone()
    assert town is not None and leader is not None
    prefix = "/".join(town[0].split("/")[:3]) + "/%"  # the county's first township and below
    return [
        ("1=1", []),
        ("((received_path LIKE ? ESCAPE '\\') OR (unit_path LIKE ? ESCAPE '\\'))", [prefix, prefix]),
        ("(unit_path LIKE ? ESCAPE '\\' OR leader_id = ?)", [prefix, leader[0]]),
        ("leader_id = ?", [leader[0]]),
    ]


@pytest.mark.parametrize("timeline", [OCCURRED, RECORDED])
def test_rollup_counts_equal_the_states_at_every_instant_and_scope(
    built: ViewDatabase, timeline: str
) -> None:
    instants, scopes = _instants(built, timeline), _scopes(built)
    compared = nonzero = 0
    with built.transaction(write=False) as tx:
        for instant in instants:
            for where, params in scopes:
                page = Page(where, params, None, 1000)
                expected = from_states(
                    tx, At(timeline, instant), page, today=local_date(instant), period=Period()
                )
                assert from_rollup(tx, timeline, instant, page) == expected, (instant, where)
                compared += 1
                nonzero += any(r["open"] or r["overdue"] or r["closed"] for r in expected)
    assert compared >= 200 and nonzero > compared // 4  # the instants do fall inside the history


def test_caseloads_takes_the_rollup_only_as_of_an_instant_over_all_time(built: ViewDatabase) -> None:
    instant = _middle(built)
    at = At(OCCURRED, instant)
    with built.transaction(write=False) as tx:
        tx.execute("DELETE FROM caseload_rollup")  # rolled back: tells which source answered
        args: dict[str, Any] = {"limit": 100, "after": None}
        assert caseloads(tx, at, "1=1", [], today=local_date(instant), period=Period(), **args) == []
        # A period, or deadlines judged on another day, are counted from the states.
        period = Period(None, local_date(instant))
        assert caseloads(tx, at, "1=1", [], today=local_date(instant), period=period, **args)
        assert caseloads(
            tx, at, "1=1", [], today=local_date(instant) + timedelta(days=1), period=Period(), **args
        )


def test_rollup_pages_by_leader_like_the_states(built: ViewDatabase) -> None:
    instant = _middle(built)
    with built.transaction(write=False) as tx:
        whole = from_rollup(tx, OCCURRED, instant, Page("1=1", [], None, 1000))
        assert len(whole) > 4
        pages: list[dict[str, Any]] = []
        after = None
        while True:
            page = from_rollup(tx, OCCURRED, instant, Page("1=1", [], after, 3))
            pages += page
            if len(page) < 3:
                break
            after = page[-1]["leader_id"]
    assert pages == whole


def test_a_rollup_kept_batch_by_batch_is_the_one_a_rebuild_makes(
    built: ViewDatabase, ledger: LedgerApplication
) -> None:
    with built.transaction(write=False) as tx:
        buckets = tx.execute("SELECT COUNT(*), COUNT(DISTINCT grain) FROM caseload_rollup").fetchone()
    assert buckets is not None and buckets[0] > CASES and buckets[1] == 4  # y, m, d, x
    report = check_view(ledger, built, CaseStatusView(ledger))
    tables = ["case_status", "case_history", "caseload_rollup", "case_identities", "caseload_now"]
    assert [t.table for t in report.tables] == tables
    assert not report.drifted, report


def test_the_zero_buckets_are_found_through_their_partial_index(ledger: LedgerApplication) -> None:
    """The view deletes the buckets that came to zero after every batch: the partial index of
    migration 0011 must match its condition, or every batch scans the whole rollup."""
    db = ViewDatabase(ledger.store)
    with db.transaction(write=False) as tx:
        if tx.postgres:
            tx.execute("SET LOCAL enable_seqscan = off")  # an empty table: make any index win
            plan = tx.execute(f"EXPLAIN DELETE FROM caseload_rollup WHERE {ZERO}").fetchall()
        else:
            plan = tx.execute(f"EXPLAIN QUERY PLAN DELETE FROM caseload_rollup WHERE {ZERO}").fetchall()
    assert "caseload_rollup_zero" in " ".join(str(part) for row in plan for part in row), plan
