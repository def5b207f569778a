"""The decoded case histories the views keep between batches (projections/case_status/log.py) are the
ledger's: batch after batch, held, evicted, for a reader behind the one that filled them."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from domain.application import LedgerApplication
from domain.case_events import CaseEvent
from projections.case_status.ledger_rows import case_histories
from projections.case_status.log import CaseLog
from projections.case_status.rows import LoggedEvent
from projections.engine.database import Tx, ViewDatabase
from projections.engine.feed import ledger_position
from projections.engine.view import ViewEvent
from tests.factories import assigned_case, perform, registered_case
from tests.views.feed import view_events


def _cases_in_several_saves(ledger: LedgerApplication) -> None:
    """Cases whose events spread over the ledger, interleaved, so batches cut through them."""
    cases = [registered_case() for _ in range(3)] + [assigned_case() for _ in range(2)]
    for case in cases:
        ledger.save(case)
    for text in ("第一次跟进", "第二次跟进"):
        for case in cases:
            ledger.save(perform(case, "add_note", text=text))


def _batches(ledger: LedgerApplication, size: int) -> list[list[ViewEvent]]:
    events = view_events(ledger, 1, ledger_position(ledger))
    return [events[i : i + size] for i in range(0, len(events), size)]


def _touched(batch: list[ViewEvent]) -> list[UUID]:
    return list(dict.fromkeys(e.originator_id for e in batch if isinstance(e.event, CaseEvent)))


def _plain(histories: dict[UUID, list[LoggedEvent]]) -> dict[UUID, list[tuple[Any, ...]]]:
    return {k: [(x.position, x.recorded_at, x.event) for x in v] for k, v in histories.items()}


def _counting_selects(tx: Tx) -> list[str]:
    seen: list[str] = []
    original = tx.execute

    def counting(statement: str, params: Any = ()) -> Tx:
        seen.append(statement)
        return original(statement, params)

    tx.execute = counting  # type: ignore[method-assign]
    return seen


def test_every_batch_gets_each_cases_whole_history_as_the_ledger_holds_it(ledger: LedgerApplication) -> None:
    _cases_in_several_saves(ledger)
    log = CaseLog(ledger)
    reads = 0
    for batch in _batches(ledger, 4):
        touched = _touched(batch)
        with ViewDatabase(ledger.store).transaction() as tx:
            selects = _counting_selects(tx)
            got = log.histories(tx, batch, touched)
            reads += len(selects)
            expected = case_histories(tx, ledger.mapper, touched, batch[-1].position)
        assert _plain(got) == _plain(expected)
    # Fed from the start, the log met every case at its registration and held it since, also
    # through the batches that had no event of it: the ledger was never read.
    assert reads == 0


def test_a_small_log_evicts_and_reads_again_without_losing_an_event(ledger: LedgerApplication) -> None:
    _cases_in_several_saves(ledger)
    log = CaseLog(ledger, max_events=3)
    for batch in _batches(ledger, 3):
        touched = _touched(batch)
        with ViewDatabase(ledger.store).transaction() as tx:
            got = log.histories(tx, batch, touched)
            assert _plain(got) == _plain(case_histories(tx, ledger.mapper, touched, batch[-1].position))


def test_a_reader_behind_the_log_sees_only_the_events_up_to_its_batch(ledger: LedgerApplication) -> None:
    _cases_in_several_saves(ledger)
    log = CaseLog(ledger)
    batches = _batches(ledger, 5)
    for batch in batches:  # the live view: the log now holds every case to the ledger's end
        with ViewDatabase(ledger.store).transaction() as tx:
            log.histories(tx, batch, _touched(batch))
    for batch in batches:  # a rebuild from position 0, sharing the log
        touched = _touched(batch)
        with ViewDatabase(ledger.store).transaction() as tx:
            got = log.histories(tx, batch, touched)
            expected = case_histories(tx, ledger.mapper, touched, batch[-1].position)
        assert _plain(got) == _plain(expected)
        assert all(x.position <= batch[-1].position for events in got.values() for x in events)


def test_a_reader_ahead_of_the_log_reads_what_the_log_has_not_seen(ledger: LedgerApplication) -> None:
    _cases_in_several_saves(ledger)
    log = CaseLog(ledger)
    first, *_, last = _batches(ledger, 4)
    with ViewDatabase(ledger.store).transaction() as tx:  # a rebuild, early in the ledger
        log.histories(tx, first, _touched(first))
    touched = _touched(last)  # the live view, far ahead: the events in between are not held
    with ViewDatabase(ledger.store).transaction() as tx:
        got = log.histories(tx, last, touched)
        assert _plain(got) == _plain(case_histories(tx, ledger.mapper, touched, last[-1].position))
