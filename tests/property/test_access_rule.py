"""The one access rule (api/access.py) in its two forms agrees on generated worlds (hypothesis):
for every user, a listing's SQL (`Access.rows`) over the case status view, now and as of a past
instant, finds exactly the cases the single-case check (`Access.may_see`) lets that user open.

Worlds: a unit tree (county, towns, villages); leaders appointed in random units who move and
leave over time; users of every case role in every unit, officers with and without a leader
login, the leaders' own logins; cases of every kind, accusations naming a unit, a leader or both,
registered by random registrars and held by random units and leaders (the rules that keep a case
from the accused side are bypassed here on purpose, so the rule is tried on states they forbid).
"""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from uuid import UUID, uuid4

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from api.access import Access
from api.auth import Principal
from domain.application import LedgerApplication
from domain.case import Case
from domain.context import command_context
from domain.reference import Leader
from domain.values import SYSTEM_ACTOR, Actor
from domain.vocabulary import Kind, Role
from projections.case_status.history import OCCURRED
from projections.case_status.queries import At, select_cases
from projections.case_status.view import CaseStatusView
from projections.engine.database import ViewDatabase
from projections.engine.sqltypes import db_time
from projections.reference_data.units import UnitPaths
from tests.factories import registration_fields
from tests.views.feed import feed

START = datetime(2024, 1, 1, tzinfo=UTC)
ROLES = (Role.REGISTRAR, Role.OFFICER, Role.LEADER, Role.SUPERVISOR, Role.INSPECTOR)


@st.composite
def worlds(draw: st.DrawFn) -> dict[str, object]:
    towns = draw(st.integers(1, 3))
    tree: dict[str, str | None] = {"C": None}
    for t in range(towns):
        tree[f"T{t}"] = "C"
        for v in range(draw(st.integers(0, 2))):
            tree[f"T{t}V{v}"] = f"T{t}"
    units = sorted(tree)
    day = st.integers(0, 400)
    leaders = []
    for n in range(draw(st.integers(1, 4))):
        moves = [(draw(day), draw(st.sampled_from(units))) for _ in range(draw(st.integers(0, 2)))]
        leaders.append({"id": f"L{n}", "unit": draw(st.sampled_from(units)), "at": draw(day),
                        "moves": sorted(moves), "left": draw(st.one_of(st.none(), day))})  # fmt: skip
    leader_ids = [leader["id"] for leader in leaders]
    cases = []
    for _ in range(draw(st.integers(2, 7))):
        kind = draw(st.sampled_from([Kind.ACCUSATION, Kind.ACCUSATION, Kind.COMPLAINT_REQUEST]))
        accused_unit = accused_leader = None
        if kind is Kind.ACCUSATION:
            accused_unit = draw(st.one_of(st.none(), st.sampled_from(units)))
            accused_leader = draw(st.sampled_from(leader_ids)) if accused_unit is None else draw(
                st.one_of(st.none(), st.sampled_from(leader_ids)))  # fmt: skip
        holder = draw(st.one_of(st.none(), st.tuples(st.sampled_from(units), st.sampled_from(leader_ids))))
        cases.append({"kind": kind, "accused_unit": accused_unit, "accused_leader": accused_leader,
                      "received": draw(st.sampled_from(units)), "at": draw(day), "holder": holder,
                      "registrar": draw(st.sampled_from(units))})  # fmt: skip
    return {"tree": tree, "leaders": leaders, "cases": cases}


