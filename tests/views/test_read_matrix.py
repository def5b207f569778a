"""Every role against every query endpoint: who may read, what they see, what they count.

A listing never shows a row, and a count never counts a case, that its reader may not see;
no response ever carries an accuser's name, id number or phone.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.api.helpers import World, drive, world_fixture

__all__ = ["world_fixture"]

NAME, ID_NUMBER, PHONE = "举报人丙", "110101198202021234", "13811112222"
READERS = ("registrar", "supervisor", "officer", "leader", "inspector", "officer_b", "leader_b", "admin")


def _endpoints(w: World) -> dict[str, str]:
    return {
        "cases": "/api/v1/cases",
        "overdue": "/api/v1/overdue",
        "caseloads": "/api/v1/caseloads",
        "leader_caseload": f"/api/v1/leaders/{w.leader_a}/caseload",
        "satisfaction": "/api/v1/satisfaction",
        "satisfaction_by_leader": "/api/v1/satisfaction?group_by=leader",
        "figures": "/api/v1/figures",
        "accountability": "/api/v1/accountability",
    }


def _allowed(who: str, endpoint: str) -> bool:
    if who == "admin":
        return False  # an administrator manages users and units; it reads no case data
    if endpoint == "accountability":
        return who in ("supervisor", "inspector", "leader", "leader_b")
    return True


@pytest.fixture
def scene(world: World) -> tuple[World, int]:
    """Town A holds a closed, visited case and an accusation against town B; a measure against A's leader."""
    closed = drive(world, "closed")
    accusation = drive(
        world, "in_handling", kind="accusation", accused_unit=world.town_b, accused_leader=world.leader_b,
        petitioners=[{"name": NAME, "id_number": ID_NUMBER, "phone": PHONE}], content=f"{NAME}检举乙镇",
    )  # fmt: skip
    measure = {"target_leader_id": world.leader_a, "measure": "interview", "basis": "逾期未答复"}
    world.ok("inspector", closed.case_id, "accountability", measure)
    position = world.ok("registrar", accusation.case_id, "notes", {"text": "材料已收"})["position"]
    return world, int(position)


def _get(w: World, who: str, path: str, position: int) -> Any:
    joiner = "&" if "?" in path else "?"
    return w.client(who).get(f"{path}{joiner}min_position={position}")


@pytest.mark.parametrize("who", READERS)
def test_each_role_reads_what_its_role_allows_and_never_an_accusers_identity(
    scene: tuple[World, int], who: str
) -> None:
    world, position = scene
    for endpoint, path in _endpoints(world).items():
        response = _get(world, who, path, position)
        if not _allowed(who, endpoint):
            assert response.status_code == 403, (who, endpoint, response.text)
            assert response.json()["code"] == "forbidden"
        else:
            assert response.status_code == 200, (who, endpoint, response.text)
        for secret in (NAME, ID_NUMBER, PHONE):
            assert secret not in response.text, (who, endpoint)


def test_a_town_b_reader_sees_and_counts_nothing_of_town_a(scene: tuple[World, int]) -> None:
    world, position = scene
    for who in ("officer_b",):
        assert _get(world, who, "/api/v1/cases", position).json()["items"] == []
        assert _get(world, who, "/api/v1/overdue", position).json()["items"] == []
        loads = _get(world, who, "/api/v1/caseloads", position).json()["items"]
        assert all(r["open"] == r["closed"] == r["answered"] == 0 for r in loads), loads
        one = _get(world, who, f"/api/v1/leaders/{world.leader_a}/caseload", position).json()
        assert (one["open"], one["closed"], one["answered"]) == (0, 0, 0)
        assert _get(world, who, "/api/v1/satisfaction", position).json()["items"] == []
        figures = _get(world, who, "/api/v1/figures", position).json()["figures"]
        assert all(f["denominator"] == 0 and f["value"] is None for f in figures.values()), figures


def test_town_a_readers_count_town_a_cases(scene: tuple[World, int]) -> None:
    world, position = scene
    for who in ("officer", "leader", "supervisor", "inspector"):
        items = _get(world, who, "/api/v1/cases", position).json()["items"]
        assert len(items) == 2, (who, items)
        figures = _get(world, who, "/api/v1/figures", position).json()["figures"]
        assert figures["closure_rate"]["denominator"] == 2, (who, figures)
        assert figures["closure_rate"]["numerator"] == 1, (who, figures)
        assert figures["satisfaction_rate"]["denominator"] == 1, (who, figures)
    # the registrar's scope is the receiving unit (the county): it sees both as well
    assert len(_get(world, "registrar", "/api/v1/cases", position).json()["items"]) == 2
