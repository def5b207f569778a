"""The views the service keeps, in one list (wiring reads it; rebuild and drift checks too)."""

from __future__ import annotations

from projections.accountability import AccountabilityView
from projections.case_status import CaseStatusView
from projections.figures_cells import FiguresWithCells
from projections.satisfaction import SatisfactionView
from projections.view import View

# The figures view keeps its pre-aggregated cells too (projections/figures_cells.py).
# Leader caseload is answered from the case status view's tables (projections/caseload.py).
VIEW_CLASSES: list[type[View]] = [CaseStatusView, SatisfactionView, AccountabilityView, FiguresWithCells]
