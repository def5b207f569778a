"""The edge's one validation: hostile characters in any query parameter, path, read header or body
string are a 422 naming the parameter, on both stores; text is kept in NFC; cursors, If-Match and
min_position take only values that mean something."""

from __future__ import annotations

import base64
import json
import time
import unicodedata
from typing import Any
from urllib.parse import quote

import pytest

from tests.api.helpers import World, assert_problem, drive, world_fixture

__all__ = ["world_fixture"]

# The listings and the text parameters each takes (the ones a NUL used to carry to PostgreSQL).
TEXT_PARAMETERS = {
    "/api/v1/cases": ("unit", "leader", "category", "q", "cursor"),
    "/api/v1/overdue": ("unit", "leader", "cursor"),
    "/api/v1/caseloads": ("unit", "cursor"),
    "/api/v1/leaders/someone/caseload": ("unit",),
    "/api/v1/satisfaction": ("unit", "leader", "category", "cursor"),
    "/api/v1/accountability": ("leader", "unit", "cursor"),
    "/api/v1/figures": ("unit", "leader", "category", "campaign"),
    "/api/v1/receptions": ("leader", "unit"),
}
HOSTILE = {
    "nul": "a\x00b",
    "escape": "a\x1bb",
    "line-feed": "a\nb",
    "c1-control": "a\x85b",
    "rtl-override": "\u202eabc",
    "isolate": "a\u2066b",
    "zero-width-space": "a\u200bb",
    "zero-width-joiner": "a\u200db",
    "bom": "\ufeffa",
}


def _get(world: World, who: str, path: str, raw_query: str, **kwargs: Any) -> Any:
    return world.client(who).get(f"{path}?{raw_query}", **kwargs)


def _query(name: str, value: str) -> str:
    return f"{quote(name)}={quote(value.encode('utf-8', 'surrogatepass'))}"


@pytest.mark.parametrize("kind", sorted(HOSTILE))
def test_a_hostile_character_in_any_listing_parameter_is_a_422_naming_it(world: World, kind: str) -> None:
    for path, names in TEXT_PARAMETERS.items():
        for name in names:
            response = _get(world, "inspector", path, _query(name, HOSTILE[kind]))
            body = assert_problem(response, 422, "validation_failed")
            assert body["errors"][0]["field"] == name, (path, name, body)


def test_a_hostile_path_header_or_parameter_name_is_a_422(world: World) -> None:
    assert_problem(world.client("inspector").get("/api/v1/leaders/a%00b/caseload"), 422, "validation_failed")
    body = assert_problem(_get(world, "inspector", "/api/v1/cases", "un%E2%80%AEit=x"), 422, "validation_failed")
    assert body["errors"][0]["field"] == "query"
    # A lone surrogate, UTF-8-encoded, is not UTF-8: refused, not replaced by U+FFFD and searched for.
    body = assert_problem(_get(world, "inspector", "/api/v1/cases", "q=%ED%A0%80"), 422, "validation_failed")
    assert body["errors"][0]["field"] == "query"
    for header, value in (("X-Request-ID", "id\u202e1"), ("Idempotency-Key", "k\u200b1")):
        response = world.client("registrar").post(
            "/api/v1/units", json={}, headers={header: value.encode()}
        )
        body = assert_problem(response, 422, "validation_failed")
        assert body["errors"][0]["field"] == header.lower()


def test_query_text_is_searched_in_nfc(world: World) -> None:
    drive(world, "registered", subject="café 纠纷")  # NFC: é is one code point
    decomposed = unicodedata.normalize("NFD", "café")
    assert decomposed != "café"
    wait = f"&min_position={world.position()}"
    response = _get(world, "inspector", "/api/v1/cases", _query("q", decomposed) + wait)
    assert response.status_code == 200, response.text
    assert [i["subject"] for i in response.json()["items"]] == ["café 纠纷"]


def _cursor(*values: Any) -> str:
    # The stdlib encoder: orjson (the service's) refuses to write what a forger would.
    return base64.urlsafe_b64encode(json.dumps(list(values)).encode()).decode().rstrip("=")


@pytest.mark.parametrize("year", ["0000", "0001", "1001", "9999"])
def test_a_cursor_with_an_implausible_time_is_a_422(world: World, year: str) -> None:
    case_id = drive(world, "registered").case_id
    for path, cursor in (
        ("/api/v1/cases", _cursor(f"{year}-12-31T23:59:59+00:00", case_id)),
        ("/api/v1/overdue", _cursor(f"{year}-12-31", case_id)),
        ("/api/v1/satisfaction", _cursor(f"{year}-01-01T00:00:00+00:00", 1)),
        ("/api/v1/accountability", _cursor(f"{year}-01-01T00:00:00", 1)),
    ):
        body = assert_problem(_get(world, "inspector", path, f"cursor={cursor}"), 422, "validation_failed")
        assert body["errors"][0]["field"] == "cursor"


