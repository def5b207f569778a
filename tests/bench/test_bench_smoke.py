"""The benchmark suite runs end to end at a tiny size and reports every scenario (not timings:
speed is measured by `python -m bench`, never asserted in a test)."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import psycopg
import pytest

from bench.generator import generate
from bench.run import SCENARIOS, main
from bench.scratch import scratch_database
from domain.application import LedgerApplication
from domain.store import parse_database_url
from migrations.runner import migrate
from tests.support.postgres import admin_url, require_postgres

pytestmark = pytest.mark.postgres


# Two sizes, each generated, rebuilt, verified and served under load for every phase: minutes,
# not seconds, on a shared machine; the default per-test limit is for tests that wait on nothing.
@pytest.mark.timeout(900)
def test_bench_runs_every_scenario_at_a_tiny_size(tmp_path: Path) -> None:
    require_postgres()
    results = tmp_path / "RESULTS.md"
    assert main(size="40,60", postgres_url=admin_url(), results=str(results), seconds=0.5) == 0
    text = results.read_text(encoding="utf-8")
    table = text.split("## ", 1)[1].split("\n### ", 1)[0]
    rows = {line.split(" | ")[0].lstrip("| ") for line in table.splitlines() if line.startswith("| ")}
    # a row may name its variant in brackets: "write path against the CRUD peer (fresh ledger)"
    missing = [s for s in SCENARIOS if not any(r == s or r.startswith(f"{s} (") for r in rows)]
    assert not missing, (missing, rows)
    # With two sizes the growth rows are measured, not left out.
    growth = [line for line in table.splitlines() if line.startswith("| growth:")]
    assert len(growth) == 3 and not any("not measured" in line for line in growth)
    assert "Command: `python -m bench" in text
    # Pages answered after a login through the form, with two API processes (#19).
    sessions = next(line for line in table.splitlines() if line.startswith("| page loads after login |"))
    assert sessions.rstrip(" |").endswith("yes"), sessions
    for page in ("case list page", "timeline page", "units list", "leaders list", "receptions (a month)",
                 "escalation list", "recommendations"):  # fmt: skip
        measured = next(line for line in table.splitlines() if line.startswith(f"| query p99: {page} |"))
        assert "nan" not in measured, measured  # some request of the kind answered


def test_bench_runs_on_a_copy_of_a_generated_ledger_and_leaves_it_as_it_was(tmp_path: Path) -> None:
    require_postgres()
    with scratch_database(admin_url(), prefix="xinfang_template") as url:
        store = parse_database_url(url)
        migrate(store.plain_url, schema=store.migration_schema)
        ledger = LedgerApplication(store)
        made = generate(ledger, 30, seed=3)
        ledger.close()
        results = tmp_path / "RESULTS.md"

        assert main(ledgers=urlsplit(url).path.lstrip("/"), results=str(results), seconds=0.5) == 0

        text = results.read_text(encoding="utf-8")
        assert f"## xinfang bench: 30 cases, {made.events} events (PostgreSQL)" in text
        assert "| view rebuild: events/s |" in text
        with psycopg.connect(url) as conn:  # the template: no view built, nothing written
            assert conn.execute("SELECT max(notification_id) FROM xinfang_events").fetchone() == (made.head,)
            assert conn.execute("SELECT count(*) FROM view_positions WHERE position > 0").fetchone() == (0,)