def _build(
    ledger: LedgerApplication, world: dict[str, object], tag: str
) -> tuple[list[Principal], list[UUID]]:
    """The world in the ledger, every code prefixed with `tag` (one ledger serves every example)."""

    def code(c: str) -> str:
        return f"{tag}{c}"

    def moment(days: int) -> datetime:
        return START + timedelta(days=days, hours=1)

    tree = world["tree"]
    assert isinstance(tree, dict)
    with command_context(actor=SYSTEM_ACTOR, occurred_at=START):
        for unit in sorted(tree, key=len):
            ledger.create_unit(
                code=code(unit), name=unit, parent_code=code(tree[unit]) if tree[unit] else None
            )
    for spec in world["leaders"]:  # type: ignore[attr-defined]
        with command_context(actor=SYSTEM_ACTOR, occurred_at=moment(spec["at"])):
            leader = Leader.appoint(
                leader_id=code(spec["id"]), name=spec["id"], unit_code=code(spec["unit"]), post="p"
            )
        for days, unit in spec["moves"]:
            with command_context(actor=SYSTEM_ACTOR, occurred_at=moment(max(days, spec["at"]))):
                leader.move(unit_code=code(unit), post="p")
        if spec["left"] is not None:
            with command_context(actor=SYSTEM_ACTOR, occurred_at=moment(max(spec["left"], spec["at"]) + 1)):
                leader.leave()
        ledger.save(leader)
    users = []
    for unit, role in itertools.product(sorted(tree), ROLES):
        users.append(Principal(f"{tag}{unit}-{role.value}", "u", role, code(unit), None))
    for spec in world["leaders"]:  # type: ignore[attr-defined]
        users.append(
            Principal(f"{tag}{spec['id']}-login", "u", Role.LEADER, code(spec["unit"]), code(spec["id"]))
        )
        users.append(Principal(f"{tag}{spec['id']}-officer", "u", Role.OFFICER, code("C"), code(spec["id"])))
    case_ids = []
    for spec in world["cases"]:  # type: ignore[attr-defined]
        registrar = Actor(f"{tag}{spec['registrar']}-registrar", "registrar", code(spec["registrar"]))
        fields = registration_fields(
            kind=spec["kind"], received_unit=code(spec["received"]),
            accused_unit=code(spec["accused_unit"]) if spec["accused_unit"] else None,
            accused_leader=code(spec["accused_leader"]) if spec["accused_leader"] else None,
        )  # fmt: skip
        with command_context(actor=registrar, occurred_at=moment(spec["at"])):
            case = Case.register(**fields)
        with command_context(actor=registrar, occurred_at=moment(spec["at"]) + timedelta(hours=1)):
            case.accept(accepting_unit=code(spec["received"]))
        if spec["holder"] is not None:
            unit, leader_id = spec["holder"]
            with command_context(actor=SYSTEM_ACTOR, occurred_at=moment(spec["at"]) + timedelta(hours=2)):
                case.assign(unit_code=code(unit), leader_id=code(leader_id))
        ledger.save(case)
        case_ids.append(case.id)
    return users, case_ids


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(world=worlds())
def test_every_listing_shows_exactly_the_cases_its_reader_may_open(
    ledger: LedgerApplication, world: dict[str, object]
) -> None:
    tag = f"x{uuid4().hex[:6]}"
    users, case_ids = _build(ledger, world, tag)
    feed(ledger, CaseStatusView(ledger))
    paths = UnitPaths(ledger)
    cases = {case_id: ledger.get_case(case_id) for case_id in case_ids}
    db = ViewDatabase(ledger.store)
    mine = f"case_id IN ({', '.join('?' * len(case_ids))})"
    seen_some = hidden_some = False
    with db.transaction(write=False) as tx:
        for who in users:
            access = Access.of(who, paths, ledger.leader_posts)
            expected = {str(i) for i, case in cases.items() if access.may_see(case)}
            rows = access.rows(lambda t: db_time(tx.postgres, t))
            for at in (At(), At(OCCURRED, datetime.now(UTC))):
                listed = select_cases(tx, at, f"({rows.where}) AND {mine}", [*rows.params, *map(str, case_ids)],
                                      order="registered", limit=100, after=None)  # fmt: skip
                assert {r["case_id"] for r in listed} == expected, (who, world)
            seen_some |= bool(expected)
            hidden_some |= len(expected) < len(case_ids)
    assert seen_some and hidden_some  # every world has readers who see and readers who do not


def test_an_officer_with_a_leader_login_sees_the_same_in_list_and_read(ledger: LedgerApplication) -> None:
    """The finding of 2026-12-07: two scope rules disagreed for an officer whose user has a leader_id."""
    world = {
        "tree": {"C": None, "T0": "C", "T1": "C"},
        "leaders": [{"id": "L0", "unit": "T0", "at": 0, "moves": [], "left": None}],
        "cases": [
            {
                "kind": Kind.COMPLAINT_REQUEST,
                "accused_unit": None,
                "accused_leader": None,
                "received": "C",
                "at": 5,
                "holder": ("T0", "L0"),
                "registrar": "C",
            }
        ],
    }
    tag = f"x{uuid4().hex[:6]}"
    _users, [case_id] = _build(ledger, world, tag)
    feed(ledger, CaseStatusView(ledger))
    officer = Principal(
        "o", "o", Role.OFFICER, f"{tag}T1", f"{tag}L0"
    )  # another town, the holding leader's login
    access = Access.of(officer, UnitPaths(ledger), ledger.leader_posts)
    assert access.may_see(ledger.get_case(case_id))
    with ViewDatabase(ledger.store).transaction(write=False) as tx:
        rows = access.rows(lambda t: db_time(tx.postgres, t))
        listed = select_cases(tx, At(), f"({rows.where}) AND case_id = ?", [*rows.params, str(case_id)],
                              order="registered", limit=10, after=None)  # fmt: skip
    assert [r["case_id"] for r in listed] == [str(case_id)]
