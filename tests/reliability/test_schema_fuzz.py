"""schemathesis against the OpenAPI document: every operation, as every role and with no token.

No answer may be a server error (a 503 `views_behind` is the documented answer to a read-your-
writes wait that timed out, not a crash), and every answer with a documented status must match
its documented schema. The run is short by default; `-m long` raises the examples per operation.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
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


@pytest.fixture(scope="module")
def fuzz_world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    path: Path = tmp_path_factory.mktemp("fuzz") / "ledger.db"
    settings_ = Settings(
        database_url=f"sqlite:///{path}", admin_token=ADMIN_TOKEN, view_wait_seconds=0.2,
        auth_failure_limit=1_000_000,  # the fuzzer sends many bad tokens on purpose
        checkpoint_interval_seconds=0,
    )  # fmt: skip
    with LiveServer(settings_) as server:
        world = build_world(server)
        drive(world, "closed")
        yield world
        world.close()


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


@pytest.mark.parametrize("who", ROLES, ids=[r or "anonymous" for r in ROLES])
def test_every_operation_as_every_role_answers_without_a_server_error(
    api_schema: Any, fuzz_world: World, who: str | None
) -> None:
    headers = {"Authorization": f"Bearer {fuzz_world.tokens.get(who, ADMIN_TOKEN)}"} if who else {}
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) > 40  # the whole API, not an empty document

    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True,
                  database=None)  # fmt: skip
        def call(case: Any) -> None:
            response = case.call(base_url=fuzz_world.server.url, headers=headers)
            _not_a_crash(response, case.operation.label, who)
            case.validate_response(response, checks=[response_schema_conformance, content_type_conformance])

        call()
