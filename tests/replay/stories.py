"""Scripted case histories for replay and delay tests: domain objects only, no database.

Each command runs at noon (China time) of its day and is recorded an hour later, unless the
story says it was entered later (a late entry, 补录).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from domain.case import Case
from domain.case_events import CaseEvent
from domain.context import command_context
from domain.policy import CHINA_TZ
from domain.replay import Recorded
from domain.values import Petitioner
from domain.vocabulary import Channel, Kind

NOW = datetime(2027, 12, 31, 12, tzinfo=CHINA_TZ)  # wall clock: every story is in its past


def noon(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 12, tzinfo=CHINA_TZ)


class Story:
    """A case told command by command, each on its own (China) day."""

    def __init__(self, day: date, policy_version: str = "2022-calendar", **registration: Any) -> None:
        self.logged: list[Recorded] = []
        fields: dict[str, Any] = {
            "channel": Channel.LETTER,
            "kind": Kind.COMPLAINT_REQUEST,
            "petitioners": (Petitioner("张三"),),
            "headcount": 1,
            "subject": "s",
            "content": "c",
            "category": "land",
            "region_code": "110000",
            "received_unit": "U1",
            "policy_version": policy_version,
            **registration,
        }
        with command_context(occurred_at=noon(day), now=NOW):
            self.case = Case.register(**fields)
        self._record(noon(day) + timedelta(hours=1))

    def _record(self, at: datetime) -> None:
        for e in self.case.collect_events():
            assert isinstance(e, CaseEvent)
            self.logged.append(Recorded(e, at))

    def on(self, day: date, command: str, *, entered: date | None = None, **kwargs: Any) -> int:
        """Run a command that happened on `day` (entered on `entered`); returns the new version."""
        with command_context(occurred_at=noon(day), now=NOW, reason="因为"):
            getattr(self.case, command)(**kwargs)
        self._record(noon(entered or day) + timedelta(hours=1))
        return int(self.case.version)

    @property
    def events(self) -> list[CaseEvent]:
        return [r.event for r in self.logged]


def assigned(policy_version: str = "2022-calendar") -> Story:
    """Registered 1 March 2026, accepted 2 March (handling due 1 May), assigned 3 March to U2/L1."""
    story = Story(date(2026, 3, 1), policy_version)
    story.on(date(2026, 3, 2), "accept", accepting_unit="U1", notice_issued_on=date(2026, 3, 2))
    story.on(date(2026, 3, 3), "assign", unit_code="U2", leader_id="L1", officer_id="O1")
    return story