@pytest.mark.parametrize(
    "forged",
    [
        ["2026-01-01T00:00:00+00:00", "not-a-case-id\x00"],
        ["2026-01-01T00:00:00+00:00", 2**70],
        ["2026-01-01T00:00:00+00:00", True],
        ["2026-01-01T00:00:00+00:00", -1],
        ["2026-01-01\x00", 1],
        [1, 2],
        ["2026-01-01T00:00:00+00:00"],
    ],
    ids=["nul-case-id", "position-past-64-bits", "boolean", "negative", "nul-time", "numbers", "one-value"],
)
def test_a_cursor_no_listing_gave_out_is_a_422(world: World, forged: list[Any]) -> None:
    for path in ("/api/v1/cases", "/api/v1/satisfaction", "/api/v1/accountability"):
        response = _get(world, "inspector", path, f"cursor={_cursor(*forged)}")
        assert_problem(response, 422, "validation_failed")


def test_a_cursor_the_listing_gave_out_still_pages(world: World) -> None:
    for _ in range(3):
        drive(world, "registered")
    first = world.client("inspector").get("/api/v1/cases", params={"limit": 2, "min_position": world.position()})
    assert first.status_code == 200 and first.json()["next_cursor"], first.text
    second = world.client("inspector").get("/api/v1/cases", params={"limit": 2, "cursor": first.json()["next_cursor"]})
    assert second.status_code == 200, second.text
    assert not {i["case_id"] for i in first.json()["items"]} & {i["case_id"] for i in second.json()["items"]}


@pytest.mark.parametrize("if_match", ["٣", "²", "３", "1_0", "99999999999999999999999"])
def test_if_match_takes_ascii_digits_only(world: World, if_match: str) -> None:
    c = drive(world, "registered")
    response = world.command(
        "registrar", c.case_id, "notes", {"text": "x"}, headers={"If-Match": if_match.encode()}
    )
    assert_problem(response, 422, "validation_failed")
    assert world.version(c.case_id) == c.version
    matching = world.command("registrar", c.case_id, "notes", {"text": "x"}, headers={"If-Match": f'W/"{c.version}"'})
    assert matching.status_code == 200, matching.text


def test_min_position_beyond_the_head_is_a_prompt_422_and_at_the_head_it_answers(world: World) -> None:
    head = world.position()
    started = time.monotonic()
    body = assert_problem(
        world.client("inspector").get("/api/v1/cases", params={"min_position": head + 1}), 422, "validation_failed"
    )
    assert time.monotonic() - started < 2  # no 5 s wait for a position no wait could bring
    assert body["errors"][0]["field"] == "min_position" and body["head"] == head
    for path in ("/api/v1/cases", "/api/v1/figures", "/api/v1/satisfaction"):
        response = world.client("inspector").get(path, params={"min_position": head})
        assert response.status_code == 200, (path, response.text)


@pytest.mark.parametrize("kind", sorted(HOSTILE))
def test_a_name_with_a_hostile_or_invisible_character_is_refused(world: World, kind: str) -> None:
    position = world.position()
    bodies = [
        ("/api/v1/units", {"code": "U1x", "name": f"甲{HOSTILE[kind]}镇", "parent_code": world.county}),
        ("/api/v1/leaders", {"leader_id": "l-x1", "name": f"王{HOSTILE[kind]}", "unit_code": world.town_a,
                             "post": "镇长"}),
        ("/api/v1/cases", world.registration(
            petitioners=[{"name": f"张{HOSTILE[kind]}三", "phone": "13800138000"}])),
        ("/api/v1/cases", world.registration(category=f"land{HOSTILE[kind]}")),
    ]  # fmt: skip
    for path, body in bodies:
        who = "registrar" if path == "/api/v1/cases" else "admin"
        response = world.client(who).post(path, json=body)
        problem = assert_problem(response, 422, "validation_failed")
        assert problem["errors"], problem
    assert world.position() == position


@pytest.mark.parametrize("kind", ["nul", "escape", "c1-control", "rtl-override", "isolate"])
def test_free_text_refuses_controls_and_bidi_overrides(world: World, kind: str) -> None:
    c = drive(world, "registered")
    response = world.command("registrar", c.case_id, "notes", {"text": f"第一段{HOSTILE[kind]}第二段"})
    body = assert_problem(response, 422, "validation_failed")
    assert body["errors"][0]["field"] == "text"
    assert world.version(c.case_id) == c.version


def test_free_text_keeps_line_breaks_and_tabs_and_is_stored_in_nfc(world: World) -> None:
    name = unicodedata.normalize("NFD", "José")
    c = drive(world, "registered", petitioners=[{"name": name, "phone": "13800138000"}])
    assert world.case(c.case_id, "registrar")["petitioners"][0]["name"] == "José"  # one code point é
    text = "第一段\n第二段\r\n\t缩进 " + unicodedata.normalize("NFD", "é")
    assert world.ok("registrar", c.case_id, "notes", {"text": text})
    assert world.timeline(c.case_id, "registrar")["items"][-1]["fields"]["text"] == unicodedata.normalize(
        "NFC", text
    ).strip()
