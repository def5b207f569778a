"""schemathesis over every GET of the OpenAPI document, as an officer and an inspector, on both
stores: no answer is a server error, not even a 503 (a `min_position` beyond the head is a 422
now, and one at or below it is reached while the world is quiet).

Bounded: FUZZ_EXAMPLES (default 3) examples per operation; `test_schema_fuzz.py` covers every
method and role on SQLite.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

from api.settings import Settings
from tests.api.helpers import World, build_world, drive
from tests.conftest import ADMIN_TOKEN, LiveServer

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "3"))


@pytest.fixture
def read_world(store_url: str) -> Iterator[World]:
    settings_ = Settings(
        database_url=store_url, admin_token=ADMIN_TOKEN,
        auth_failure_limit=1_000_000,  # the fuzzer sends bad tokens on purpose
        checkpoint_interval_seconds=0,
    )  # fmt: skip
    with LiveServer(settings_) as server:
        world = build_world(server)
        drive(world, "closed")
        yield world
        world.close()


@pytest.mark.parametrize("who", ["officer", "inspector"])
def test_every_get_operation_answers_without_a_server_error(read_world: World, who: str) -> None:
    schema = schemathesis.openapi.from_url(f"{read_world.server.url}/openapi.json")
    operations = [r.ok() for r in schema.get_all_operations() if r.ok().method.upper() == "GET"]
    assert len(operations) > 20  # the whole read API, not an empty document
    headers = {"Authorization": f"Bearer {read_world.tokens[who]}"}
    # The views have caught up before the run: a wait below the head is then always met.
    caught_up = read_world.client("inspector").get("/api/v1/cases", params={"min_position": read_world.position()})
    assert caught_up.status_code == 200, caught_up.text

    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True,
                  database=None)  # fmt: skip
        def call(case: Any) -> None:
            response = case.call(base_url=read_world.server.url, headers=headers)
            assert response.status_code < 500, (case.operation.label, who, response.status_code, response.text[:500])

        call()
