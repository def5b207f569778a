"""The chart's months come from grouped queries (one per date column) when there is no unit or
leader filter: each month must equal key_figures asked for that month alone, on both stores."""

from __future__ import annotations

from datetime import date
from uuid import UUID

import pytest

from domain.application import LedgerApplication
from projections.engine.database import ViewDatabase
from projections.figures.query import Filters, figures_report, key_figures, month_spans
from tests.views.test_figures import TODAY, d, scripted

__all__ = ["scripted"]


@pytest.mark.parametrize(
    ("start", "end", "category"),
    [
        (d("01-15"), d("06-20"), None),  # clipped first and last months
        (None, d("12-31"), None),  # from the first registration on
        (d("01-01"), d("12-31"), "land"),  # a category filter
    ],
)
def test_each_month_equals_the_figures_of_that_month_alone(
    scripted: tuple[LedgerApplication, dict[str, UUID]], start: date | None, end: date, category: str | None
) -> None:
    ledger, _ = scripted
    with ViewDatabase(ledger.store).transaction(write=False) as tx:
        report = figures_report(tx, Filters(start, end, category=category), ("1=1", ()), today=TODAY)
        months = report["by_month"]
        first_day = date.fromisoformat(months[0]["from"])
        assert [(m["from"], m["to"]) for m in months] == [
            (a.isoformat(), b.isoformat()) for a, b in month_spans(first_day, end)
        ]
        nonzero = 0
        for month in months:
            alone = key_figures(
                tx,
                Filters(date.fromisoformat(month["from"]), date.fromisoformat(month["to"]), category=category),
                ("1=1", ()),
                today=TODAY,
            )
            assert month["figures"] == {name: fig.as_dict() for name, fig in alone.items()}, month["month"]
            nonzero += sum(fig.denominator for fig in alone.values())
    assert nonzero > 0  # the script has cases in these months: the comparison is not all zeros
