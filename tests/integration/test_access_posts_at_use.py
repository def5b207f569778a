"""The leaders' posts are brought up to date when an access check needs them, not before.

A command on a case that is no accusation never asks whose side the caller is on, so it reads
nothing of the posts (the ledger's head, and any leader events since, on every request before:
issue 23); an accusation still counts a post taken a moment ago in another process."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

import pytest

from api.access import Access
from api.auth import Principal
from domain.application import LedgerApplication
from domain.case import Case
from domain.context import command_context
from domain.errors import CaseNotFound
from domain.reference_index import LeaderPostIndex
from domain.values import SYSTEM_ACTOR
from domain.vocabulary import Kind, Role
from projections.reference_data.units import UnitPaths
from tests.factories import registration_fields

REGISTRAR = Principal("reg-other", "登记员", Role.REGISTRAR, "county", None)


class CountingSource:
    """The ledger as the posts index reads it, counting its looks at the head."""

    def __init__(self, ledger: LedgerApplication) -> None:
        self.ledger, self.head_reads = ledger, 0

    def ledger_head(self) -> int:
        self.head_reads += 1
        return self.ledger.ledger_head()

    def events_of(self, event_classes: Sequence[type[Any]], *, start: int, stop: int | None) -> list[Any]:
        return self.ledger.events_of(event_classes, start=start, stop=stop)


def _case(ledger: LedgerApplication, **fields: Any) -> UUID:
    with command_context(actor=SYSTEM_ACTOR):
        case = Case.register(**registration_fields(received_unit="county", **fields))
    ledger.save(case)
    return case.id


def test_a_command_on_a_case_that_is_no_accusation_reads_no_posts(ledger: LedgerApplication) -> None:
    with command_context(actor=SYSTEM_ACTOR):
        ledger.create_unit(code="county", name="县信访局", parent_code=None)
    case_id = _case(ledger)
    source = CountingSource(ledger)
    access = Access.of(REGISTRAR, UnitPaths(ledger), LeaderPostIndex(source))
    access.check_command("notes", ledger.get_case(case_id))
    assert access.may_see(ledger.get_case(case_id))
    assert source.head_reads == 0


def test_an_accusation_counts_a_post_taken_just_now_in_another_process(ledger: LedgerApplication) -> None:
    with command_context(actor=SYSTEM_ACTOR):
        ledger.create_unit(code="county", name="县信访局", parent_code=None)
    case_id = _case(ledger, kind=Kind.ACCUSATION, category="discipline", accused_leader="L-new")
    source = CountingSource(ledger)
    posts = LeaderPostIndex(source)
    paths = UnitPaths(ledger)
    access = Access.of(REGISTRAR, paths, posts)
    access.check_command("notes", ledger.get_case(case_id))  # L-new holds no post yet
    other = LedgerApplication(ledger.store)  # another API process, on the same store
    try:
        with command_context(actor=SYSTEM_ACTOR):
            other.appoint_leader(leader_id="L-new", name="新领导", unit_code="county", post="局长")
    finally:
        other.close()
    reads_before = source.head_reads
    later = Access.of(REGISTRAR, paths, posts)  # the next request
    with pytest.raises(CaseNotFound):
        later.check_command("notes", ledger.get_case(case_id))
    assert source.head_reads > reads_before
