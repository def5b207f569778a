"""Every leader's caseload as of a past time can be answered from the interval index alone
(PostgreSQL, migration 0009): the index carries every column the statement reads, so adding a
column to the caseload without adding it to the index fails here, not silently in production."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest

from domain.store import parse_database_url
from projections.case_history import OCCURRED, RECORDED
from projections.case_queries import At
from projections.caseload import Period, caseloads
from projections.database import Tx, ViewDatabase


class PlanRecorder(Tx):
    """Runs each statement, and keeps the plan PostgreSQL makes for it."""

    plans: list[str]

    def execute(self, statement: str, params: Any = ()) -> Tx:
        self._cursor.execute("EXPLAIN " + self._sql(statement), params)
        self.plans.append("\n".join(r[0] for r in self._cursor.fetchall()))
        return super().execute(statement, params)


@pytest.mark.parametrize("store_url", [pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True)
@pytest.mark.parametrize("timeline", [OCCURRED, RECORDED])
def test_the_as_of_caseload_is_an_index_only_scan(store_url: str, timeline: str) -> None:
    db = ViewDatabase(parse_database_url(store_url))
    with db.transaction(write=False) as plain:
        # An empty table would be read whole, or through the B-trees in leader order: leave the
        # planner the interval index only (in this transaction; the schema is this test's).
        plain.execute("SET LOCAL enable_seqscan = off").execute("SET LOCAL enable_bitmapscan = off")
        for index in ("case_history_at", "case_history_leader_at", "case_history_until"):
            plain.execute(f"DROP INDEX {index}")
        tx = PlanRecorder(plain._cursor, postgres=True)
        tx.plans = []
        scope = "((received_path LIKE ? ESCAPE '\\') OR (unit_path LIKE ? ESCAPE '\\'))"
        caseloads(tx, At(timeline, datetime(2026, 5, 5, tzinfo=UTC)), scope, ["/c/%", "/c/%"],
                  today=date(2026, 5, 5), period=Period(date(2026, 1, 1), None), limit=100, after=None)  # fmt: skip
    assert len(tx.plans) == 1
    assert f"Index Only Scan using case_history_{timeline}_span_covering" in tx.plans[0], tx.plans[0]
