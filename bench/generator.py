"""`xinfang generate`: a realistic county ledger of N cases, deterministic for a seed.

Reference data (units, leaders, users) and cases are built with the domain's own aggregates
and commands, encoded by the application's mapper (the canonical JSON whose hash chain
`verify` re-derives) and appended in bulk. Cases are generated in registration order, in
chunks; within a chunk the events are written in the order they were recorded, so the
ledger interleaves cases the way a live office's does.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from eventsourcing.persistence import StoredEvent
from faker import Faker

from bench.bulk import analyze_ledger, append_rows
from bench.county import COUNTY_CODE, County, build_county, user_token
from bench.lifecycle import CAMPAIGN_ID, CaseWriter, moments, recorded_clock
from bench.practices import escalation_policy, generated_ids, receptions, recommendation_events
from domain.application import LedgerApplication, hash_token
from domain.context import command_context
from domain.policy import local_date
from domain.practices import Campaign
from domain.reference import Leader, TokenIndex, Unit, User
from domain.values import Actor
from domain.vocabulary import Role

# A fixed "now" for the generated history: the same seed must give the same bytes on any day.
DEFAULT_ANCHOR = datetime(2026, 11, 1, tzinfo=UTC)
SIZES = {"tiny": 300, "100k": 100_000, "1m": 1_000_000}
Progress = Callable[[int, int], None]  # (cases done, cases wanted)


@dataclass(frozen=True)
class Generated:
    cases: int
    events: int
    head: int


def _cases_span(cases: int) -> int:
    """Days of history: a county registers ~20-150 cases a day, so bigger ledgers span longer."""
    return max(120, min(3650, cases // 40))


def generate(
    ledger: LedgerApplication,
    cases: int,
    *,
    seed: int = 1,
    anchor: datetime = DEFAULT_ANCHOR,
    chunk: int = 2000,
    progress: Progress | None = None,
) -> Generated:
    """Append a county (if not there yet) and `cases` case histories to an empty ledger."""
    fake = Faker("zh_CN")
    fake.seed_instance(seed)
    rng = random.Random(seed)
    county = build_county(fake, rng)
    total = 0
    span = _cases_span(cases)
    with recorded_clock() as recorded, generated_ids(seed):
        start = anchor - timedelta(days=span + 30)
        total += _append(ledger, _reference_events(ledger, county, start, recorded))
        total += _append(ledger, escalation_policy(ledger, start))
        first = anchor - timedelta(days=span)
        # Receptions and recommendations join the stream as the cases reach their day: a case
        # registered at a reception comes after the reception's record.
        scheduled, reception_days = receptions(ledger, county, seed, first, anchor, recorded)
        scheduled += recommendation_events(ledger, county, seed, first, anchor, recorded)
        scheduled.sort(key=lambda t: t[0])
        writer = CaseWriter(county, fake, anchor, recorded)
        writer.receptions, writer.reception_share = reception_days, min(0.5, 6 * span / max(cases, 1))
        pending: list[tuple[datetime, int, StoredEvent]] = []
        for n, registered_at in enumerate(moments(cases, anchor, span)):
            while scheduled and (scheduled[0][0] <= registered_at or n + 1 == cases):
                for recorded_at, stored in scheduled.pop(0)[1]:
                    pending.append((recorded_at, len(pending), stored))
            case = writer.write(n, seed, registered_at)
            for event in case.collect_events():
                pending.append((event.timestamp, len(pending), ledger.mapper.to_stored_event(event)))
            if (n + 1) % chunk == 0 or n + 1 == cases:
                pending.sort(key=lambda p: (p[0], p[1]))
                total += _append(ledger, [p[2] for p in pending])
                pending.clear()
                if progress is not None:
                    progress(n + 1, cases)
    analyze_ledger(ledger)
    return Generated(cases, total, _head(ledger))


def _append(ledger: LedgerApplication, events: list[StoredEvent]) -> int:
    append_rows(ledger, events)
    return len(events)


def _head(ledger: LedgerApplication) -> int:
    from domain.ledger_tree import ledger_head

    return ledger_head(ledger.recorder)


def _reference_events(
    ledger: LedgerApplication, county: County, at: datetime, recorded: list[datetime]
) -> list[StoredEvent]:
    recorded[0] = at
    admin = Actor("gen-admin", Role.ADMIN.value, None)
    aggregates: list[Any] = []
    with command_context(
        actor=admin, occurred_at=at, now=at, reason="generated county", request_id="gen-county"
    ):
        aggregates += [Unit.create(code=u.code, name=u.name, parent_code=u.parent_code) for u in county.units]
        # the backlog campaign its cases are designated to (积案化解专项, issue 21)
        aggregates.append(Campaign.open(campaign_id=CAMPAIGN_ID, name="积案化解专项行动", starts_on=local_date(at),
                                        due_on=local_date(at) + timedelta(days=365), unit_code=COUNTY_CODE))  # fmt: skip
        aggregates += [
            Leader.appoint(leader_id=x.leader_id, name=x.name, unit_code=x.unit_code, post=x.post)
            for x in county.leaders
        ]
        for u in county.users:
            token_hash = hash_token(user_token(u.user_id))
            user = User.create(
                user_id=u.user_id,
                name=u.name,
                role=Role(u.role),
                unit_code=u.unit_code,
                leader_id=u.leader_id,
            )
            user.issue_token(token_hash=token_hash, expires_at=None)
            aggregates += [user, TokenIndex.register(token_hash=token_hash, user_id=u.user_id)]
    return [ledger.mapper.to_stored_event(e) for a in aggregates for e in a.collect_events()]
