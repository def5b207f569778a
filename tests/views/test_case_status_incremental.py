"""The case status view writes only the history rows a batch changes: after any sequence of
small batches (late entries and corrections included) its rows equal the whole history derived
from scratch, column for column, on both timelines."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from domain.application import LedgerApplication
from projections.case_status.history import OCCURRED, RECORDED, occurred_states, recorded_states
from projections.case_status.history_rows import HISTORY_COLUMNS
from projections.case_status.ledger_rows import case_histories
from projections.case_status.rows import COLUMNS
from projections.case_status.view import HISTORY, STATUS, CaseStatusView, db_values
from projections.engine.database import ViewDatabase
from projections.engine.feed import ledger_position
from tests.views.test_case_status_oracle import STEPS, play_history


def _stored(ledger: LedgerApplication, case_id: Any) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    with ViewDatabase(ledger.store).transaction() as tx:
        names = ", ".join(HISTORY_COLUMNS)
        tx.execute(f"SELECT {names} FROM {tx.table(HISTORY)} WHERE case_id = ?", (str(case_id),))
        history = tx.fetchall()
        tx.execute(f"SELECT {', '.join(COLUMNS)} FROM {tx.table(STATUS)} WHERE case_id = ?", (str(case_id),))
        current = tx.fetchall()
    return sorted(history, key=lambda r: (r[0], r[1])), current


def _from_scratch(
    ledger: LedgerApplication, view: CaseStatusView, case_id: Any
) -> tuple[list[Any], list[Any]]:
    with ViewDatabase(ledger.store).transaction() as tx:
        pg = tx.postgres
        logged = case_histories(tx, ledger.mapper, [case_id], ledger_position(ledger))[case_id]
    recorded = recorded_states(logged, view.paths)
    now = recorded[-1][2]
    history = view._history(pg, RECORDED, recorded, now) + view._history(
        pg, OCCURRED, occurred_states(logged, view.paths), now
    )
    rows = sorted((tuple(r) for r in history), key=lambda r: (r[0], r[1]))
    return rows, [tuple(db_values(pg, recorded[-1][2]))]


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    steps=st.lists(
        st.tuples(st.sampled_from(STEPS), st.integers(1, 72), st.booleans()), min_size=1, max_size=8
    ),
    batch_size=st.integers(1, 3),
)
def test_small_batches_leave_the_rows_a_whole_derivation_gives(
    ledger: LedgerApplication, steps: list[tuple[str, int, bool]], batch_size: int
) -> None:
    view = CaseStatusView(ledger)
    case = play_history(ledger, view, steps, batch_size)
    history, current = _stored(ledger, case.id)
    expected_history, expected_current = _from_scratch(ledger, view, case.id)
    assert history == expected_history
    assert current == expected_current
