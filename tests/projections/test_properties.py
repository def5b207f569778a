"""Property: for random histories, batch sizes and interruptions, the incrementally maintained view
equals a rebuild from position 0 (and the oracle counted straight from the ledger)."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from domain.application import LedgerApplication
from projections.engine.database import ViewDatabase
from projections.engine.rebuild import check_view
from projections.engine.runner import ViewRunner
from tests.projections.views import STATUSES, CountingView, expected_counts, table_rows, write_cases


class Interrupted(RuntimeError):
    pass


def interrupting(point: str, batch: int):  # type: ignore[no-untyped-def]
    def fault(at: str, view: str, number: int) -> None:
        if at == point and number == batch:
            raise Interrupted

    return fault


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    rounds=st.lists(
        st.tuples(
            st.lists(st.sampled_from(STATUSES), min_size=0, max_size=4),  # cases written this round
            st.integers(1, 13),  # batch size
            st.sampled_from(["applied", "positioned", "committed", "none"]),  # interruption point
            st.integers(1, 4),  # at which batch
            st.one_of(st.none(), st.integers(0, 40)),  # catch up only this far past the start
        ),
        min_size=1,
        max_size=4,
    )
)
def test_incremental_view_equals_a_rebuild(
    ledger: LedgerApplication, db: ViewDatabase, rounds: list[tuple[list[object], int, str, int, int | None]]
) -> None:
    for statuses, batch_size, point, batch, until_offset in rounds:
        start = write_cases(ledger, len(statuses), statuses)  # type: ignore[arg-type]
        fault = None if point == "none" else interrupting(point, batch)
        runner = ViewRunner(ledger, db, [CountingView(ledger)], batch_size=batch_size, fault=fault)
        try:
            runner.catch_up(until=None if until_offset is None else start + until_offset)
        except Interrupted:
            pass
        finally:
            runner.close()
        assert not check_view(ledger, db, CountingView(ledger)).drifted
    finisher = ViewRunner(ledger, db, [CountingView(ledger)], batch_size=7)
    finisher.catch_up()
    finisher.close()
    assert table_rows(db, "tv_counts") == expected_counts(ledger)
    assert not check_view(ledger, db, CountingView(ledger)).drifted
