"""The views derive a case event by event, not from the whole prefix each time: over random
valid histories (corrections, reopenings, reviews included) the incremental answers equal the
whole-prefix ones after every event."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from domain.case_events import CaseEvent
from domain.clocks import DeadlineTracker, open_deadlines
from projections.case_status.history import Replayed
from tests.property.test_case_properties import MAX_STEPS, SETTINGS, Driver, replay, state_of

# Set by `mutate` only: the chain head is verify's business, not a view's; the modified time is
# the library's trigger time, which no view row shows.
LEDGER_ONLY = frozenset({"chain_head", "_modified_on"})


def history(data: st.DataObject) -> list[CaseEvent]:
    driver = Driver(data)
    for _ in range(data.draw(st.integers(1, MAX_STEPS), label="steps")):
        driver.step()
    events = driver.events + driver.case.collect_events()
    assert all(isinstance(e, CaseEvent) for e in events)
    return [e for e in events if isinstance(e, CaseEvent)]


def view_state(case: Any) -> dict[str, Any]:
    return {k: v for k, v in state_of(case).items() if k not in LEDGER_ONLY}


@SETTINGS
@given(data=st.data())
def test_tracked_deadlines_equal_open_deadlines_of_every_prefix(data: st.DataObject) -> None:
    events = history(data)
    tracker = DeadlineTracker()
    for n, event in enumerate(events, start=1):
        if data.draw(st.integers(0, 4), label="skip") == 0:
            tracker.skip(event)  # the next add must still see this event
            continue
        assert tracker.add(event) == open_deadlines(events[:n]), n


@SETTINGS
@given(data=st.data())
def test_a_replayed_case_advanced_event_by_event_equals_the_ledgers_replay(data: st.DataObject) -> None:
    events = history(data)
    replayed = Replayed()
    for n, event in enumerate(events, start=1):
        wanted = data.draw(st.booleans(), label="row wanted")
        replayed.add(event) if wanted else replayed.skip(event)
        prefix = events[:n]
        assert replayed.events == prefix
        assert view_state(replayed.case) == view_state(replay(list(prefix))), n
        if wanted:
            assert replayed.deadlines == open_deadlines(prefix), n
