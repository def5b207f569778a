"""Key figures (DOMAIN.md): the facts each published rate needs, one row per case.

Tables: `figures_cases` (one row of facts per case, with the reader-scope columns of
api/access.py), `figures_holdings` (which unit and leader held the case, and when),
`figures_visits` (every return visit) and `figures_repeats` (a later case linked as a repeat
of an earlier one). Each batch re-derives every case it touches from all that case's events up
to the batch's last position (projections/case_status/ledger_rows.py: one read per 500 cases), then rewrites those cases' rows
with set-based statements. A `RepeatLinked` on a later case updates the earlier case's
`repeat_count` and `first_repeat_on`.

The figures (projections/figures/query.py computes them), for a period [from, to] of
China-local days, either end open. Which date puts a case (or a visit) in the period:

| figure | denominator | numerator (a subset of the denominator) |
|---|---|---|
| closure_rate 办结率 | cases accepted in the period | of those, closed now |
| on_time_closure_rate 按期办结率 | cases whose final closure is in the period | of those, whose handling clock (domain/clocks.py) said `met`: the answer of the period that was closed came by its due date (60 days + extension) |
| satisfaction_rate 满意率 | return visits made in the period | of those, satisfied or basically satisfied |
| resolution_rate 化解率 | cases registered in the period ("cases in scope") | of those, closed now as resolved or mediated, the latest return visit not unsatisfied |
| settled_rate 案结事了率 | cases registered in the period | of those, closed now, the latest return visit not unsatisfied, no review or re-review request and no reopening ever, no repeat petition registered on or before the closure day + 90, and that day before the day asked (`today`); `pending`: those otherwise settled whose 90 days still run |
| repeat_rate 重复信访率 | cases registered in the period | of those, with at least one later case linked to it as a repeat |
| first_contact_resolution_rate 初信初访化解率 | first petitions registered in the period: no case of any of the same petitioners' id numbers was registered before in the ledger (`figures_petitions`, its own identity index `figures_identities`) | of those, resolved as resolution_rate counts it; nothing pending |
| implementation_rate 落实率 | cases whose answer in force supports the request (`support`), by the day it was delivered | of those, whose carrying out (落实) is recorded |

Why (DOMAIN.md R11, 2026-12-07): a case answered on day 59 and closed on day 62 met the
statutory deadline (art. 34 counts to the answer) and its clock said so; a closure over an
unsatisfied petitioner is not 化解; and 案结事了 can only be known once the 90 days have passed,
so a recent closure is reported as pending rather than counted as settled. The 90 days are
judged against the day the figures are asked for, so that count is the one a view row cannot
hold: projections/figures/sql.py counts pending cases at query time (few: closed in the last 90
days) and settled = the cases clean so far less those pending.

落实率 (issue 21, in the style of R11): 第三十三条 asks that a supported request be carried out;
the figure counts an answer `support` once, by its delivery day, and counts it carried out once
the holding unit records it, on time or late (lateness is the implementation clock's, on the
overdue list). An obligation still inside its period counts as not yet carried out: the figure
says how much of what was promised is done, not whether it is late. A reopening takes the old
answer out of force (as the clock does), so only the answer in force counts.

"Closed now": the case has a closure not followed by a reopening (a reopened-then-closed case
counts once, by its final closure; a reopened case not yet closed again is not closed; a
termination or archiving after the closure leaves it closed). Corrected values count
(category, dates, closure type, satisfaction). Outcomes are as the ledger stands now, so a
case closed after the period still counts as closed for the period it was accepted in.

Filters: `category` (corrected) and `campaign` (any backlog campaign of the case) select cases.
`unit` (a unit subtree) and `leader` select the cases that unit subtree / leader held: for the
figures dated by an event, on that day (a closure for on_time_closure_rate, a return visit for
satisfaction_rate, as GET /satisfaction attributes visits); for the others, at some time in the
period. A holding runs from the day of the (re)assignment up to, not including, the day of the
next one, and does not end at closure; before its first assignment a case is held by the unit
that received it (no leader). So a reassigned case counts for the leader holding it in the
period asked, and for both leaders in a period spanning the handover.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any, ClassVar
from uuid import UUID

from domain.application import LedgerApplication
from domain.case_events import CaseEvent, Registered
from domain.identity import identity_hashes
from projections.case_status.identities import first_petitions
from projections.case_status.log import case_log
from projections.engine.database import Tx
from projections.engine.sqltypes import db_date
from projections.engine.view import ViewEvent
from projections.figures.facts import CaseFacts, derive
from projections.reference_data.units import UnitPaths

CAMPAIGN_MARK = "\x1f"  # frames each campaign in figures_cases.campaigns
# figures_cases as `_case_row` gives it (repeat_count and first_repeat_on start at 0 and NULL).
CASE_COLUMNS = (
    "case_id", "registered_on", "accepted_on", "closed_on", "closure_type", "handling_due_on",
    "on_time", "settle_by", "category", "campaigns", "review_requested", "reopened", "repeat_count",
    "first_repeat_on", "received_path", "unit_path", "leader_id", "kind", "accused_path",
    "accused_leader", "last_satisfaction", "supported_on", "implemented",
    "first_petition",  # appended to each `_case_row` (from figures_petitions)
)  # fmt: skip


def day_param(tx: Tx, day: date | None) -> Any:
    """A day as each store keeps it (PostgreSQL `date`, SQLite ISO text)."""
    return db_date(tx.postgres, day)


def id_param(tx: Tx, case_id: UUID) -> Any:
    return case_id if tx.postgres else str(case_id)


def campaigns_text(campaigns: Iterable[str]) -> str:
    return "".join(f"{CAMPAIGN_MARK}{c}{CAMPAIGN_MARK}" for c in campaigns)


class FiguresView:
    name: ClassVar[str] = "figures"
    tables: ClassVar[tuple[str, ...]] = (
        "figures_cases",
        "figures_holdings",
        "figures_visits",
        "figures_repeats",
        "figures_identities",
        "figures_petitions",
    )

    def __init__(self, ledger: LedgerApplication) -> None:
        self.ledger = ledger
        self.paths = UnitPaths(ledger)
        self.log = case_log(ledger)

    def apply(self, tx: Tx, batch: list[ViewEvent]) -> None:
        touched = list(dict.fromkeys(e.originator_id for e in batch if isinstance(e.event, CaseEvent)))
        if not touched:
            return
        self._index_petitions(tx, batch)
        histories = self.log.histories(tx, batch, touched)
        facts = [
            f
            for case_id in touched
            if (f := derive(case_id, [logged.event for logged in histories.get(case_id, [])])) is not None
        ]
        self._write(tx, touched, facts)

    @staticmethod
    def _index_petitions(tx: Tx, batch: list[ViewEvent]) -> None:
        """初信初访 (issue 21): which of the batch's registrations are first petitions, by this
        view's own identity index (the same rule as projections/case_status/identities.py)."""
        registrations = [(id_param(tx, e.originator_id), identity_hashes(e.event.petitioners))
                         for e in batch if isinstance(e.event, Registered)]  # fmt: skip
        if not registrations:
            return
        first = set(first_petitions(tx, "figures_identities", registrations))
        tx.executemany(
            f"INSERT INTO {tx.table('figures_identities')} (id_hash, case_id) VALUES (?, ?) "
            "ON CONFLICT (id_hash, case_id) DO NOTHING",
            [(h, case_id) for case_id, hashes in registrations for h in hashes],
        )
        tx.executemany(
            f"INSERT INTO {tx.table('figures_petitions')} (case_id, first_petition) VALUES (?, ?) "
            "ON CONFLICT (case_id) DO NOTHING",
            [(case_id, int(case_id in first)) for case_id, _ in registrations],
        )

    # ---- writing ------------------------------------------------------------------------

    def _write(self, tx: Tx, touched: Sequence[UUID], facts: Sequence[CaseFacts]) -> None:
        cases, holdings = tx.table("figures_cases"), tx.table("figures_holdings")
        visits, repeats = tx.table("figures_visits"), tx.table("figures_repeats")
        ids = [id_param(tx, c) for c in touched]
        for table, column in (
            (cases, "case_id"),
            (holdings, "case_id"),
            (visits, "case_id"),
            (repeats, "later_case_id"),
        ):
            tx.delete_keys(table, column, "uuid", ids)
        first = self._first_petitions(tx, touched)
        tx.insert_rows(cases, CASE_COLUMNS, [(*self._case_row(tx, f), int(f.case_id in first)) for f in facts])
        tx.insert_rows(
            holdings, ("case_id", "seq", "unit_path", "leader_id", "held_from", "held_until"),
            [
                (id_param(tx, f.case_id), i, self.paths.path(h.unit_code), h.leader_id,
                 day_param(tx, h.held_from), day_param(tx, h.held_until))
                for f in facts for i, h in enumerate(f.holdings)
            ],
        )  # fmt: skip
        tx.insert_rows(
            visits, ("case_id", "seq", "visited_on", "satisfaction"),
            [
                (id_param(tx, f.case_id), i, day_param(tx, v.visited_on), v.satisfaction)
                for f in facts for i, v in enumerate(f.visits)
            ],
        )  # fmt: skip
        tx.insert_rows(
            repeats, ("later_case_id", "earlier_case_id", "repeat_on"),
            [
                (id_param(tx, f.case_id), id_param(tx, earlier), day_param(tx, f.registered_on))
                for f in facts for earlier in f.repeat_of
            ],
        )  # fmt: skip
        # Links only ever grow, so the earlier cases to update are those the touched ones name.
        linked = [
            id_param(tx, c) for c in dict.fromkeys([*touched, *(e for f in facts for e in f.repeat_of)])
        ]
        recount = (
            f"UPDATE {cases} SET "
            f"repeat_count = (SELECT COUNT(*) FROM {repeats} r WHERE r.earlier_case_id = {cases}.case_id), "
            f"first_repeat_on = (SELECT MIN(r.repeat_on) FROM {repeats} r "
            f"WHERE r.earlier_case_id = {cases}.case_id)"
        )
        tx.execute_for_keys(recount, "case_id", "uuid", linked)

    @staticmethod
    def _first_petitions(tx: Tx, touched: Sequence[UUID]) -> set[UUID]:
        found: set[UUID] = set()
        for start in range(0, len(touched), 500):
            chunk = touched[start : start + 500]
            tx.execute(
                f"SELECT case_id FROM {tx.table('figures_petitions')} WHERE first_petition = 1 "
                f"AND case_id IN ({', '.join('?' * len(chunk))})",
                [id_param(tx, c) for c in chunk],
            )
            found.update(UUID(str(r[0])) for r in tx.fetchall())
        return found

    def _case_row(self, tx: Tx, f: CaseFacts) -> tuple[Any, ...]:
        return (
            id_param(tx, f.case_id),
            day_param(tx, f.registered_on),
            day_param(tx, f.accepted_on),
            day_param(tx, f.closed_on),
            f.closure_type,
            day_param(tx, f.handling_due_on),
            None if f.on_time is None else int(f.on_time),
            day_param(tx, f.settle_by),
            f.category,
            campaigns_text(f.campaigns),
            int(f.review_requested),
            f.reopened,
            0,
            None,
            self.paths.path(f.received_unit),
            self.paths.path(f.unit_code),
            f.leader_id,
            f.kind,
            self.paths.path(f.accused_unit),
            f.accused_leader,
            f.last_satisfaction,
            day_param(tx, f.supported_on),
            int(f.implemented),
        )
