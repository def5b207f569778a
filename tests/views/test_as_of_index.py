"""Every leader's caseload over a period as of a past time finds the states in force then through
the timeline's interval index (PostgreSQL, migrations 0007 and 0012), not by reading every
state: the expression and the timeline constant must stay those of the index. (As of an
instant over all time it is read from the caseload rollup: tests/views/test_caseload_rollup.py.)"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest

from domain.store import parse_database_url
from projections.case_status.caseload import Period, caseloads
from projections.case_status.history import OCCURRED, RECORDED
from projections.case_status.queries import At
from projections.engine.database import Tx, ViewDatabase


class PlanRecorder(Tx):
    """Runs each statement, and keeps the plan PostgreSQL makes for it."""

    plans: list[str]

    def execute(self, statement: str, params: Any = ()) -> Tx:
        self._cursor.execute("EXPLAIN " + self._sql(statement), params)
        self.plans.append("\n".join(r[0] for r in self._cursor.fetchall()))
        return super().execute(statement, params)


@pytest.mark.parametrize("store_url", [pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True)
@pytest.mark.parametrize("timeline", [OCCURRED, RECORDED])
def test_the_as_of_caseload_over_a_period_scans_the_interval_index(store_url: str, timeline: str) -> None:
    db = ViewDatabase(parse_database_url(store_url))
    with db.transaction(write=False) as plain:
        # An empty table would be read whole, or through the B-trees in leader order: leave the
        # planner the interval index only (in this transaction; the schema is this test's).
        plain.execute("SET LOCAL enable_seqscan = off").execute("SET LOCAL enable_bitmapscan = off")
        for index in ("case_history_leader_at",):  # (0013 dropped the other B-trees on the interval)
            plain.execute(f"DROP INDEX {index}")
        tx = PlanRecorder(plain._cursor, postgres=True)
        tx.plans = []
        scope = "((received_path LIKE ? ESCAPE '\\') OR (unit_path LIKE ? ESCAPE '\\'))"
        caseloads(tx, At(timeline, datetime(2026, 5, 5, tzinfo=UTC)), scope, ["/c/%", "/c/%"],
                  today=date(2026, 5, 5), period=Period(date(2026, 1, 1), None), limit=100, after=None)  # fmt: skip
    assert len(tx.plans) == 1
    assert f"Index Scan using case_history_{timeline}_span " in tx.plans[0], tx.plans[0]
