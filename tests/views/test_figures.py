"""Key figures against hand-computed expectations on a scripted history (both stores).

The history (all in 2024, China time; "C" is the county, "A" and "B" towns, "V" a village under A;
every case is received by the county, category "land" unless said otherwise):

| case | registered | story |
|---|---|---|
| c1 | 01-05 | accepted 01-05, A/LA 01-06, extension 30 days 02-20 (due 04-04), answered 03-20, visit 03-22 satisfied, closed 03-25 resolved: on time only thanks to the extension |
| c2 | 01-10 | category labour; accepted 01-10, A/LA 01-11, answered 03-15, visit 03-16 basically satisfied, closed 03-18 answered_only (due 03-10: late); backlog "spring" |
| c3 | 01-15 | accepted, B/LB 01-16, answered 01-25, visit 01-26 unsatisfied, closed 01-28, reopened 02-05, mediation agreement 02-15, answered 02-20, visit 02-22 satisfied, closed 02-25 mediated (period-2 due 04-05) |
| c4 | 02-01 | accepted, A/LA 02-02, answered 02-10, visit 02-11 satisfied, closed 02-12 resolved, reopened 03-01: not closed |
| c5 | 01-20 | accepted, A/LA 01-21, reassigned V/LV 02-15, answered 03-05, visit 03-06 satisfied, closed 03-08 resolved (due 03-20); backlog "spring" |
| c6 | 02-10 | registered "land", corrected to "labour" 02-12; accepted, A/LA 02-11; open |
| c7 | 01-08 | accepted, A/LA 01-09, answered 01-20, visit 01-21 satisfied, closed 01-22 resolved; repeated by c8 (03-15, within 90 days) |
| c8 | 03-15 | registered only; a repeat of c7 |
| c9 | 01-03 | accepted, A/LA 01-04, answered 01-10, visit 01-11 satisfied, closed 01-12 answered_only; repeated by c10 (05-20, after 90 days: settle_by 04-11) |
| c10 | 05-20 | registered only; a repeat of c9 |
| c11 | 03-01 | accepted, A/LA 03-02, answered 03-25, late return visit 04-03 satisfied, closed 04-05 resolved (due 04-30) |
| c12 | 02-05 | accepted, B/LB 02-06, answered 02-15, review requested 02-20, decided 03-01, closed 03-05 answered_only |
| c13 | 02-20 | not accepted 02-21 |
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from datetime import date, datetime
from typing import Any
from uuid import UUID

import pytest

from domain.application import LedgerApplication
from domain.context import command_context
from domain.policy import CHINA_TZ
from domain.store import parse_database_url
from domain.values import Actor
from migrations.runner import migrate
from projections.engine.database import ViewDatabase
from projections.engine.rebuild import check_view
from projections.figures.cells import FiguresWithCells
from projections.figures.query import FIGURES, Filters, figures_report, key_figures
from projections.reference_data.units import UnitPaths
from tests.factories import petition_fields
from tests.views.feed import feed

Q1 = (date(2024, 1, 1), date(2024, 3, 31))
TODAY = date(2024, 12, 31)  # the day the figures are asked for: every closure's 90 days have passed
Expected = dict[str, tuple[int, int]]


def at(day: str, hour: int = 10) -> datetime:
    return datetime.combine(
        date.fromisoformat(f"2024-{day}"), datetime.min.time().replace(hour=hour), CHINA_TZ
    )


def d(day: str) -> date:
    return date.fromisoformat(f"2024-{day}")


class Script:
    """Commands through the ledger application, as the API runs them, at scripted moments."""

    def __init__(self, ledger: LedgerApplication) -> None:
        self.ledger = ledger
        self.admin = Actor(user_id="admin", role="admin", unit_code=None)
        self.staff = Actor(user_id="staff", role="supervisor", unit_code="C")
        with command_context(actor=self.admin, occurred_at=at("01-01", 8)):
            for code, parent in (("C", None), ("A", "C"), ("B", "C"), ("V", "A")):
                ledger.create_unit(code=code, name=code, parent_code=parent)
            for leader, unit in (("LC", "C"), ("LA", "A"), ("LB", "B"), ("LV", "V")):
                ledger.appoint_leader(leader_id=leader, name=leader, unit_code=unit, post="p")
        with command_context(actor=self.staff, occurred_at=at("01-01", 8)):
            for campaign in ("spring", "spr"):  # a designation names a campaign the ledger knows
                ledger.open_campaign(campaign_id=campaign, name=campaign, starts_on=d("01-01"), due_on=d("06-30"))
        self.ids: dict[str, UUID] = {}

    def register(self, name: str, day: str, hour: int = 9, **overrides: Any) -> None:
        fields = petition_fields(**{"received_unit": "C", "category": "land", **overrides})
        with command_context(actor=self.staff, occurred_at=at(day, hour)):
            self.ids[name] = self.ledger.register_case(**fields).case_id

    def do(
        self, name: str, command: str, day: str, hour: int = 10, reason: str | None = None, **params: Any
    ) -> None:
        with command_context(actor=self.staff, occurred_at=at(day, hour), reason=reason or "scripted"):
            self.ledger.execute(self.ids[name], command, params)

    def answer(self, name: str, day: str) -> None:
        self.do(name, "answer", day, outcome="explain", delivered_on=d(day))

    def visit(self, name: str, day: str, satisfaction: str) -> None:
        self.do(name, "return-visit", day, satisfaction=satisfaction, signed=True, method="phone")

    def close(self, name: str, day: str, closure_type: str) -> None:
        self.do(name, "close", day, closure_type=closure_type)


def script_history(ledger: LedgerApplication) -> dict[str, UUID]:
    s = Script(ledger)
    s.register("c1", "01-05")
    s.do("c1", "accept", "01-05")
    s.do("c1", "assign", "01-06", unit_code="A", leader_id="LA", officer_id=None)
    s.do("c1", "extend", "02-20", days=30, approved_by_leader_id="LA", petitioner_notified_on=d("02-20"))
    s.answer("c1", "03-20")
    s.visit("c1", "03-22", "satisfied")
    s.close("c1", "03-25", "resolved")

    s.register("c2", "01-10", category="labour")
    s.do("c2", "accept", "01-10")
    s.do("c2", "assign", "01-11", unit_code="A", leader_id="LA", officer_id=None)
    s.answer("c2", "03-15")
    s.visit("c2", "03-16", "basically_satisfied")
    s.close("c2", "03-18", "answered_only")

    s.register("c3", "01-15")
    s.do("c3", "accept", "01-15")
    s.do("c3", "assign", "01-16", unit_code="B", leader_id="LB", officer_id=None)
    s.answer("c3", "01-25")
    s.visit("c3", "01-26", "unsatisfied")
    s.close("c3", "01-28", "answered_only")
    s.do("c3", "reopen", "02-05", reason="petitioner came back")
    s.do("c3", "mediation", "02-15", outcome="agreement")
    s.answer("c3", "02-20")
    s.visit("c3", "02-22", "satisfied")
    s.close("c3", "02-25", "mediated")

    s.register("c4", "02-01")
    s.do("c4", "accept", "02-01")
    s.do("c4", "assign", "02-02", unit_code="A", leader_id="LA", officer_id=None)
    s.answer("c4", "02-10")
    s.visit("c4", "02-11", "satisfied")
    s.close("c4", "02-12", "resolved")
    s.do("c4", "reopen", "03-01", reason="not done")

    s.register("c5", "01-20")
    s.do("c5", "accept", "01-20")
    s.do("c5", "assign", "01-21", unit_code="A", leader_id="LA", officer_id=None)
    s.do("c5", "reassign", "02-15", unit_code="V", leader_id="LV", officer_id=None)
    s.answer("c5", "03-05")
    s.visit("c5", "03-06", "satisfied")
    s.close("c5", "03-08", "resolved")

    s.register("c6", "02-10")
    s.do("c6", "accept", "02-10")
    s.do("c6", "assign", "02-11", unit_code="A", leader_id="LA", officer_id=None)
    s.do(
        "c6",
        "corrections",
        "02-12",
        reason="misfiled",
        target_version=1,
        field="category",
        new_value="labour",
    )

    s.register("c7", "01-08")
    s.do("c7", "accept", "01-08")
    s.do("c7", "assign", "01-09", unit_code="A", leader_id="LA", officer_id=None)
    s.answer("c7", "01-20")
    s.visit("c7", "01-21", "satisfied")
    s.close("c7", "01-22", "resolved")

    s.register("c9", "01-03")
    s.do("c9", "accept", "01-03")
    s.do("c9", "assign", "01-04", unit_code="A", leader_id="LA", officer_id=None)
    s.answer("c9", "01-10")
    s.visit("c9", "01-11", "satisfied")
    s.close("c9", "01-12", "answered_only")

    s.register("c8", "03-15")
    s.do("c8", "link-repeat", "03-15", earlier_case_id=str(s.ids["c7"]))

    s.register("c11", "03-01")
    s.do("c11", "accept", "03-01")
    s.do("c11", "assign", "03-02", unit_code="A", leader_id="LA", officer_id=None)
    s.answer("c11", "03-25")
    s.visit("c11", "04-03", "satisfied")
    s.close("c11", "04-05", "resolved")

    s.register("c12", "02-05")
    s.do("c12", "accept", "02-05")
    s.do("c12", "assign", "02-06", unit_code="B", leader_id="LB", officer_id=None)
    s.answer("c12", "02-15")
    s.do("c12", "review-request", "02-20", requested_on=d("02-20"))
    s.do("c12", "review-decision", "03-01", decision="upheld", delivered_on=d("03-01"))
    s.close("c12", "03-05", "answered_only")

    s.register("c13", "02-20")
    s.do("c13", "not-accept", "02-21", reason_code="out_of_remit", notice_issued_on=d("02-21"))

    for name in ("c2", "c5"):
        s.do(name, "backlog", "03-20", campaign_id="spring")

    s.register("c10", "05-20")
    s.do("c10", "link-repeat", "05-20", earlier_case_id=str(s.ids["c9"]))
    return s.ids


# ---- the store, scripted once per module -------------------------------------------------


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def scripted(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[LedgerApplication, dict[str, UUID]]]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('figures') / 'ledger.db'}"
    else:
        url = f"{request.getfixturevalue('postgres_database')}?schema=f_{secrets.token_hex(6)}"
    store = parse_database_url(url)
    migrate(store.plain_url, schema=store.migration_schema)
    ledger = LedgerApplication(store)
    ids = script_history(ledger)
    feed(ledger, FiguresWithCells(ledger), batch_size=7)  # small batches: links cross batches
    yield ledger, ids
    ledger.close()


SIX = FIGURES[:6]


def figures(ledger: LedgerApplication, **filters: Any) -> Expected:
    if "unit" in filters:
        filters["unit_path"] = UnitPaths(ledger).path(filters.pop("unit"))
    with ViewDatabase(ledger.store).transaction(write=False) as tx:
        found = key_figures(tx, Filters(**filters), ("1=1", ()), today=TODAY)
    # The six figures of the hand count (first_contact_resolution_rate: tests/api/test_practices.py)
    return {name: (f.numerator, f.denominator) for name, f in found.items() if name in SIX}


def values(ledger: LedgerApplication, **filters: Any) -> dict[str, float | None]:
    with ViewDatabase(ledger.store).transaction(write=False) as tx:
        found = key_figures(tx, Filters(**filters), ("1=1", ()), today=TODAY)
    return {name: f.value for name, f in found.items()}


def expect(closure: tuple[int, int], on_time: tuple[int, int], satisfaction: tuple[int, int],
           resolution: tuple[int, int], settled: tuple[int, int], repeat: tuple[int, int]) -> Expected:  # fmt: skip
    return dict(zip(SIX, (closure, on_time, satisfaction, resolution, settled, repeat), strict=True))


# ---- expectations ----------------------------------------------------------------------------

CASES: dict[str, tuple[dict[str, Any], Expected]] = {
    # accepted in Q1: c1-c7, c9, c11, c12 (10); closed now: all but c4 (reopened) and c6 (open).
    # final closures in Q1: c1, c2 (late), c3, c5, c7, c9, c12; c11 closed 04-05.
    # visits in Q1: 8 (c11's is in April), one unsatisfied (c3's first).
    # registered in Q1: 12 (not c10); resolved/mediated: c1, c3, c5, c7, c11;
    # settled: c1, c2, c5, c9, c11 (c3 reopened, c12 reviewed, c7 repeated within 90 days).
    "q1": ({"start": Q1[0], "end": Q1[1]}, expect((8, 10), (6, 7), (7, 8), (5, 12), (5, 12), (2, 12))),
    "january": (
        {"start": d("01-01"), "end": d("01-31")},
        # c3's first closure (01-28) was undone by the reopening: not a January closure.
        expect((6, 6), (2, 2), (2, 3), (4, 6), (4, 6), (2, 6)),
    ),
    "february": ({"start": d("02-01"), "end": d("02-29")}, expect((1, 3), (1, 1), (2, 2), (0, 4), (0, 4), (0, 4))),
    "march": ({"start": d("03-01"), "end": d("03-31")}, expect((1, 1), (3, 4), (3, 3), (1, 2), (1, 2), (0, 2))),
    # the late return visit (04-03) and c11's closure count in April.
    "april": ({"start": d("04-01"), "end": d("04-30")}, expect((0, 0), (1, 1), (1, 1), (0, 0), (0, 0), (0, 0))),
    "all time": ({}, expect((8, 10), (7, 8), (8, 9), (5, 13), (5, 13), (2, 13))),
    "no cases": ({"start": date(2023, 1, 1), "end": date(2023, 12, 31)}, expect(*[(0, 0)] * 6)),
    # LA held c1, c2, c4, c5 (until 02-15), c6, c7, c9, c11 in Q1; c5's closure (03-08) and
    # visit (03-06) were under LV, so they count for LV, not LA.
    "leader LA, Q1": (
        {"start": Q1[0], "end": Q1[1], "leader": "LA"},
        expect((6, 8), (3, 4), (5, 5), (4, 8), (5, 8), (2, 8)),
    ),
    # reassigned: c5 went to LV on 02-15, so in March it counts for LV, not for LA.
    "leader LA, March": (
        {"start": d("03-01"), "end": d("03-31"), "leader": "LA"},
        expect((1, 1), (1, 2), (2, 2), (1, 1), (1, 1), (0, 1)),
    ),
    "leader LV, March": (
        {"start": d("03-01"), "end": d("03-31"), "leader": "LV"},
        expect((0, 0), (1, 1), (1, 1), (0, 0), (0, 0), (0, 0)),
    ),
    "leader LV, Q1": (
        {"start": Q1[0], "end": Q1[1], "leader": "LV"},
        expect((1, 1), (1, 1), (1, 1), (1, 1), (1, 1), (0, 1)),
    ),
    "leader LV, January": ({"start": d("01-01"), "end": d("01-31"), "leader": "LV"}, expect(*[(0, 0)] * 6)),
    "leader LA, February": (
        {"start": d("02-01"), "end": d("02-29"), "leader": "LA"},
        expect((0, 2), (0, 0), (1, 1), (0, 2), (0, 2), (0, 2)),
    ),
    # corrected category: c6 counts as labour, not land.
    "labour, Q1": (
        {"start": Q1[0], "end": Q1[1], "category": "labour"},
        expect((1, 2), (0, 1), (1, 1), (0, 2), (1, 2), (0, 2)),
    ),
    "land, Q1": (
        {"start": Q1[0], "end": Q1[1], "category": "land"},
        expect((7, 8), (6, 6), (6, 7), (5, 10), (4, 10), (2, 10)),
    ),
    "campaign spring, Q1": (
        {"start": Q1[0], "end": Q1[1], "campaign": "spring"},
        expect((2, 2), (1, 2), (2, 2), (1, 2), (2, 2), (0, 2)),
    ),
    "campaign none such": ({"campaign": "spr"}, expect(*[(0, 0)] * 6)),
    "town B, Q1": (
        {"start": Q1[0], "end": Q1[1], "unit": "B"},
        expect((2, 2), (2, 2), (1, 2), (1, 2), (0, 2), (0, 2)),
    ),
    # A's subtree holds V: c5 stays in A's figures after its reassignment to the village.
    "town A, March": (
        {"start": d("03-01"), "end": d("03-31"), "unit": "A"},
        expect((1, 1), (2, 3), (3, 3), (1, 1), (1, 1), (0, 1)),
    ),
    # before assignment a case is held by the unit that received it: the county holds them all.
    "county, Q1": ({"start": Q1[0], "end": Q1[1], "unit": "C"}, expect((8, 10), (6, 7), (7, 8), (5, 12), (5, 12), (2, 12))),
}  # fmt: skip


@pytest.mark.parametrize("name", list(CASES))
def test_figures_match_the_hand_computed_counts(
    scripted: tuple[LedgerApplication, dict[str, UUID]], name: str
) -> None:
    ledger, _ = scripted
    filters, expected = CASES[name]
    assert figures(ledger, **filters) == expected


def test_a_zero_denominator_is_null_not_zero(scripted: tuple[LedgerApplication, dict[str, UUID]]) -> None:
    ledger, _ = scripted
    assert values(ledger, start=date(2023, 1, 1), end=date(2023, 12, 31)) == dict.fromkeys(FIGURES)
    february_la = values(ledger, start=d("02-01"), end=d("02-29"), leader="LA")
    assert february_la["closure_rate"] == 0.0  # 0 of 2: a real zero
    assert february_la["on_time_closure_rate"] is None  # nothing closed: no rate
    assert values(ledger, start=Q1[0], end=Q1[1])["closure_rate"] == pytest.approx(0.8)


def test_by_month_splits_the_period(scripted: tuple[LedgerApplication, dict[str, UUID]]) -> None:
    ledger, _ = scripted
    with ViewDatabase(ledger.store).transaction(write=False) as tx:
        report = figures_report(tx, Filters(d("01-15"), d("03-31")), ("1=1", ()), today=d("12-31"))
    months = report["by_month"]
    assert [(m["month"], m["from"], m["to"]) for m in months] == [
        ("2024-01", "2024-01-15", "2024-01-31"),
        ("2024-02", "2024-02-01", "2024-02-29"),
        ("2024-03", "2024-03-01", "2024-03-31"),
    ]
    for month, (_, expected) in zip(months[1:], (CASES["february"], CASES["march"]), strict=True):
        assert {k: (v["numerator"], v["denominator"]) for k, v in month["figures"].items() if k in SIX} == expected
    # the months add up to the period (no unit or leader filter)
    for name in FIGURES:
        for part in ("numerator", "denominator"):
            assert sum(m["figures"][name][part] for m in months) == report["figures"][name][part]


def test_by_month_without_from_starts_at_the_first_registration(
    scripted: tuple[LedgerApplication, dict[str, UUID]],
) -> None:
    ledger, _ = scripted
    with ViewDatabase(ledger.store).transaction(write=False) as tx:
        report = figures_report(tx, Filters(end=d("06-30")), ("1=1", ()), today=d("12-31"))
    assert [m["month"] for m in report["by_month"]] == [f"2024-0{n}" for n in range(1, 7)]
    assert report["by_month"][0]["from"] == "2024-01-03"


def test_facts_of_reopened_and_repeated_cases(scripted: tuple[LedgerApplication, dict[str, UUID]]) -> None:
    ledger, ids = scripted
    with ViewDatabase(ledger.store).transaction(write=False) as tx:
        tx.execute(
            "SELECT case_id, closed_on, closure_type, reopened, repeat_count, first_repeat_on, category, "
            "handling_due_on, on_time FROM figures_cases"
        )
        rows = {str(r[0]): tuple(str(v) if v is not None else None for v in r[1:]) for r in tx.fetchall()}
    facts = {name: rows[str(case_id)] for name, case_id in ids.items()}
    # the extension moved c1's deadline from 03-05 to 04-04; c2 had none and closed late
    assert facts["c1"] == ("2024-03-25", "resolved", "0", "0", None, "land", "2024-04-04", "1")
    assert facts["c2"] == ("2024-03-18", "answered_only", "0", "0", None, "labour", "2024-03-10", "0")
    # the final closure, measured against the deadline of the handling period it closed
    assert facts["c3"] == ("2024-02-25", "mediated", "1", "0", None, "land", "2024-04-05", "1")
    assert facts["c4"] == (None, None, "1", "0", None, "land", None, None)
    assert facts["c7"] == ("2024-01-22", "resolved", "0", "1", "2024-03-15", "land", "2024-03-08", "1")
    assert facts["c9"] == ("2024-01-12", "answered_only", "0", "1", "2024-05-20", "land", "2024-03-03", "1")
    assert facts["c6"] == (None, None, "0", "0", None, "labour", None, None)


def _tables(ledger: LedgerApplication) -> dict[str, list[tuple[str, ...]]]:
    out: dict[str, list[tuple[str, ...]]] = {}
    with ViewDatabase(ledger.store).transaction(write=False) as tx:
        for table in FiguresWithCells.tables:
            tx.execute(f"SELECT * FROM {table}")
            out[table] = sorted(tuple(str(v) for v in r) for r in tx.fetchall())
    return out


def test_small_batches_equal_one_big_batch(scripted: tuple[LedgerApplication, dict[str, UUID]]) -> None:
    """Fed 7 events at a time (the fixture) or all at once (a drift check's scratch rebuild), the
    tables are the same."""
    ledger, _ = scripted
    incremental = _tables(ledger)
    report = check_view(ledger, ViewDatabase(ledger.store), FiguresWithCells(ledger), batch_size=100_000)
    assert not report.drifted, report
    assert {t.table for t in report.tables} == set(FiguresWithCells.tables)
    assert len(incremental["figures_cases"]) == 13
