"""What each key figure counts, once: the date that puts a case (or a visit) in a period, and
the conditions counted beside it (SQL over the `f` alias of figures_cases, `v` of figures_visits).

Both the scans of projections/figures/query.py and the pre-aggregated cells of
projections/figures/cells.py count with these, so the two cannot drift apart.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Figure:
    numerator: int
    denominator: int
    pending: int | None = None  # settled_rate only: cases whose 90 days still run (R11)

    @property
    def value(self) -> float | None:
        return None if self.denominator == 0 else self.numerator / self.denominator

    def as_dict(self) -> dict[str, Any]:
        found = {"value": self.value, "numerator": self.numerator, "denominator": self.denominator}
        return found if self.pending is None else {**found, "pending": self.pending}


# R11: a closure over an unsatisfied petitioner is neither 化解 nor 案结事了.
NOT_UNSATISFIED = "(f.last_satisfaction IS NULL OR f.last_satisfaction <> 'unsatisfied')"
RESOLVED = f"f.closure_type IN ('resolved', 'mediated') AND {NOT_UNSATISFIED}"
# Settled so far: nothing has unsettled it yet. Whether its 90 days have passed depends on the day
# asked, which a row or cell cannot hold: projections/figures/sql.py counts those still pending.
SETTLED = (
    "f.closed_on IS NOT NULL AND f.review_requested = 0 AND f.reopened = 0 "
    f"AND (f.first_repeat_on IS NULL OR f.first_repeat_on > f.settle_by) AND {NOT_UNSATISFIED}"
)


@dataclass(frozen=True)
class Measure:
    kind: str  # the cells' `kind`
    column: str  # the date that puts a row in a period
    sums: tuple[str, ...]  # conditions counted beside COUNT(*), at most three
    source: str  # FROM clause ("{cases}" / "{visits}": the view's tables)


CASES = "FROM {cases} f"
VISITS = "FROM {visits} v JOIN {cases} f ON f.case_id = v.case_id"
MEASURES = (
    Measure("accepted", "f.accepted_on", ("f.closed_on IS NOT NULL",), CASES),
    Measure("closed", "f.closed_on", ("f.on_time = 1",), CASES),
    Measure(
        "registered",
        "f.registered_on",
        (RESOLVED, SETTLED, "f.repeat_count > 0"),
        CASES,
    ),
    Measure("visited", "v.visited_on", ("v.satisfaction IN ('satisfied', 'basically_satisfied')",), VISITS),
    # 初信初访 (issue 21): first petitions registered in the period, and of those resolved (化解)
    # as resolution_rate counts it. The date is NULL on other cases, which puts them in no period.
    Measure("first_registered", "CASE WHEN f.first_petition = 1 THEN f.registered_on END", (RESOLVED,), CASES),
    # 落实 (issue 21): support answers by their delivery day, and those carried out
    Measure("supported", "f.supported_on", ("f.implemented = 1",), CASES),
)
NO_COUNTS = (0, 0, 0, 0)


def figures_of(counts: Mapping[str, Sequence[int]], pending: int = 0) -> dict[str, Figure]:
    """The figures from each measure's [COUNT(*), *sums] (a missing measure counts 0) and the
    cases among the settled-so-far whose 90 days still run (`pending`, counted apart)."""
    a, c, r, v, first, s = (counts.get(m.kind, NO_COUNTS) for m in MEASURES)
    return {
        "closure_rate": Figure(a[1], a[0]),
        "on_time_closure_rate": Figure(c[1], c[0]),
        "satisfaction_rate": Figure(v[1], v[0]),
        "resolution_rate": Figure(r[1], r[0]),
        "settled_rate": Figure(r[2] - pending, r[0], pending),
        "repeat_rate": Figure(r[3], r[0]),
        "first_contact_resolution_rate": Figure(first[1], first[0]),
        "implementation_rate": Figure(s[1], s[0]),
    }
