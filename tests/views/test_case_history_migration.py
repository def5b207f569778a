"""Migration 0036 changes the case status view's tables and replays the view: it must empty
every table the view writes (two earlier replays missed some, and the replayed view then stopped
on duplicate keys), on both stores."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from projections.case_status.rows import CONSTANT_COLUMNS
from projections.case_status.view import CaseStatusView

MIGRATIONS = Path(__file__).parents[2] / "migrations"


def _sql(dialect: str) -> str:
    (path,) = (MIGRATIONS / dialect).glob("0036_*.sql")
    return "\n".join(line.split("--")[0] for line in path.read_text().splitlines())


@pytest.mark.parametrize("dialect", ["postgres", "sqlite"])
def test_0036_empties_every_table_of_the_view_it_replays(dialect: str) -> None:
    sql = _sql(dialect)
    emptied = set(re.findall(r"DELETE FROM (?:\{schema\}\.)?(\w+)", sql))
    for truncate in re.findall(r"TRUNCATE ([^;]+);", sql):
        emptied |= {name.split(".")[-1].strip() for name in truncate.split(",")}
    assert set(CaseStatusView.tables) <= emptied, set(CaseStatusView.tables) - emptied
    assert re.search(r"SET position = 0\b.*WHERE view = 'case_status'", sql)


@pytest.mark.parametrize("dialect", ["postgres", "sqlite"])
def test_0036_drops_exactly_the_constant_columns_from_the_history(dialect: str) -> None:
    dropped = re.findall(r"DROP COLUMN (?:IF EXISTS )?(\w+)", _sql(dialect))
    assert sorted(dropped) == sorted(CONSTANT_COLUMNS)
