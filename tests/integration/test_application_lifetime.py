"""An application dropped by its owner is freed there and then, caches and all: nothing it
owns points back at it, so its connections never wait for the garbage collector (which may
run on a connection pool's own worker thread, and a worker cannot join itself)."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterator

import pytest

from domain.application import LedgerApplication
from domain.context import command_context
from domain.store import parse_database_url
from domain.vocabulary import Role
from projections.registry import VIEW_CLASSES
from tests.factories import actor, rid


@pytest.fixture
def no_cycle_collector() -> Iterator[None]:
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def test_an_application_with_warm_caches_is_freed_when_dropped(
    store_url: str, no_cycle_collector: None
) -> None:
    app = LedgerApplication(parse_database_url(store_url))
    with command_context(actor=actor("admin")):
        app.create_user(user_id=rid("u"), name="李明", role=Role.REGISTRAR, unit_code=None, token="t-1")
    with command_context(actor=actor("admin")):
        assert app.user_for_token("t-1") is not None  # the token cache now holds the user
    views = [cls(app) for cls in VIEW_CLASSES]  # and the views their shared case log
    alive = weakref.ref(app)
    app.close()
    del app, views
    assert alive() is None, "something the application owns still refers to it"
