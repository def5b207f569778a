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

from domain.arguments import checked
from domain.ledger import LedgerAggregate, LedgerCreated, LedgerEvent
from domain.policy import get_policy
from domain.vocabulary import LocalPolicy

ADOPTIONS_ID: UUID = uuid5(NAMESPACE_URL, "/xinfang/policy-adoptions")


@dataclass(frozen=True)
class LocalPolicySetting:
    """A local policy option put in force (or out of force) from a day (issue 21)."""

    option: LocalPolicy
    in_force: bool
    effective_from: date
    set_by: str
    set_at: datetime


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
        book.local_policies = ()


class PolicyAdopted(LedgerEvent):
    """From `effective_from`, matters arising in the jurisdiction count days by `policy_version`."""

    policy_version: str
    effective_from: date

    def apply(self, book: Any) -> None:
        adoption = Adoption(self.policy_version, self.effective_from, self.actor.user_id, self.occurred_at)
        book.adoptions = (*book.adoptions, adoption)


class LocalPolicySet(LedgerEvent):
    """From `effective_from`, the local policy `option` is in force (or no longer, `in_force`
    false). Off until set: a jurisdiction that never sets one works as before."""

    option: LocalPolicy
    in_force: bool
    effective_from: date

    def apply(self, book: Any) -> None:
        setting = LocalPolicySetting(
            self.option, self.in_force, self.effective_from, self.actor.user_id, self.occurred_at
        )
        book.local_policies = (*book.local_policies, setting)


class PolicyAdoptions(LedgerAggregate):
    def __init__(self) -> None:
        super().__init__()
        self.adoptions: tuple[Adoption, ...] = ()
        self.local_policies: tuple[LocalPolicySetting, ...] = ()

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


    @checked
    def set_local_policy(self, *, option: LocalPolicy, in_force: bool, effective_from: date) -> None:
        self.trigger_event(LocalPolicySet, option=option, in_force=in_force, effective_from=effective_from)

    def local_policy_on(self, option: LocalPolicy, day: date) -> bool:
        """The option's setting for `day`: the latest effective by then (of two the same day, the
        later); off when never set."""
        settings = [
            (s.effective_from, n, s.in_force)
            for n, s in enumerate(self.local_policies)
            if s.option is option and s.effective_from <= day
        ]
        return max(settings)[2] if settings else False


ADOPTION_EVENTS: tuple[type[LedgerEvent], ...] = (PolicyAdoptionsOpened, PolicyAdopted, LocalPolicySet)
