"""HTTP test helpers: a unit tree with one user per role (`World`), and cases driven over HTTP.

Everything here goes through the real API as the administrator or the right role's user, so the
tests exercise the same path a client does. All moments lie well in the past, in China time.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from typing import Any
from uuid import uuid4

import httpx
import pytest

from tests.conftest import ADMIN_TOKEN, LiveServer
from tests.factories import id_number, steady_morning

CST = timezone(timedelta(hours=8))
PROBLEM = "application/problem+json"
PROBLEM_KEYS = ("type", "title", "status", "detail", "code")
STAGES = (
    "registered",
    "accepted",
    "in_handling",
    "answered",
    "visited",
    "closed",
    "under_review",
    "reviewed",
    "under_re_review",
    "terminated",
    "archived",
)
ALL_DOSSIER = ["record", "verification", "screening", "determination", "resolution", "dossier"]
# A re-review decision of the authority above the county, as the county's supervisor enters it.
OUTSIDE_DECISION = {
    "authority": "市信访局",
    "document_sha256": hashlib.sha256(b"re-review decision").hexdigest(),
}
# Cases start this long ago; each step is an hour after the one before it.
CASE_AGE = timedelta(days=300)
STEP = timedelta(hours=1)


def iso(moment: datetime) -> str:
    return moment.astimezone(CST).isoformat()


def today() -> date:
    return datetime.now(CST).date()


def sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def uid(prefix: str) -> str:
    return f"{prefix}{uuid4().hex[:8]}"


def assert_problem(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    """The response is an RFC 9457 problem with this status and code; returns the body."""
    if response.status_code >= 500 and status < 500:
        # The server thread is still logging the traceback of its crash; formatting another one here
        # at the same time trips a CPython 3.11 race in the AST parser (an INTERNALERROR in pytest).
        time.sleep(0.3)
    assert response.status_code == status, response.text
    assert response.headers["content-type"].split(";")[0] == PROBLEM, response.headers
    body: dict[str, Any] = response.json()
    for key in PROBLEM_KEYS:
        assert key in body, (key, body)
    assert body["status"] == status
    assert body["code"] == code, body
    return body


@dataclass
class World:
    """A county with two towns (A holds cases, B is accused) and a village under A; a user per role."""

    server: LiveServer
    county: str
    town_a: str
    town_b: str
    village: str
    leader_county: str
    leader_a: str
    leader_b: str
    leader_v: str
    users: dict[str, str] = field(default_factory=dict)  # name → user id
    tokens: dict[str, str] = field(default_factory=dict)  # name → token
    clients: dict[str, httpx.Client] = field(default_factory=dict)

    # ---- access --------------------------------------------------------------------------

    def client(self, who: str) -> httpx.Client:
        """A client for a named user ("registrar", "supervisor", "officer", "leader", "inspector",
        "officer_b", "leader_b", "admin"), or for a raw token."""
        if who not in self.clients:
            token = ADMIN_TOKEN if who == "admin" else self.tokens.get(who, who)
            self.clients[who] = self.server.client(token)
        return self.clients[who]

    def close(self) -> None:
        for c in self.clients.values():
            c.close()

    def position(self) -> int:
        with self.server.client(None) as anon:
            response = anon.get("/readyz")
        assert response.status_code == 200, response.text
        return int(response.json()["ledger_position"])

    def add_user(self, name: str, role: str, unit_code: str | None, leader_id: str | None = None) -> str:
        user_id = uid(f"{name.replace('_', '-')}-")
        body: dict[str, Any] = {"user_id": user_id, "name": name, "role": role, "unit_code": unit_code}
        if leader_id is not None:
            body["leader_id"] = leader_id
        response = self.client("admin").post("/api/v1/users", json=body)
        assert response.status_code == 201, response.text
        self.users[name], self.tokens[name] = user_id, response.json()["token"]
        return user_id

    # ---- reads ---------------------------------------------------------------------------

    def case(self, case_id: str, who: str = "inspector") -> dict[str, Any]:
        response = self.client(who).get(f"/api/v1/cases/{case_id}")
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    def timeline(self, case_id: str, who: str = "inspector") -> dict[str, Any]:
        response = self.client(who).get(f"/api/v1/cases/{case_id}/timeline")
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    def version(self, case_id: str) -> int:
        return int(self.case(case_id)["version"])

    # ---- writes --------------------------------------------------------------------------

    def registration(self, **overrides: Any) -> dict[str, Any]:
        body: dict[str, Any] = {
            "channel": "visit",
            "kind": "complaint_request",
            "petitioners": [
                {"name": "张三", "id_number": id_number(), "phone": "13800138000", "address": "幸福路1号"}
            ],
            "headcount": 1,
            "subject": "宅基地纠纷",
            "content": "邻居占用宅基地，请求处理。",
            "category": "land",
            "region_code": "330100",
            "received_unit": self.county,
            "occurred_at": iso(datetime.now(CST) - CASE_AGE),
        }
        body.update(overrides)
        return body

    def register(self, who: str = "registrar", **overrides: Any) -> str:
        response = self.client(who).post("/api/v1/cases", json=self.registration(**overrides))
        assert response.status_code == 201, response.text
        return str(response.json()["case_id"])

    def command(
        self, who: str, case_id: str, command: str, body: dict[str, Any] | None = None, **kwargs: Any
    ) -> httpx.Response:
        return self.client(who).post(f"/api/v1/cases/{case_id}/{command}", json=body or {}, **kwargs)

    def ok(self, who: str, case_id: str, command: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        response = self.command(who, case_id, command, body)
        assert response.status_code == 200, (command, response.text)
        result: dict[str, Any] = response.json()
        return result


def build_world(server: LiveServer) -> World:
    """Units, leaders and one user per role, created over HTTP as the administrator."""
    s = uid("")
    world = World(
        server=server,
        county=f"C{s}",
        town_a=f"TA{s}",
        town_b=f"TB{s}",
        village=f"V{s}",
        leader_county=f"lc-{s}",
        leader_a=f"la-{s}",
        leader_b=f"lb-{s}",
        leader_v=f"lv-{s}",
    )
    admin = world.client("admin")
    for code, name, parent in (
        (world.county, "某县", None),
        (world.town_a, "甲镇", world.county),
        (world.town_b, "乙镇", world.county),
        (world.village, "甲村", world.town_a),
    ):
        response = admin.post("/api/v1/units", json={"code": code, "name": name, "parent_code": parent})
        assert response.status_code == 201, response.text
    for leader_id, name, unit in (
        (world.leader_county, "县领导", world.county),
        (world.leader_a, "甲镇镇长", world.town_a),
        (world.leader_b, "乙镇镇长", world.town_b),
        (world.leader_v, "甲村书记", world.village),
    ):
        body = {"leader_id": leader_id, "name": name, "unit_code": unit, "post": "镇长"}
        response = admin.post("/api/v1/leaders", json=body)
        assert response.status_code == 201, response.text
    world.add_user("registrar", "registrar", world.county)
    world.add_user("supervisor", "supervisor", world.county)
    world.add_user("officer", "officer", world.town_a)
    world.add_user("leader", "leader", world.town_a, world.leader_a)
    world.add_user("inspector", "inspector", world.county)
    world.add_user("officer_b", "officer", world.town_b)
    world.add_user("leader_b", "leader", world.town_b, world.leader_b)
    return world


@dataclass
class DrivenCase:
    """A case driven over HTTP; `at` is the moment of its last step, `day` that step's date."""

    case_id: str
    version: int
    at: datetime
    stage: str

    @property
    def day(self) -> str:
        return self.at.astimezone(CST).date().isoformat()

    def later(self, steps: int = 1) -> datetime:
        return self.at + steps * STEP


