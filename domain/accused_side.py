"""The accused side of an accusation (第三十条, DOMAIN.md R1), as one definition.

The accused side is every user whose unit lies in the accused unit's subtree, the accused
leader's own logins, and every user whose unit lies in the subtree of a unit where the accused
leader has held a post since the matter arose. The same definition judges a reader (may he see
the case?), a unit, a leader or an officer named on the case (may it be handed to them?), and,
turned around, gives a listing's SQL condition (api/access.py): `Exposure` is what puts one
person on the accused side of any accusation, so both forms read the same facts.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from domain.vocabulary import Kind

if TYPE_CHECKING:
    from domain.case import Case
    from domain.reference_index import LeaderPostIndex


@dataclass(frozen=True)
class Accusation:
    """What an accusation names, and when the matter arose."""

    accused_unit: str | None
    accused_leader: str | None
    arose_at: datetime

    @classmethod
    def of(cls, case: Case) -> Accusation | None:
        if case.kind is not Kind.ACCUSATION:
            return None
        assert case.registered_at is not None
        return cls(case.accused_unit, case.accused_leader, case.registered_at)


@dataclass(frozen=True)
class Exposure:
    """What puts one person (a unit, and a leader id if the login is a leader's) on an accused side.

    `ancestry`: the person's unit and every unit above it; `posted`: each leader who has held a
    post in one of those units, with the end of the latest such post (None: still held).
    """

    ancestry: tuple[str, ...]
    leader_id: str | None
    posted: dict[str, datetime | None]

    def covers(self, accusation: Accusation | None) -> bool:
        """Whether this person is on the accused side of the accusation (never of other cases)."""
        if accusation is None:
            return False
        if accusation.accused_unit is not None and accusation.accused_unit in self.ancestry:
            return True
        accused = accusation.accused_leader
        if accused is None:
            return False
        if accused == self.leader_id:
            return True
        if accused not in self.posted:
            return False
        until = self.posted[accused]
        return until is None or until > accusation.arose_at


def exposure(ancestry: Sequence[str], leader_id: str | None, posts: LeaderPostIndex) -> Exposure:
    """The exposure of a person whose unit has this ancestry (the unit first or last, any order)."""
    posted: dict[str, datetime | None] = {}
    for post in posts.posts_in(ancestry):
        if post.leader_id not in posted:
            posted[post.leader_id] = post.ended_at
            continue
        earlier = posted[post.leader_id]
        if earlier is not None:  # a post still held (None) outlasts every ended one
            posted[post.leader_id] = None if post.ended_at is None else max(earlier, post.ended_at)
    return Exposure(tuple(ancestry), leader_id, posted)
