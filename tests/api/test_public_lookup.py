"""The petitioner's look-up and rating without a token (第二十一条), on both stores."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any
from uuid import uuid4

import httpx
import pytest

from api.settings import Settings
from domain.case import Case
from domain.context import command_context
from domain.values import Actor
from tests.api.helpers import (
    World,
    assert_problem,
    build_world,
    drive,
    world_fixture,  # noqa: F401 - the `world` fixture
)
from tests.conftest import ADMIN_TOKEN, LiveServer
from tests.factories import registration_fields

CODE = re.compile(r"^[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}$")


def public(world: World) -> httpx.Client:
    return world.client("")  # no Authorization header at all


def lookup(world: World, case_id: str, code: str, **headers: str) -> httpx.Response:
    return public(world).post(
        "/api/v1/public/lookup", json={"case_id": case_id, "query_code": code}, headers=headers
    )


def rate(world: World, case_id: str, code: str, **extra: Any) -> httpx.Response:
    body = {"case_id": case_id, "query_code": code, "satisfaction": "basically_satisfied", **extra}
    return public(world).post("/api/v1/public/rating", json=body)


def reissued(world: World, case_id: str) -> str:
    result = world.ok("registrar", case_id, "query-code-reissue", {"reason": "信访人遗失回执"})
    assert CODE.match(result["query_code"]), result
    return str(result["query_code"])


def wrong(code: str) -> str:
    return ("B" if code[0] != "B" else "C") + code[1:]


def test_registration_returns_a_query_code_and_the_pair_looks_the_case_up(world: World) -> None:
    response = world.client("registrar").post("/api/v1/cases", json=world.registration())
    assert response.status_code == 201, response.text
    answer = response.json()
    assert CODE.match(answer["query_code"]), answer
    found = lookup(world, answer["case_id"], answer["query_code"].lower().replace("-", " "))
    assert found.status_code == 200, found.text
    body = found.json()
    assert (body["case_id"], body["status"], body["holding_unit"]) == (
        answer["case_id"],
        "registered",
        "某县",
    )
    assert [d["clock"] for d in body["due_dates"]] == ["screening"]
    assert body["answered_on"] is None and body["may_rate"] is False


def test_a_reissued_code_replaces_the_old_one(world: World) -> None:
    response = world.client("registrar").post("/api/v1/cases", json=world.registration())
    case_id, first = response.json()["case_id"], response.json()["query_code"]
    second = reissued(world, case_id)
    assert second != first
    assert lookup(world, case_id, second).status_code == 200
    assert_problem(lookup(world, case_id, first), 404, "case_not_found")
    events = [e["type"] for e in world.timeline(case_id)["items"]]
    assert events[-1] == "QueryCodeReissued"
    # the timeline shows no verifier of the code
    assert all("query_code_hash" not in e["fields"] for e in world.timeline(case_id)["items"])


def _case_without_code(world: World) -> str:
    """A case registered before query codes existed: its registration carries no hash."""
    registrar = Actor(user_id=world.users["registrar"], role="registrar", unit_code=world.county)
    ledger = world.server.ledger
    with command_context(actor=registrar):
        case = Case.register(**registration_fields(received_unit=world.county))
    ledger.save(case)
    assert case.query_code_hash is None
    return str(case.id)


def test_every_wrong_pair_answers_the_same_404(world: World) -> None:
    response = world.client("registrar").post("/api/v1/cases", json=world.registration())
    case_id, code = response.json()["case_id"], response.json()["query_code"]
    uncoded = _case_without_code(world)
    before = world.position()
    answers = [
        lookup(world, str(uuid4()), code),  # no such case
        lookup(world, case_id, wrong(code)),  # a wrong code
        lookup(world, uncoded, code),  # a case without a code
        lookup(world, "not-a-case-number", code),  # not a case id at all
    ]
    bodies = [assert_problem(r, 404, "case_not_found") for r in answers]
    assert all(b == bodies[0] for b in bodies), bodies
    assert len({r.content for r in answers}) == 1
    assert world.position() == before  # nothing is written by a look-up


def test_repeated_failures_from_one_address_answer_429_even_for_the_right_pair(world: World) -> None:
    response = world.client("registrar").post("/api/v1/cases", json=world.registration())
    case_id, code = response.json()["case_id"], response.json()["query_code"]
    for _ in range(5):
        assert_problem(lookup(world, str(uuid4()), code), 404, "case_not_found")
    limited = lookup(world, case_id, code)
    assert_problem(limited, 429, "too_many_failed_lookups")
    assert 0 < int(limited.headers["Retry-After"]) <= 900
    assert_problem(rate(world, case_id, code), 429, "too_many_failed_lookups")


@pytest.fixture
def proxied_world(store_url: str) -> Iterator[World]:
    """A world behind a trusted proxy, so a test can speak from many client addresses."""
    settings = Settings(database_url=store_url, admin_token=ADMIN_TOKEN, trusted_proxies="127.0.0.1")
    with LiveServer(settings) as server:
        w = build_world(server)
        yield w
        w.close()


def test_repeated_failures_against_one_case_answer_429_from_any_address(proxied_world: World) -> None:
    w = proxied_world
    response = w.client("registrar").post("/api/v1/cases", json=w.registration())
    case_id, code = response.json()["case_id"], response.json()["query_code"]
    for n in range(5):
        assert_problem(
            lookup(w, case_id, wrong(code), **{"X-Forwarded-For": f"10.0.0.{n + 1}"}), 404, "case_not_found"
        )
    assert_problem(
        lookup(w, case_id, code, **{"X-Forwarded-For": "10.0.1.1"}), 429, "too_many_failed_lookups"
    )
    # another case from a fresh address is not held by this case's failures
    other = w.client("registrar").post("/api/v1/cases", json=w.registration()).json()
    assert (
        lookup(w, other["case_id"], other["query_code"], **{"X-Forwarded-For": "10.0.2.1"}).status_code == 200
    )


def test_the_limit_holds_across_api_processes(store_url: str) -> None:
    """Two API processes on one store (`serve --workers 2`): failures in one count in the other."""
    settings = Settings(database_url=store_url, admin_token=ADMIN_TOKEN)
    with LiveServer(settings) as first, LiveServer(settings) as second:
        w = build_world(first)
        response = w.client("registrar").post("/api/v1/cases", json=w.registration())
        case_id, code = response.json()["case_id"], response.json()["query_code"]
        with first.client(None) as a, second.client(None) as b:
            for _ in range(5):
                r = a.post("/api/v1/public/lookup", json={"case_id": case_id, "query_code": wrong(code)})
                assert r.status_code == 404
            r = b.post("/api/v1/public/lookup", json={"case_id": case_id, "query_code": code})
            assert_problem(r, 429, "too_many_failed_lookups")
        w.close()


def test_an_accusation_looked_up_shows_nothing_of_accuser_or_accused(world: World) -> None:
    petitioner = {
        "name": "王举报",
        "id_number": "110105194912310021",
        "phone": "13911112222",
        "address": "幸福路9号",
    }
    registration = world.registration(
        kind="accusation",
        accused_unit=world.town_b,
        accused_leader=world.leader_b,
        petitioners=[petitioner],
        subject="举报乙镇镇长违规发放补贴",
        content="乙镇镇长将补贴发给亲属。",
    )
    response = world.client("registrar").post("/api/v1/cases", json=registration)
    assert response.status_code == 201, response.text
    case_id, code = response.json()["case_id"], response.json()["query_code"]
    found = lookup(world, case_id, code)
    assert found.status_code == 200, found.text
    text = found.text
    for secret in ("王举报", "110105194912310021", "13911112222", "幸福路", world.town_b, "乙镇", world.leader_b,
                   "乙镇镇长", "举报", "补贴", "accusation", world.users["registrar"]):  # fmt: skip
        assert secret not in text, secret
    assert set(found.json()) == {"case_id", "status", "registered_on", "holding_unit", "referred_to", "due_dates",
                                 "answered_on", "may_rate"}  # fmt: skip


def test_a_rating_before_the_answer_is_refused_and_writes_nothing(world: World) -> None:
    c = drive(world, "in_handling")
    code = reissued(world, c.case_id)
    before = world.position()
    problem = assert_problem(rate(world, c.case_id, code), 409, "transition_not_allowed")
    assert problem["rule"] == "return_visit_needs_answer"
    assert world.position() == before


def test_a_rating_is_a_self_service_return_visit_in_the_satisfaction_view(world: World) -> None:
    c = drive(world, "answered")
    code = reissued(world, c.case_id)
    assert lookup(world, c.case_id, code).json()["may_rate"] is True
    response = rate(world, c.case_id, code, comment="处理及时，态度很好。")
    assert response.status_code == 200, response.text
    last = world.timeline(c.case_id)["items"][-1]
    assert last["type"] == "ReturnVisitRecorded"
    assert last["fields"]["method"] == "self_service" and last["fields"]["signed"] is False
    assert last["fields"]["comment"] == "处理及时，态度很好。"
    assert last["actor"] == {"user_id": "public-self-service", "role": "petitioner", "unit_code": None}
    assert world.case(c.case_id)["satisfaction"] == "basically_satisfied"
    visits = world.client("supervisor").get(
        "/api/v1/satisfaction", params={"min_position": response.json()["position"]}
    )
    assert visits.status_code == 200, visits.text
    mine = [v for v in visits.json()["items"] if v["case_id"] == c.case_id and v["method"] == "self_service"]
    assert [v["satisfaction"] for v in mine] == ["basically_satisfied"]
    # a second rating follows the return visit's own rules: allowed while the case is answered
    assert rate(world, c.case_id, code, satisfaction="satisfied").status_code == 200
    world.ok("officer", c.case_id, "close", {"closure_type": "resolved"})
    assert_problem(rate(world, c.case_id, code), 409, "transition_not_allowed")


def test_a_rating_comment_is_checked_as_hostile_text_and_bounded(world: World) -> None:
    c = drive(world, "answered")
    code = reissued(world, c.case_id)
    before = world.position()
    assert_problem(rate(world, c.case_id, code, comment="满意\u202e0001"), 422, "validation_failed")
    assert_problem(rate(world, c.case_id, code, comment="好" * 501), 422, "validation_failed")
    assert_problem(
        rate(world, c.case_id, code, signed=True), 422, "validation_failed"
    )  # nothing else is taken
    assert world.position() == before


def test_staff_cannot_record_a_self_service_rating(world: World) -> None:
    c = drive(world, "answered")
    body = {"satisfaction": "satisfied", "signed": False, "method": "self_service"}
    problem = assert_problem(world.command("officer", c.case_id, "return-visit", body), 403, "forbidden")
    assert problem["rule"] == "self_service_rating_only_by_the_petitioner"


def test_the_ledger_never_holds_the_code_in_clear(world: World) -> None:
    registration = world.registration()
    response = world.client("registrar").post(
        "/api/v1/cases", json=registration, headers={"Idempotency-Key": "r-1"}
    )
    case_id, first = response.json()["case_id"], response.json()["query_code"]
    second = reissued(world, case_id)
    again = world.client("registrar").post(
        "/api/v1/cases", json=registration, headers={"Idempotency-Key": "r-1"}
    )
    assert again.json()["case_id"] == case_id and again.json()["query_code"] is None  # a replay makes none
    ledger = world.server.ledger
    stored = b"".join(n.state for n in ledger.recorder.select_notifications(start=1, limit=100_000))
    assert b"scrypt$" in stored  # the hashes are there ...
    for code in (first, second):
        for form in (code, code.replace("-", ""), code.lower(), code.replace("-", "").lower()):
            assert form.encode() not in stored, form  # ... the codes are not


def test_the_public_routes_are_documented_with_their_problems(world: World) -> None:
    document = public(world).get("/openapi.json").json()
    for path in ("/api/v1/public/lookup", "/api/v1/public/rating"):
        operation = document["paths"][path]["post"]
        assert not operation.get("security"), path  # no token
        for status in ("404", "429"):
            content = operation["responses"][status]["content"]
            assert content["application/problem+json"]["schema"] == {"$ref": "#/components/schemas/Problem"}


def _pdf_text(content: bytes) -> str:
    import io

    from pypdf import PdfReader

    # pypdf reads fpdf2's two-byte glyph ids with a NUL before each character
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages).replace("\x00", "")


def test_the_registrar_prints_the_receipt_with_the_code_just_made(world: World) -> None:
    response = world.client("registrar").post("/api/v1/cases", json=world.registration())
    case_id, code = response.json()["case_id"], response.json()["query_code"]
    printed = world.client("registrar").post(
        f"/api/v1/cases/{case_id}/receipt.pdf", json={"query_code": code}
    )
    assert printed.status_code == 200, printed.text
    assert printed.headers["content-type"] == "application/pdf" and printed.content.startswith(b"%PDF")
    text = _pdf_text(printed.content)
    for shown_text in ("信访事项登记回执", "某县", code, case_id, f"/q?case={case_id}", "第二十二条"):
        assert shown_text in text.replace("\n", ""), shown_text
    for hidden in ("张三", "宅基地"):  # nothing personal, nothing of the matter
        assert hidden not in text
    wrong_code = world.client("registrar").post(
        f"/api/v1/cases/{case_id}/receipt.pdf", json={"query_code": wrong(code)}
    )
    assert_problem(wrong_code, 422, "validation_failed")
    officer = world.client("officer").post(f"/api/v1/cases/{case_id}/receipt.pdf", json={"query_code": code})
    assert_problem(officer, 403, "forbidden")


def test_staff_cannot_correct_a_rating_into_or_out_of_the_petitioners_words(world: World) -> None:
    c = drive(world, "answered")
    code = reissued(world, c.case_id)
    assert rate(world, c.case_id, code).status_code == 200
    rated = world.timeline(c.case_id)["items"][-1]["version"]
    staff_visit = world.ok("officer", c.case_id, "return-visit", {"satisfaction": "satisfied", "signed": True,
                                                                  "method": "phone"})["version"]  # fmt: skip
    before = world.position()
    for target, field, value in (
        (rated, "satisfaction", "satisfied"),
        (staff_visit, "method", "self_service"),
    ):
        body = {"target_version": target, "field": field, "new_value": value, "reason": "更正"}
        problem = assert_problem(world.command("officer", c.case_id, "corrections", body), 403, "forbidden")
        assert problem["rule"] == "self_service_rating_only_by_the_petitioner"
    assert world.position() == before
