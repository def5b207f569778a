"""The demo data looks like an office's month: it follows today's rules, so what a newcomer sees
after `./dev run` is not an artefact of the demo (every case overdue, steps refused)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from api.demo import load_demo
from domain.application import LedgerApplication
from domain.case_events import Registered
from domain.clocks import compute_clocks
from domain.context import command_context
from domain.values import SYSTEM_ACTOR
from domain.vocabulary import Status

pytestmark = pytest.mark.parametrize("store_url", ["sqlite"], indirect=True)


def test_the_demo_owes_no_written_notice_and_no_step_is_refused(
    ledger: LedgerApplication, capsys: pytest.CaptureFixture[str]
) -> None:
    load_demo(ledger, cases=40)
    assert "refused" not in capsys.readouterr().out  # the demo prints each step a rule refuses
    registered = ledger.events_of([Registered], start=1, stop=None)
    cases = [ledger.get_case(e.originator_id) for e in registered]
    screened = [c for c in cases if c.status is not Status.REGISTERED]
    assert screened, "the demo has screened cases"
    now = datetime.now(UTC)
    with command_context(actor=SYSTEM_ACTOR):
        for case in screened:
            # R5: an acceptance whose notice is still owed keeps the screening clock running
            assert not case.notice_pending, case.id
            clocks = compute_clocks(ledger.case_events(case.id), at=now)
            assert all(c.name != "screening" or c.state != "overdue" for c in clocks), case.id

