"""A scripted history for the satisfaction and accountability view tests, with its hand-worked facts.

County C with towns A and B; leader LA in A, LB in B. All in 2025, China time, 10:00.

case 1 (land):    A/LA; visit 01-25 satisfied; closed; measure against LA 02-01 (interview →
                  corrected to admonishment); reopened, reassigned to B/LB; visit 03-03 unsatisfied.
case 2 (labour):  A/LA; visit 02-10 unsatisfied, corrected to basically_satisfied.
case 3 (labour → corrected to wages after its visit): B/LB; visit 02-15 satisfied;
                  measure against unit B 02-20 (notice_of_criticism).
case 4 (traffic): A/LA; no visit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any
from uuid import UUID

from domain.application import LedgerApplication
from domain.context import command_context
from tests.factories import actor, moment_on, petition_fields, rid


@dataclass
class History:
    ledger: LedgerApplication
    county: str = field(default_factory=lambda: rid("C"))
    town_a: str = field(default_factory=lambda: rid("A"))
    town_b: str = field(default_factory=lambda: rid("B"))
    leader_a: str = field(default_factory=lambda: rid("la-"))
    leader_b: str = field(default_factory=lambda: rid("lb-"))
    cases: dict[int, UUID] = field(default_factory=dict)
    visits: dict[int, int] = field(default_factory=dict)  # case number → version of its first visit

    def run(self, n: int, command: str, day: str, **params: Any) -> int:
        with command_context(
            actor=actor("supervisor", unit=self.county), occurred_at=moment_on(date.fromisoformat(day)),
            reason="scripted history",
        ):  # fmt: skip
            return self.ledger.execute(self.cases[n], command, params).version

    def register(self, n: int, day: str, category: str) -> None:
        with command_context(
            actor=actor("registrar", unit=self.county), occurred_at=moment_on(date.fromisoformat(day))
        ):
            fields = petition_fields(received_unit=self.county, category=category)
            self.cases[n] = self.ledger.register_case(**fields).case_id

    def handle(self, n: int, day: str, unit: str, leader: str) -> None:
        """Accepted the day after `day` and assigned the day after that."""
        d = date.fromisoformat(day)
        accepted_on = d.replace(day=d.day + 1).isoformat()
        self.run(n, "accept", accepted_on, notice_issued_on=accepted_on)  # R5: notified that day
        self.run(n, "assign", d.replace(day=d.day + 2).isoformat(), unit_code=unit, leader_id=leader)

    def answer_and_visit(self, n: int, answered: str, visited: str, satisfaction: str) -> int:
        self.run(n, "answer", answered, outcome="explain", delivered_on=answered)
        return self.run(n, "return-visit", visited, satisfaction=satisfaction, signed=True, method="phone")

    def build(self) -> History:
        with command_context(actor=actor("admin", unit=None)):
            self.ledger.create_unit(code=self.county, name="县", parent_code=None)
            self.ledger.create_unit(code=self.town_a, name="甲镇", parent_code=self.county)
            self.ledger.create_unit(code=self.town_b, name="乙镇", parent_code=self.county)
            self.ledger.appoint_leader(leader_id=self.leader_a, name="甲", unit_code=self.town_a, post="镇长")
            self.ledger.appoint_leader(leader_id=self.leader_b, name="乙", unit_code=self.town_b, post="镇长")
        for n, day, category in ((1, "2025-01-05", "land"), (2, "2025-01-10", "labour"),
                                 (3, "2025-01-15", "labour"), (4, "2025-01-20", "traffic")):  # fmt: skip
            self.register(n, day, category)
        self.handle(1, "2025-01-05", self.town_a, self.leader_a)
        self.handle(2, "2025-01-10", self.town_a, self.leader_a)
        self.handle(3, "2025-01-15", self.town_b, self.leader_b)
        self.handle(4, "2025-01-20", self.town_a, self.leader_a)
        self.visits[1] = self.answer_and_visit(1, "2025-01-20", "2025-01-25", "satisfied")
        self.visits[2] = self.answer_and_visit(2, "2025-02-05", "2025-02-10", "unsatisfied")
        self.visits[3] = self.answer_and_visit(3, "2025-02-10", "2025-02-15", "satisfied")
        self.run(1, "close", "2025-01-26", closure_type="answered_only")
        measure = self.run(1, "accountability", "2025-02-01", target_leader_id=self.leader_a,
                           measure="interview", basis="slow reply")  # fmt: skip
        self.run(2, "corrections", "2025-02-12", target_version=self.visits[2], field="satisfaction",
                 new_value="basically_satisfied")  # fmt: skip
        self.run(3, "corrections", "2025-02-16", target_version=1, field="category", new_value="wages")
        self.run(3, "accountability", "2025-02-20", target_unit_code=self.town_b,
                 measure="notice_of_criticism", basis="late visit")  # fmt: skip
        self.run(
            1, "corrections", "2025-02-21", target_version=measure, field="measure", new_value="admonishment"
        )
        self.run(1, "reopen", "2025-02-05")
        self.run(1, "reassign", "2025-02-06", unit_code=self.town_b, leader_id=self.leader_b)
        self.answer_and_visit(1, "2025-02-28", "2025-03-03", "unsatisfied")
        return self
