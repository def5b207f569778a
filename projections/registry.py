"""The views the service keeps, in one list (wiring reads it; rebuild and drift checks too)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import cast

from domain.application import LedgerApplication
from projections.accountability.view import AccountabilityView
from projections.case_status.view import CaseStatusView
from projections.engine.view import View
from projections.figures.cells import FiguresWithCells
from projections.recommendations.view import RecommendationsView
from projections.reference_data.view import ReferenceDataView
from projections.satisfaction.view import SatisfactionView

# The figures view keeps its pre-aggregated cells too (projections/figures/cells.py).
# Leader caseload is answered from the case status view's tables (projections/case_status/caseload.py).
VIEW_CLASSES: list[type[View]] = [
    CaseStatusView, SatisfactionView, AccountabilityView, FiguresWithCells, ReferenceDataView,
    RecommendationsView,
]  # fmt: skip


def classes_named(names: Sequence[str]) -> list[type[View]]:
    """The registered view classes of these names, in the order given (LookupError names the unknown)."""
    known = {cls.name: cls for cls in VIEW_CLASSES}
    unknown = [n for n in names if n not in known]
    if unknown:
        raise LookupError(f"unknown view(s): {', '.join(unknown)} (known: {', '.join(known) or 'none'})")
    return [known[n] for n in names]


def instantiate(ledger: LedgerApplication, classes: Sequence[type[View]]) -> list[View]:
    """One instance of each view class over `ledger`."""
    # The View protocol cannot declare its constructor; every view is built as ViewClass(ledger).
    factories = [cast(Callable[[LedgerApplication], View], cls) for cls in classes]
    return [make(ledger) for make in factories]
