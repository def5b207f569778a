"""Every GET the API has, generated from its OpenAPI document, as every user of the accused unit or
leader: no response (body or headers, success or error) carries the accuser's name, id number,
phone or the accusation's text. Extends tests/api/test_confidentiality.py (case, timeline,
commands) to lists and search, counts, replay, delays, evidence, the dossier, ledger and metrics.
Web pages are not part of this branch; the integrator adds them to the sweep.
"""

from __future__ import annotations

import re
from urllib.parse import quote, unquote

import httpx
import pytest

from tests.api.helpers import World, world_fixture
from tests.api.test_confidentiality import ID_NUMBER, NAME, PHONE, SECRETS, _accusation

__all__ = ["world_fixture"]

ACCUSED_USERS = ("officer_b", "leader_b", "registrar_b", "accused_supervisor")
# Query variants that try to pull the secret out: search, unmasking, history, and echo in errors.
VARIANTS = ("", f"?q={quote(NAME)}", f"?q={ID_NUMBER}", "?unmask=true&purpose=check", "?version=1",
            f"?unit={quote(NAME)}", f"?leader={PHONE}", "?group_by=leader", "?min_position=1")  # fmt: skip


def _gets(w: World) -> list[str]:
    document = w.server.app.openapi()
    return sorted(path for path, item in document["paths"].items() if "get" in item and path.startswith("/api/"))


def _fill(path: str, w: World, case_id: str) -> str:
    values = {"case_id": case_id, "leader_id": w.leader_b, "unit_code": w.town_b}
    return re.sub(r"\{(\w+)\}", lambda m: values.get(m.group(1), "x"), path)


def _leaks(response: httpx.Response, query: str) -> list[str]:
    """Secrets in the response, except one the client itself sent (an error may echo its input)."""
    raw = response.content.decode("utf-8", "replace") + str(response.headers)
    sent = unquote(query) + query
    return [s for s in SECRETS if s in raw and s not in sent]


@pytest.fixture
def accused(world: World) -> tuple[World, str]:
    world.add_user("registrar_b", "registrar", world.town_b)
    # In scope (the county received the case) and the accused leader's own login.
    world.add_user("accused_supervisor", "supervisor", world.county, world.leader_b)
    a = _accusation(world)
    return world, a.case_id


def test_no_response_to_an_accused_party_carries_the_accuser(accused: tuple[World, str]) -> None:
    w, case_id = accused
    paths = _gets(w)
    assert "/api/v1/cases/{case_id}/replay" in paths and "/api/v1/cases/{case_id}/evidence" in paths
    assert "/api/v1/cases" in paths and "/api/v1/figures" in paths
    position = w.position()
    seen = 0
    for who in ACCUSED_USERS:
        for path in paths:
            for variant in VARIANTS:
                query = variant.replace("min_position=1", f"min_position={position}")
                response = w.client(who).get(_fill(path, w, case_id) + query)
                assert response.status_code < 500, (who, path, variant, response.text[:300])
                assert not _leaks(response, query), (who, path, variant, _leaks(response, query))
                seen += 1
    # The sweep is not vacuous: the same reads as the holding officer do show the accuser.
    holder = w.client("officer").get(f"/api/v1/cases/{case_id}")
    assert holder.status_code == 200 and NAME in holder.text
    assert seen == len(ACCUSED_USERS) * len(paths) * len(VARIANTS)
