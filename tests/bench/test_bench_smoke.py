"""The benchmark suite runs end to end at a tiny size and reports every scenario (not timings:
speed is measured by `python -m bench`, never asserted in a test)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.run import SCENARIOS, main
from tests.support.postgres import admin_url, require_postgres

pytestmark = pytest.mark.postgres


def test_bench_runs_every_scenario_at_a_tiny_size(tmp_path: Path) -> None:
    require_postgres()
    results = tmp_path / "RESULTS.md"
    assert main(size="40,60", postgres_url=admin_url(), results=str(results), seconds=0.5) == 0
    text = results.read_text(encoding="utf-8")
    table = text.split("## ", 1)[1].split("\n### ", 1)[0]
    rows = {line.split(" | ")[0].lstrip("| ") for line in table.splitlines() if line.startswith("| ")}
    assert set(SCENARIOS) <= rows
    # With two sizes the growth rows are measured, not left out.
    growth = [line for line in table.splitlines() if line.startswith("| growth:")]
    assert len(growth) == 3 and not any("not measured" in line for line in growth)
    assert "Command: `python -m bench" in text
