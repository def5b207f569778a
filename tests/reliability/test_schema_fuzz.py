"""schemathesis against the OpenAPI document: every operation, as every role and with no token
(SQLite), and every GET as an officer and an inspector on both stores.

No answer may be a server error (for all operations, a 503 `views_behind` is the documented answer
to a read-your-writes wait that timed out, not a crash; the reads run in a quiet world, where a
`min_position` at or below the head is reached and one beyond it is a 422, so there not even that),
and every answer with a documented status must match its documented schema. The run is short by
default (FUZZ_EXAMPLES=3 per operation).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance

from api.settings import Settings
from tests.api.helpers import World, build_world, drive
from tests.conftest import ADMIN_TOKEN, LiveServer

ROLES = ("admin", "registrar", "supervisor", "officer", "leader", "inspector", "officer_b", "leader_b", None)
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "3"))


@contextmanager
def fuzzed_world(url: str, **overrides: Any) -> Iterator[World]:
    """A live server with the standard world and one closed case, that bad tokens do not lock out."""
    settings_ = Settings(
        database_url=url, admin_token=ADMIN_TOKEN,
        auth_failure_limit=1_000_000,  # the fuzzer sends many bad tokens on purpose
        checkpoint_interval_seconds=0, **overrides,
    )  # fmt: skip
    with LiveServer(settings_) as server:
        world = build_world(server)
        drive(world, "closed")
        yield world
        world.close()


@pytest.fixture(scope="module")
def fuzz_world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    path: Path = tmp_path_factory.mktemp("fuzz") / "ledger.db"
    with fuzzed_world(f"sqlite:///{path}", view_wait_seconds=0.2) as world:
        yield world


@pytest.fixture(scope="module")
def api_schema(fuzz_world: World) -> Any:
    return schemathesis.openapi.from_url(f"{fuzz_world.server.url}/openapi.json")


def _not_a_crash(response: Any, label: str, who: str | None) -> None:
    if response.status_code < 500:
        return
    try:
        code = response.json().get("code")
    except ValueError:
        code = None
    assert response.status_code == 503 and code == "views_behind", (label, who, response.status_code, response.text[:500])


def _run(operations: list[Any], world: World, headers: dict[str, str], check: Callable[[Any, Any], None]) -> None:
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True,
                  database=None)  # fmt: skip
        def call(case: Any) -> None:
            check(case, case.call(base_url=world.server.url, headers=headers))

        call()


def _headers(world: World, who: str | None) -> dict[str, str]:
    return {"Authorization": f"Bearer {world.tokens.get(who, ADMIN_TOKEN)}"} if who else {}


@pytest.mark.parametrize("who", ROLES, ids=[r or "anonymous" for r in ROLES])
def test_every_operation_as_every_role_answers_without_a_server_error(
    api_schema: Any, fuzz_world: World, who: str | None
) -> None:
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) > 40  # the whole API, not an empty document

    def check(case: Any, response: Any) -> None:
        _not_a_crash(response, case.operation.label, who)
        case.validate_response(response, checks=[response_schema_conformance, content_type_conformance])

    _run(operations, fuzz_world, _headers(fuzz_world, who), check)


@pytest.fixture
def read_world(store_url: str) -> Iterator[World]:
    with fuzzed_world(store_url) as world:
        yield world


@pytest.mark.parametrize("who", ["officer", "inspector"])
def test_every_get_operation_answers_without_any_5xx_on_both_stores(read_world: World, who: str) -> None:
    schema = schemathesis.openapi.from_url(f"{read_world.server.url}/openapi.json")
    operations = [r.ok() for r in schema.get_all_operations() if r.ok().method.upper() == "GET"]
    assert len(operations) > 20  # the whole read API, not an empty document
    # The views have caught up before the run: a wait at or below the head is then always met.
    caught_up = read_world.client("inspector").get("/api/v1/cases", params={"min_position": read_world.position()})
    assert caught_up.status_code == 200, caught_up.text

    def check(case: Any, response: Any) -> None:
        assert response.status_code < 500, (case.operation.label, who, response.status_code, response.text[:500])

    _run(operations, read_world, _headers(read_world, who), check)
