"""The case status view's lean history (one row per change of what reads filter or show,
projections/case_status/history_rows.py) answers every as-of and known-at read as the per-event rows did,
and the current caseload kept as counts (projections/case_status/caseload_now.py) is the one counted over
the current rows.

"Before" is checked two ways on a generated ledger fed in small batches (late entries,
corrections, reassignments; most cases' rows rewritten several times):
- against answers recorded with the per-event history (commit 5d34fe8, before this change;
  re-recorded by the lean code where the answers themselves changed: at the merge that brought
  R4's accusations without a handling clock, the practices' columns and the generator's
  campaigns and returning petitioners, and again at the one that brought its receptions,
  escalated matters and recommendations, each time once the second check below passed on the same ledger):
  `fixtures/as_of_answers_seed7.json` holds a digest of every case listing and caseload as of 25
  instants on the occurred timeline (`as_of`), made by the same reads on the same ledger
  (`generate(ledger, 150, seed=7)`, batches of 41). The known-at timeline depends on when the
  test's store records the events, so it cannot be recorded; it is checked the second way:
- against the per-event rows themselves (what the old table held: `recorded_states` and
  `occurred_states`, the state after each event), the row in force at each instant, for every case.
"""

from __future__ import annotations

import hashlib
import json
import random
from datetime import UTC, date, datetime, timedelta
from itertools import pairwise
from pathlib import Path
from typing import Any
from uuid import UUID

import orjson
import pytest

from api.bootstrap import build_views
from bench.generator import generate
from domain.application import LedgerApplication
from domain.policy import local_date
from projections.case_status.caseload import Page, Period, caseloads, from_now, from_states
from projections.case_status.history import OCCURRED, RECORDED, occurred_states, recorded_states
from projections.case_status.history_rows import HISTORY_COLUMNS, STORED, decode_marks
from projections.case_status.ledger_rows import case_histories
from projections.case_status.queries import At, select_cases
from projections.case_status.view import CaseStatusView
from projections.engine.database import ViewDatabase
from projections.engine.feed import ledger_position
from projections.engine.runner import ViewRunner
from projections.engine.sqltypes import py_time

FIXTURE = Path(__file__).parent / "fixtures" / "as_of_answers_seed7.json"
CASES, SEED, BATCH = 150, 7, 41


@pytest.fixture
def built(ledger: LedgerApplication) -> ViewDatabase:
    generate(ledger, CASES, seed=SEED)
    db, views = build_views(ledger, [CaseStatusView])
    runner = ViewRunner(ledger, db, views, batch_size=BATCH, max_batch_size=BATCH)
    try:
        runner.catch_up()
    finally:
        runner.close()
    return db


def _instants(db: ViewDatabase) -> list[datetime]:
    """The fixture's instants: 25 drawn around the first registration (as the recorder drew them)."""
    with db.transaction(write=False) as tx:
        found = tx.execute("SELECT MIN(registered_at) FROM case_status").fetchone()
    assert found is not None
    first = py_time(found[0])
    assert first is not None
    rng = random.Random(11)
    drawn = {
        first + timedelta(hours=rng.randint(-24, 24 * 200), minutes=rng.randint(0, 59)) for _ in range(25)
    }
    return sorted(drawn)


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return value


