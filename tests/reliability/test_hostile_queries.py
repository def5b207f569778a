"""Hostile strings in every query parameter of the listings, property-based, on both stores: no
answer is a server error, and every refusal is a problem document.

The parameters are read from the OpenAPI document, so a parameter added to a listing later is
fuzzed without anyone remembering to add it here.
"""

from __future__ import annotations

import base64
import json
from typing import Any
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.api.helpers import PROBLEM, World, drive, world_fixture

__all__ = ["world_fixture"]

LISTINGS = (
    "/api/v1/cases",
    "/api/v1/overdue",
    "/api/v1/caseloads",
    "/api/v1/leaders/{leader_id}/caseload",
    "/api/v1/satisfaction",
    "/api/v1/accountability",
    "/api/v1/figures",
    "/api/v1/recommendations",  # issue 21
)
FRAGMENTS = [
    "\x00", "a\x00b", "\x1b[2J", "\x7f", "\x85", "\u202e反转", "\u2066x\u2069", "a\u200bb", "\ufeff",
    "٣", "３", "²", "0000-01-01", "0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00", "9999-12-31",
    "2026-02-30", "-1", "1e400", "18446744073709551616", "NaN", "true", "", " ", "%", "_", "\\", "'",
    "'; DROP TABLE xinfang_events; --", "../../etc/passwd", "<script>", "長" * 600,
]  # fmt: skip
ANY_TEXT = st.text(st.characters(codec="utf-8"), max_size=30)  # controls and lone surrogates too
CURSOR_PART = st.one_of(
    st.sampled_from(["0000-01-01T00:00:00", "9999-12-31T23:59:59+00:00", "2026-01-01", "\x00", ""]),
    ANY_TEXT,
    st.integers(-(2**70), 2**70),
    st.booleans(),
    st.none(),
)
CURSORS = st.lists(CURSOR_PART, max_size=3).map(
    lambda parts: base64.urlsafe_b64encode(json.dumps(parts).encode()).decode().rstrip("=")
)
VALUES = st.one_of(
    st.sampled_from(FRAGMENTS),
    st.tuples(ANY_TEXT, st.sampled_from(FRAGMENTS), ANY_TEXT).map("".join),
    ANY_TEXT,
    CURSORS,
)
FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def _parameters(world: World) -> dict[str, list[str]]:
    """Each listing's query parameters, as the OpenAPI document declares them."""
    paths = world.server.app.openapi()["paths"]
    found = {path: [p["name"] for p in paths[path]["get"].get("parameters", []) if p["in"] == "query"]
             for path in LISTINGS}  # fmt: skip
    assert all(found.values()), found
    return found


def _encoded(value: str) -> str:
    # surrogatepass: a lone surrogate goes out as its (invalid) UTF-8 bytes, as a hostile client sends it.
    return quote(value.encode("utf-8", "surrogatepass"), safe="")


@pytest.fixture
def listed(world: World) -> World:
    """Rows in every listing, so the hostile values reach the queries, not only empty tables."""
    drive(world, "closed")
    return world


@pytest.mark.parametrize("who", ["inspector", "officer"])
@FUZZ
@given(data=st.data())
def test_no_hostile_query_parameter_of_a_listing_is_a_server_error(listed: World, who: str, data: Any) -> None:
    parameters = _parameters(listed)
    path = data.draw(st.sampled_from(LISTINGS), label="path")
    leader = data.draw(st.one_of(st.just(listed.leader_a), VALUES), label="leader_id")
    names = data.draw(st.lists(st.sampled_from(parameters[path]), min_size=1, max_size=3), label="names")
    query = "&".join(f"{name}={_encoded(data.draw(VALUES, label=name))}" for name in names)
    url = path.replace("{leader_id}", _encoded(leader)) + "?" + query
    response = listed.client(who).get(url)
    assert response.status_code < 500, (url, response.status_code, response.text[:500])
    if response.status_code >= 400:
        assert response.headers["content-type"].startswith(PROBLEM), (url, response.text[:300])
        assert response.json()["code"], response.text