def drive(world: World, stage: str, *, start: datetime | None = None, **registration: Any) -> DrivenCase:
    """Register a case and take it, step by step with the right role, to `stage`.

    The path is registered → accepted → in_handling → answered → visited (return visit) →
    closed → under_review → reviewed → under_re_review → terminated → archived; each step is an
    hour after the last, from `start` (300 days ago by default).
    """
    assert stage in STAGES, stage
    at = start or steady_morning(datetime.now(CST) - CASE_AGE)
    case_id = world.register(occurred_at=iso(at), **registration)
    version = 1
    steps: list[tuple[str, str, str, dict[str, Any]]] = [
        ("accepted", "registrar", "accept", {"notice_issued_on": "{day}"}),  # R5: notified that day
        (
            "in_handling",
            "supervisor",
            "assign",
            {"unit_code": world.town_a, "leader_id": world.leader_a, "officer_id": world.users["officer"]},
        ),
        ("answered", "officer", "answer", {"outcome": "explain", "delivered_on": "{day}"}),
        (
            "visited",
            "officer",
            "return-visit",
            {"satisfaction": "satisfied", "signed": True, "method": "phone"},
        ),
        ("closed", "officer", "close", {"closure_type": "answered_only"}),
        ("under_review", "registrar", "review-request", {"requested_on": "{day}"}),
        ("reviewed", "supervisor", "review-decision", {"decision": "upheld", "delivered_on": "{day}"}),
        ("under_re_review", "registrar", "re-review-request", {"requested_on": "{day}"}),
        # The county (the top unit) decided the review: the re-review lies outside (R3), and its
        # supervisor enters the outside decision with its document.
        (
            "terminated",
            "supervisor",
            "re-review-decision",
            {"decision": "upheld", "delivered_on": "{day}", "decided_outside": OUTSIDE_DECISION},
        ),
        ("archived", "registrar", "archive", {"dossier": ALL_DOSSIER}),
    ]
    reached = "registered"
    for target, who, command, template in steps:
        if reached == stage:
            break
        at = at + STEP
        day = at.date().isoformat()
        body = {k: (day if v == "{day}" else v) for k, v in template.items()}
        result = world.ok(who, case_id, command, {**body, "occurred_at": iso(at)})
        assert result["version"] > version, (command, result)
        version, reached = result["version"], target
    return DrivenCase(case_id, version, at, stage)


@pytest.fixture(name="world")
def world_fixture(live_server: LiveServer) -> Iterator[World]:
    """The standard world on a fresh live server (import this fixture into a test module)."""
    w = build_world(live_server)
    yield w
    w.close()