def _digest(answer: Any) -> str:
    text = json.dumps(answer, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def test_as_of_answers_equal_those_recorded_with_the_per_event_history(built: ViewDatabase) -> None:
    recorded: dict[str, str] = json.loads(FIXTURE.read_text())
    got: dict[str, str] = {}
    with built.transaction(write=False) as tx:
        for t in _instants(built):
            at = At(OCCURRED, t)
            key = f"{OCCURRED}|{t.isoformat()}"
            rows = select_cases(tx, at, "1=1", [], order="registered", limit=100_000, after=None)
            # recorded_at is when the test's store recorded the case: not part of the recording.
            got["cases|" + key] = _digest(
                [{k: _plain(v) for k, v in r.items() if k != "recorded_at"} for r in rows]
            )
            for period in (Period(), Period(local_date(t) - timedelta(days=40), local_date(t))):
                loads = caseloads(
                    tx, at, "1=1", [], today=local_date(t), period=period, limit=1000, after=None
                )
                got[f"caseloads|{period.start}|{key}"] = _digest(loads)
    assert got == recorded


def _expected_row(row: dict[str, Any], first_petition: bool) -> dict[str, Any]:
    out = dict(row)
    for listed in ("campaigns", "repeat_of", "campaigns_cleared"):  # JSON text, decoded on read
        out[listed] = orjson.loads(row[listed])
    out["repeated"] = None  # known only for now
    out["first_petition"] = first_petition  # from registration on, read from the current row
    return out


def test_every_case_at_every_step_reads_as_its_per_event_row(
    built: ViewDatabase, ledger: LedgerApplication
) -> None:
    view = CaseStatusView(ledger)
    with built.transaction(write=False) as tx:
        current = tx.execute("SELECT case_id, first_petition FROM case_status").fetchall()
        ids = [UUID(r[0]) for r in current]
        first = {UUID(r[0]): bool(r[1]) for r in current}
        logged = case_histories(tx, ledger.mapper, ids, ledger_position(ledger))
    compared = 0
    with built.transaction(write=False) as tx:
        for case_id, events in list(logged.items())[::3]:
            for timeline, states in (
                (RECORDED, recorded_states(events, view.paths)),
                (OCCURRED, occurred_states(events, view.paths)),
            ):
                for start, end, row in states:
                    probes = [start, start + (end - start) / 2] if end.year < 9999 else [start]
                    for t in probes:
                        found = select_cases(
                            tx, At(timeline, t), "case_id = ?", [str(case_id)],
                            order="registered", limit=2, after=None,
                        )  # fmt: skip
                        expected = _expected_row(row, first[case_id])
                        assert len(found) == 1, (timeline, t, found)
                        differ = {k: (found[0].get(k), expected.get(k)) for k in {*found[0], *expected}
                                  if found[0].get(k) != expected.get(k)}  # fmt: skip
                        assert not differ, (timeline, t, differ)
                        compared += 1
    assert compared > 500


def test_history_keeps_one_row_per_change_of_what_reads_show(built: ViewDatabase) -> None:
    counters = {STORED.index("version"), STORED.index("position")}
    with built.transaction(write=False) as tx:
        rows = tx.execute(
            f"SELECT {', '.join(HISTORY_COLUMNS)} FROM case_history ORDER BY case_id, timeline, valid_from"
        ).fetchall()
    marked = 0
    for earlier, later in pairwise(rows):
        if (earlier[3], earlier[0]) != (later[3], later[0]):
            continue  # another case or timeline
        shown = [i for i in range(len(STORED)) if i not in counters and earlier[3 + i] != later[3 + i]]
        assert shown, (earlier, later)  # two rows in a row differ in what a read shows
        assert py_time(earlier[2]) == py_time(later[1])
    for row in rows:
        marks = decode_marks(row[-1])
        marked += len(marks)
        start, end = py_time(row[1]), py_time(row[2])
        assert start is not None and end is not None
        assert all(start < t < end for t, _, _ in marks)
    assert marked > CASES  # many events change only the version and position


def _scopes(db: ViewDatabase) -> list[tuple[str, list[Any]]]:
    with db.transaction(write=False) as tx:
        town = tx.execute("SELECT MIN(unit_path) FROM case_status WHERE unit_path IS NOT NULL").fetchone()
        leader = tx.execute("SELECT MIN(leader_id) FROM case_status").fetchone()
    assert town is not None and leader is not None
    prefix = "/".join(town[0].split("/")[:3]) + "/%"
    return [
        ("1=1", []),
        ("((received_path LIKE ? ESCAPE '\\') OR (unit_path LIKE ? ESCAPE '\\'))", [prefix, prefix]),
        ("(unit_path LIKE ? ESCAPE '\\' OR leader_id = ?)", [prefix, leader[0]]),
        ("leader_id = ?", [leader[0]]),
        ("1=0", []),
    ]


def test_current_caseloads_from_the_counts_equal_those_counted_over_the_current_rows(
    built: ViewDatabase,
) -> None:
    with built.transaction(write=False) as tx:
        found = tx.execute("SELECT DISTINCT next_due FROM case_status WHERE next_due IS NOT NULL").fetchall()
        dues = [r[0] for r in found]
    days = sorted({d if isinstance(d, date) else date.fromisoformat(d) for d in dues})
    assert len(days) > 3
    # Days where overdue counts change: each due date and the day after it, and far after.
    todays = [days[0], days[len(days) // 2], days[len(days) // 2] + timedelta(days=1), date(2099, 1, 1)]
    nonzero = 0
    with built.transaction(write=False) as tx:
        for today in todays:
            for where, params in _scopes(built):
                page = Page(where, params, None, 1000)
                expected = from_states(tx, At(), page, today=today, period=Period())
                assert from_now(tx, page, today=today) == expected, (today, where)
                nonzero += any(r["overdue"] for r in expected)
        # Paged by leader as the states are.
        whole = from_now(tx, Page("1=1", [], None, 1000), today=todays[1])
        pages: list[dict[str, Any]] = []
        after = None
        while True:
            part = from_now(tx, Page("1=1", [], after, 3), today=todays[1])
            pages += part
            if len(part) < 3:
                break
            after = part[-1]["leader_id"]
        assert pages == whole and len(whole) > 3
    assert nonzero >= 2


def test_the_current_caseload_reads_the_counts_not_the_current_rows(built: ViewDatabase) -> None:
    today = date(2026, 11, 1)
    args: dict[str, Any] = {"today": today, "limit": 100, "after": None}
    with built.transaction(write=False) as tx:
        assert caseloads(tx, At(), "1=1", [], period=Period(), **args)
        tx.execute("DELETE FROM case_status")  # rolled back: tells which table answered
        assert caseloads(tx, At(), "1=1", [], period=Period(), **args)
        # Over a period, the current rows are counted.
        assert caseloads(tx, At(), "1=1", [], period=Period(None, today), **args) == []
