"""The jurisdiction's adoptions of clock policy versions (DOMAIN.md R8), as ledger events.

A ledger is one jurisdiction, so its adoptions are one aggregate with a deterministic id: each
adoption is one more event on it, and of two administrators adopting at once the second is
re-applied on top of the first (they meet on its version) instead of opening a second record.
A case takes the version in force on the day its matter arose (the latest adoption effective by
then); with no adoption, the configured default (policies.toml), so a ledger that never adopted
counts exactly as before.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from domain.ledger import LedgerAggregate, LedgerCreated, LedgerEvent
from domain.policy import get_policy

ADOPTIONS_ID: UUID = uuid5(NAMESPACE_URL, "/xinfang/policy-adoptions")


@dataclass(frozen=True)
class Adoption:
    policy_version: str
    effective_from: date
    adopted_by: str
    adopted_at: datetime


class PolicyAdoptionsOpened(LedgerCreated):
    """The jurisdiction's record of adopted policies starts (with its first adoption)."""

    def apply(self, book: Any) -> None:
        book.adoptions = ()


class PolicyAdopted(LedgerEvent):
    """From `effective_from`, matters arising in the jurisdiction count days by `policy_version`."""

    policy_version: str
    effective_from: date

    def apply(self, book: Any) -> None:
        adoption = Adoption(self.policy_version, self.effective_from, self.actor.user_id, self.occurred_at)
        book.adoptions = (*book.adoptions, adoption)


class PolicyAdoptions(LedgerAggregate):
    def __init__(self) -> None:
        super().__init__()
        self.adoptions: tuple[Adoption, ...] = ()

    @classmethod
    def open(cls) -> PolicyAdoptions:
        return cls._start(PolicyAdoptionsOpened, id=ADOPTIONS_ID)

    def adopt(self, *, policy_version: str, effective_from: date) -> None:
        get_policy(policy_version)  # an unknown version is refused, naming the known ones
        self.trigger_event(PolicyAdopted, policy_version=policy_version, effective_from=effective_from)

    def version_on(self, day: date) -> str | None:
        """The version adopted for `day`: the latest effective by then; of two adoptions
        effective the same day, the later one (it corrects the earlier). None if none yet."""
        in_force = [(a.effective_from, n, a) for n, a in enumerate(self.adoptions) if a.effective_from <= day]
        return max(in_force)[2].policy_version if in_force else None


ADOPTION_EVENTS: tuple[type[LedgerEvent], ...] = (PolicyAdoptionsOpened, PolicyAdopted)
