"""The aggregate cache on both stores: a command always sees the store's latest state, exactly
as a load from every event would make it, whoever wrote meanwhile."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from uuid import UUID

import pytest

from domain.application import LedgerApplication
from domain.context import command_context
from domain.errors import VersionConflict
from domain.store import parse_database_url
from tests.integration.test_ledger_store import REGISTRAR, SUPERVISOR, T0, _reference, _register

# (actor, days after registration, command, params): a case worked through to its answer
LIFECYCLE: list[tuple[Any, int, str, dict[str, Any]]] = [
    (REGISTRAR, 1, "accept", {}),
    (SUPERVISOR, 2, "assign", {"unit_code": "town", "leader_id": "L1"}),
    (SUPERVISOR, 3, "notes", {"text": "已电话联系信访人"}),
    (SUPERVISOR, 4, "reassign", {"unit_code": "town", "leader_id": "L2", "reason": "分工调整"}),
    (
        SUPERVISOR,
        5,
        "supervise",
        {"reply_by": (T0 + timedelta(days=15)).date().isoformat(), "text": "请按期"},
    ),
    (SUPERVISOR, 6, "notes", {"text": "督办后已约谈"}),
]


def _state(aggregate: Any) -> dict[str, Any]:
    return dict(vars(aggregate))


def _uncached(store_url: str) -> LedgerApplication:
    return LedgerApplication(parse_database_url(store_url), aggregate_cache_size=0)


def test_every_cached_load_equals_a_load_from_all_events(store_url: str) -> None:
    cached, reference = LedgerApplication(parse_database_url(store_url)), _uncached(store_url)
    try:
        _reference(cached)
        case_id = _register(cached).case_id
        for actor, days, command, params in LIFECYCLE:
            with command_context(actor=actor, occurred_at=T0 + timedelta(days=days)):
                cached.execute(case_id, command, params)
            assert _state(cached.get_case(case_id)) == _state(reference.get_case(case_id)), command
        assert cached.aggregate_cache is not None and cached.aggregate_cache.hits >= len(LIFECYCLE)
    finally:
        cached.close()
        reference.close()


def test_a_write_by_another_process_is_seen_on_the_next_load(store_url: str) -> None:
    here, elsewhere = (LedgerApplication(parse_database_url(store_url)) for _ in range(2))
    try:
        _reference(here)
        case_id: UUID = _register(here).case_id
        assert here.get_case(case_id).version == 1  # now in this process's cache
        with command_context(actor=REGISTRAR, occurred_at=T0 + timedelta(days=1)):
            elsewhere.execute(case_id, "accept", {})
        assert here.get_case(case_id).version == 2
        # A command here is judged on that state: If-Match on the old version is refused.
        with (
            command_context(actor=SUPERVISOR, occurred_at=T0 + timedelta(days=2)),
            pytest.raises(VersionConflict),
        ):
            here.execute(case_id, "assign", {"unit_code": "town", "leader_id": "L1"}, expected_version=1)
        with command_context(actor=SUPERVISOR, occurred_at=T0 + timedelta(days=2)):
            assert here.execute(case_id, "assign", {"unit_code": "town", "leader_id": "L1"}).version == 3
        assert _state(elsewhere.get_case(case_id)) == _state(here.get_case(case_id))
    finally:
        here.close()
        elsewhere.close()


def test_a_change_never_saved_does_not_reach_the_next_load(store_url: str) -> None:
    ledger = LedgerApplication(parse_database_url(store_url))
    try:
        _reference(ledger)
        case_id = _register(ledger).case_id
        loaded = ledger.get_case(case_id)
        # Changed in memory and never saved, as by a command that lost its race.
        with command_context(actor=REGISTRAR, occurred_at=T0 + timedelta(days=1)):
            loaded.accept(accepting_unit="county")
        assert loaded.version == 2
        again = ledger.get_case(case_id)
        assert again.version == 1 and again.status != loaded.status
    finally:
        ledger.close()


def test_size_zero_turns_the_cache_off(store_url: str) -> None:
    ledger = _uncached(store_url)
    try:
        assert ledger.aggregate_cache is None
        _reference(ledger)
        assert ledger.get_case(_register(ledger).case_id).version == 1
    finally:
        ledger.close()
