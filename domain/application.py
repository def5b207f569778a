"""The ledger application: thin command methods over eventsourcing's Application.

Each command loads its aggregate, calls one command method and saves once. Concurrency is
optimistic: a racing writer makes the insert fail on the (id, version) key, and the command
is re-run on the new state unless the caller pinned a version with If-Match.
"""

from __future__ import annotations

import random
import secrets
import time
import weakref
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, TypeVar
from uuid import UUID

import orjson
from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.persistence import IntegrityError, Mapper
from eventsourcing.utils import get_topic

from domain import pool_liveness
from domain.aggregate_cache import AggregateCache
from domain.authority import check_registration
from domain.case import Case
from domain.case_commands import SPEC_OF
from domain.case_events import CaseEvent
from domain.context import current_context
from domain.errors import (
    AlreadyExists,
    CaseNotFound,
    DuplicateExternalReference,
    IdempotencyKeyReused,
    InvalidInput,
    NotFound,
    VersionConflict,
)
from domain.integrity import sha256_hex
from domain.ledger import LedgerAggregate, LedgerEvent
from domain.persistence import IdempotencyRecord, LedgerReads, LedgerRow, ledger_reads
from domain.policy import default_policy_version, local_date
from domain.policy_adoptions import ADOPTIONS_ID, Adoption, LocalPolicySetting, PolicyAdoptions
from domain.practices import (
    Campaign,
    Reception,
    campaign_id_for,
    check_reception_day,
    reception_unit,
)
from domain.query_code import hash_query_code, new_query_code
from domain.recommendations import RECOMMENDATION_TARGET_WITHIN_SUBTREE, Recommendation
from domain.reference import (
    Leader,
    TokenIndex,
    Unit,
    User,
    leader_id_for,
    token_index_id,
    unit_id,
    user_id_for,
)
from domain.reference_index import LeaderPostIndex
from domain.serialization import CanonicalTranscoder, TypedMapper
from domain.store import APPLICATION_NAME, StoreConfig
from domain.token_cache import TokenCache
from domain.vocabulary import LocalPolicy, RecommendationKind, Role

A = TypeVar("A", bound=LedgerAggregate)
E = TypeVar("E")
MAX_ATTEMPTS = 20
# Aggregates kept between commands, per process (domain/aggregate_cache.py): the default's memory
# is a few tens of MB (bench/RESULTS.md#aggregate-cache-size). 0 turns the cache off.
DEFAULT_AGGREGATE_CACHE_SIZE = 10_000


@dataclass(frozen=True)
class CommandResult:
    case_id: UUID
    version: int
    position: int
    replayed: bool = False
    # The petitioner's query code, in clear only in the answer that made it (never stored).
    query_code: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"case_id": str(self.case_id), "version": self.version, "position": self.position}


@dataclass(frozen=True)
class Idempotency:
    """A client's Idempotency-Key, scoped to the user, with a hash of what it asked."""

    scope: str
    key: str
    request_hash: str

    @classmethod
    def for_request(cls, scope: str, key: str, method: str, path: str, body: Any) -> Idempotency:
        digest = sha256_hex(orjson.dumps([method, path, body], option=orjson.OPT_SORT_KEYS))
        return cls(scope=scope, key=key, request_hash=digest)


def _back_off(attempt: int) -> None:
    """Jittered pause before re-running a command that lost a race, so racers spread out."""
    time.sleep(random.uniform(0, 0.002 * (attempt + 1)))  # noqa: S311 - jitter, not security


def hash_token(token: str) -> str:
    return sha256_hex(token.encode())


class LedgerApplication(Application[UUID]):
    name = APPLICATION_NAME

    def __init__(
        self,
        store: StoreConfig,
        env: dict[str, str] | None = None,
        aggregate_cache_size: int = DEFAULT_AGGREGATE_CACHE_SIZE,
    ) -> None:
        self.store = store
        super().__init__(env={**store.eventsourcing_env(), **(env or {})})
        self.reads: LedgerReads = ledger_reads(self.recorder)
        pool_liveness.install(self.recorder)
        # The caches never hold the application (the event store, or a weak proxy): a reference
        # cycle would leave its closing to the garbage collector, on whatever thread happens to
        # run it (a connection pool's worker cannot join itself).
        events = self.events
        self.aggregate_cache = (
            AggregateCache(
                aggregate_cache_size, lambda aggregate_id, version: events.get(aggregate_id, gt=version)
            )
            if aggregate_cache_size > 0
            else None
        )
        app = weakref.proxy(self)
        self.leader_posts = LeaderPostIndex(app)
        self.token_cache = TokenCache(
            lambda user_id: app._latest_version(user_id),  # noqa: PLW0108 (a bound method is a strong reference)
            lambda user_id: app.load(User, user_id),
        )

    def construct_mapper(self) -> Mapper[UUID]:
        return TypedMapper(transcoder=CanonicalTranscoder())

    # ---- generic load / save ------------------------------------------------------------

    def load(self, cls: type[A], aggregate_id: UUID, version: int | None = None) -> A:
        """The aggregate at `version`, or at the store's latest (through the aggregate cache,
        which only ever holds states made by applying stored events)."""
        aggregate: Any
        if version is None and self.aggregate_cache is not None:
            aggregate = self.aggregate_cache.get(aggregate_id, lambda: self.repository.get(aggregate_id))
        else:
            aggregate = self.repository.get(aggregate_id, version=version)
        if not isinstance(aggregate, cls):
            raise AggregateNotFoundError(aggregate_id)
        return aggregate

    def exists(self, aggregate_id: UUID) -> bool:
        return bool(self.recorder.select_events(aggregate_id, limit=1))

    def _latest_version(self, aggregate_id: UUID) -> int | None:
        """The aggregate's last version in the store (one primary-key lookup), None if none."""
        last = self.recorder.select_events(aggregate_id, desc=True, limit=1)
        return last[0].originator_version if last else None

    def get_case(self, case_id: UUID, version: int | None = None) -> Case:
        try:
            return self.load(Case, case_id, version)
        except AggregateNotFoundError:
            raise CaseNotFound("no such case", case_id=str(case_id)) from None

    def case_events(self, case_id: UUID, *, lte: int | None = None) -> list[CaseEvent]:
        """The case's events in order, typed (for clocks and replay)."""
        events = list(self.events.get(case_id, lte=lte))
        if not events:
            raise CaseNotFound("no such case", case_id=str(case_id))
        return events  # type: ignore[return-value]

    def case_rows(self, case_id: UUID) -> list[LedgerRow]:
        rows = self.reads.aggregate_rows(case_id)
        if not rows or rows[0].topic.rsplit(":", 1)[-1] != "Registered":
            raise CaseNotFound("no such case", case_id=str(case_id))
        return rows

    def case_row(self, case_id: UUID, version: int) -> LedgerRow | None:
        """The stored entry of a case at exactly `version`, or None (what a correction targets)."""
        rows = self.reads.aggregate_rows(case_id, lte=version)
        return rows[-1] if rows and rows[-1].version == version else None

    def _save(
        self,
        aggregate: LedgerAggregate,
        idempotency: Idempotency | None,
        extra: tuple[LedgerAggregate, ...] = (),
    ) -> int:
        record = None
        if idempotency is not None:
            response = orjson.dumps({"case_id": str(aggregate.id), "version": aggregate.version})
            record = IdempotencyRecord(
                idempotency.scope,
                idempotency.key,
                idempotency.request_hash,
                aggregate.id,
                aggregate.version,
                response,
            )
        recordings = self.save(aggregate, *extra, idempotency=record)
        return max(r.notification.id for r in recordings)

    def _replayed(self, idempotency: Idempotency | None) -> CommandResult | None:
        """The first result of a retried command, or None if the key is new."""
        if idempotency is None:
            return None
        record = self.reads.idempotency_record(idempotency.scope, idempotency.key)
        if record is None:
            return None
        if record.request_hash != idempotency.request_hash:
            raise IdempotencyKeyReused(
                "this Idempotency-Key was used for a different request", key=idempotency.key
            )
        assert record.case_id is not None and record.version is not None
        position = self.reads.position_of(record.case_id, record.version) or 0
        return CommandResult(record.case_id, record.version, position, replayed=True)

    # ---- cases --------------------------------------------------------------------------

    def register_case(self, *, idempotency: Idempotency | None = None, **fields: Any) -> CommandResult:
        """Register a petition; its clock policy is the one in force on the day it arose (R8)."""
        if "policy_version" in fields:
            raise TypeError("a registration does not choose its policy version (R8): the adoptions do")
        replayed = self._replayed(idempotency)
        if replayed:
            return replayed
        actor = current_context().actor
        if actor.role == Role.REGISTRAR:  # tools registering as the system are not a unit's registrar
            check_registration(self, actor.unit_code, fields["received_unit"],
                               fields.get("accused_unit"), fields.get("accused_leader"))  # fmt: skip
        if fields.get("reception_id") is not None:
            check_reception_day(self._maybe_reception(fields["reception_id"]),
                                current_context().effective_occurred_at())  # fmt: skip
        arose_on = local_date(current_context().effective_occurred_at())
        code = new_query_code()
        case = Case.register(
            policy_version=self.policy_version_on(arose_on), query_code_hash=hash_query_code(code), **fields
        )
        try:
            position = self._save(case, idempotency)
        except IntegrityError:
            replayed = self._replayed(idempotency)
            if replayed:
                return replayed
            raise DuplicateExternalReference(
                "a case with this external reference is already registered",
                external_ref=fields.get("external_ref"),
                case_id=str(case.id),
            ) from None
        return CommandResult(case.id, case.version, position, query_code=code)

    def execute(
        self,
        case_id: UUID,
        command: str,
        params: dict[str, Any],
        *,
        expected_version: int | None = None,
        idempotency: Idempotency | None = None,
        authorize: Callable[[Case], None] | None = None,
    ) -> CommandResult:
        """Run one case command (an API command name, e.g. "return-visit").

        `authorize` sees the case as loaded for the command (each attempt), so a caller's scope
        check needs no load of its own and always judges the state the command acts on.
        """
        replayed = self._replayed(idempotency)
        if replayed:
            return replayed
        spec = SPEC_OF[command]
        for _attempt in range(MAX_ATTEMPTS):
            case = self.get_case(case_id)
            if authorize is not None:
                authorize(case)
            if expected_version is not None and case.version != expected_version:
                raise VersionConflict(
                    f"the case is at version {case.version}, not {expected_version}",
                    current_version=case.version,
                )
            arguments = spec.arguments(self, case, params)
            getattr(case, spec.method)(**arguments)
            try:
                position = self._save(case, idempotency)
            except IntegrityError:
                replayed = self._replayed(idempotency)
                if replayed:
                    return replayed
                if expected_version is not None:
                    current = self.get_case(case_id).version
                    raise VersionConflict(
                        f"the case moved on to version {current}", current_version=current
                    ) from None
                _back_off(_attempt)
                continue  # someone else wrote first: run the command again on the new state
            return CommandResult(case.id, case.version, position)
        current = self.get_case(case_id).version
        raise VersionConflict("the case kept changing; try again", current_version=current)

    def record_personal_data_view(self, case_id: UUID, purpose: str) -> int:
        """A read of unmasked personal data is a ledger entry (retried like any command)."""
        for _attempt in range(MAX_ATTEMPTS):
            case = self.get_case(case_id)
            case.record_personal_data_view(purpose=purpose)
            try:
                return self._save(case, None)
            except IntegrityError:
                continue
        raise VersionConflict(
            "the case kept changing; try again", current_version=self.get_case(case_id).version
        )

    # ---- practices: receptions and backlog campaigns (issue 21) --------------------------

    def record_reception(
        self, *, leader_id: str, held_on: date, place: str, kind: Any, unit_codes: tuple[str, ...]
    ) -> tuple[str, int]:
        """A leader's reception (领导接访); returns its id and position. The recorder is the
        context's actor: an administrator, or a supervisor over the leader's unit that day."""
        actor = current_context().actor
        unit = reception_unit(self, actor.unit_code, leader_id=leader_id, held_on=held_on, kind=kind,
                              unit_codes=unit_codes, admin=actor.role == Role.ADMIN)  # fmt: skip
        reception = Reception.record(
            leader_id=leader_id, held_on=held_on, place=place, kind=kind, unit_code=unit, unit_codes=unit_codes
        )
        return reception.reception_id, self._save(reception, None)

    def get_reception(self, reception_id: str) -> Reception:
        found = self._maybe_reception(reception_id)
        if found is None:
            raise NotFound("no such reception", reception_id=reception_id)
        return found

    def _maybe_reception(self, reception_id: str) -> Reception | None:
        try:
            return self.load(Reception, UUID(reception_id))
        except (AggregateNotFoundError, ValueError):
            return None

    def open_campaign(self, *, campaign_id: str, name: str, starts_on: date, due_on: date) -> int:
        campaign = Campaign.open(campaign_id=campaign_id, name=name, starts_on=starts_on, due_on=due_on,
                                 unit_code=current_context().actor.unit_code)  # fmt: skip
        return self._create(campaign, f"campaign {campaign_id}")

    def get_campaign(self, campaign_id: str) -> Campaign:
        return self._reference(Campaign, campaign_id_for(campaign_id), f"campaign {campaign_id}")

    # ---- clock policy adoptions (R8) ----------------------------------------------------

    def adopt_policy(self, *, policy_version: str, effective_from: date) -> int:
        """The jurisdiction adopts a policy version for matters arising from `effective_from`."""
        for _attempt in range(MAX_ATTEMPTS):
            book = self._policy_adoptions() or PolicyAdoptions.open()
            book.adopt(policy_version=policy_version, effective_from=effective_from)
            try:
                return self._save(book, None)
            except IntegrityError:  # another adoption was saved first: adopt on top of it
                _back_off(_attempt)
        current = self._latest_version(ADOPTIONS_ID) or 0
        raise VersionConflict("the policy adoptions kept changing; try again", current_version=current)

    def policy_adoptions(self) -> tuple[Adoption, ...]:
        """Every adoption, in the order recorded."""
        book = self._policy_adoptions()
        return () if book is None else book.adoptions

    def policy_version_on(self, day: date) -> str:
        """The version in force for a matter arising on `day`: adopted, else the default."""
        book = self._policy_adoptions()
        return (book.version_on(day) if book is not None else None) or default_policy_version()

    def set_local_policy(self, *, option: LocalPolicy, in_force: bool, effective_from: date) -> int:
        """The jurisdiction puts a local policy option in (or out of) force from a day (issue 21)."""
        for _attempt in range(MAX_ATTEMPTS):
            book = self._policy_adoptions() or PolicyAdoptions.open()
            book.set_local_policy(option=option, in_force=in_force, effective_from=effective_from)
            try:
                return self._save(book, None)
            except IntegrityError:  # another setting was saved first: set on top of it
                _back_off(_attempt)
        current = self._latest_version(ADOPTIONS_ID) or 0
        raise VersionConflict("the policy adoptions kept changing; try again", current_version=current)

    def local_policies(self) -> tuple[LocalPolicySetting, ...]:
        book = self._policy_adoptions()
        return () if book is None else book.local_policies

    def local_policy_in_force(self, option: str, day: date) -> bool:
        book = self._policy_adoptions()
        return book is not None and book.local_policy_on(LocalPolicy(option), day)

    def _policy_adoptions(self) -> PolicyAdoptions | None:
        try:
            return self.load(PolicyAdoptions, ADOPTIONS_ID)
        except AggregateNotFoundError:
            return None

    # ---- recommendations (第四十条, issue 21) --------------------------------------------

    def issue_recommendation(self, *, kind: RecommendationKind, target_unit_code: str, text: str) -> tuple[UUID, int]:
        """A supervisor's recommendation to a unit of his own subtree; the feedback is due by the
        period of the policy in force on the day it is issued."""
        issuing_unit = current_context().actor.unit_code
        try:
            self.get_unit(target_unit_code)
            within = issuing_unit is not None and issuing_unit in self.unit_path(target_unit_code)
        except NotFound:
            within = False
        RECOMMENDATION_TARGET_WITHIN_SUBTREE.check(within, field="target_unit_code")
        assert issuing_unit is not None
        day = local_date(current_context().effective_occurred_at())
        recommendation = Recommendation.issue(
            kind=kind, target_unit_code=target_unit_code, text=text, issuing_unit=issuing_unit,
            policy_version=self.policy_version_on(day),
        )  # fmt: skip
        return recommendation.id, self._save(recommendation, None)

    def get_recommendation(self, recommendation_id: UUID) -> Recommendation:
        try:
            return self.load(Recommendation, recommendation_id)
        except AggregateNotFoundError:
            raise NotFound("no such recommendation", recommendation_id=str(recommendation_id)) from None

    def give_recommendation_feedback(
        self, recommendation_id: UUID, *, adopted: bool, text: str, authorize: Callable[[Recommendation], None]
    ) -> int:
        """The target unit's written feedback (retried on a concurrent write like a case command)."""
        for _attempt in range(MAX_ATTEMPTS):
            recommendation = self.get_recommendation(recommendation_id)
            authorize(recommendation)
            recommendation.give_feedback(adopted=adopted, text=text)
            try:
                return self._save(recommendation, None)
            except IntegrityError:
                _back_off(_attempt)
        raise VersionConflict("the recommendation kept changing; try again", current_version=0)

    # ---- reference data -----------------------------------------------------------------

    def _create(
        self,
        aggregate: LedgerAggregate,
        what: str,
        idempotency: Idempotency | None = None,
        extra: tuple[LedgerAggregate, ...] = (),
    ) -> int:
        try:
            return self._save(aggregate, idempotency, extra)
        except IntegrityError:
            raise AlreadyExists(f"{what} already exists") from None

    def create_unit(self, *, code: str, name: str, parent_code: str | None) -> int:
        if parent_code is not None:
            self.get_unit(parent_code)
        return self._create(Unit.create(code=code, name=name, parent_code=parent_code), f"unit {code}")

    def get_unit(self, code: str) -> Unit:
        return self._reference(Unit, unit_id(code), f"unit {code}")

    def unit_path(self, code: str) -> list[str]:
        """The unit and its ancestors, nearest first (the tree is shallow: county, township, village)."""
        path = [code]
        unit = self.get_unit(code)
        while unit.parent_code is not None and unit.parent_code not in path:
            path.append(unit.parent_code)
            unit = self.get_unit(unit.parent_code)
        return path

    def appoint_leader(self, *, leader_id: str, name: str, unit_code: str, post: str) -> int:
        self.get_unit(unit_code)
        return self._create(
            Leader.appoint(leader_id=leader_id, name=name, unit_code=unit_code, post=post),
            f"leader {leader_id}",
        )

    def post_leader(self, *, leader_id: str, unit_code: str, post: str) -> int:
        """The leader takes another post (from the context's occurred_at): his earlier post ends."""
        self.get_unit(unit_code)
        leader = self.get_leader(leader_id)
        if not leader.active:
            raise InvalidInput("that leader has left; appoint a new record instead", field="leader_id")
        leader.move(unit_code=unit_code, post=post)
        return self._save(leader, None)

    def leader_leaves(self, leader_id: str) -> int:
        """The leader leaves his last post (from the context's occurred_at)."""
        leader = self.get_leader(leader_id)
        if not leader.active:
            raise InvalidInput("that leader has already left", field="leader_id")
        leader.leave()
        return self._save(leader, None)

    def get_leader(self, leader_id: str) -> Leader:
        return self._reference(Leader, leader_id_for(leader_id), f"leader {leader_id}")

    def create_user(
        self,
        *,
        user_id: str,
        name: str,
        role: Role,
        unit_code: str | None,
        leader_id: str | None = None,
        token: str | None = None,
        expires_at: datetime | None = None,
    ) -> str:
        """Create a user with a fresh bearer token; returns the token (it is stored only as a hash)."""
        if unit_code is not None:
            self.get_unit(unit_code)
        if leader_id is not None:
            self.get_leader(leader_id)
        token = token or secrets.token_urlsafe(32)
        token_hash = hash_token(token)
        user = User.create(user_id=user_id, name=name, role=role, unit_code=unit_code, leader_id=leader_id)
        user.issue_token(token_hash=token_hash, expires_at=expires_at)
        index = TokenIndex.register(token_hash=token_hash, user_id=user_id)
        self._create(user, f"user {user_id}", extra=(index,))
        return token

    def add_token(self, user_id: str, token: str | None = None, expires_at: datetime | None = None) -> str:
        """Issue another bearer token to an existing user; returns it (stored only as a hash)."""
        token = token or secrets.token_urlsafe(32)
        token_hash = hash_token(token)
        user = self.get_user(user_id)
        user.issue_token(token_hash=token_hash, expires_at=expires_at)
        self._create(
            user, f"token for {user_id}", extra=(TokenIndex.register(token_hash=token_hash, user_id=user_id),)
        )
        return token

    def revoke_token(self, user_id: str, token: str) -> None:
        user = self.get_user(user_id)
        user.revoke_token(token_hash=hash_token(token))
        self.save(user)

    def deactivate_user(self, user_id: str) -> None:
        """The user can no longer authenticate with any token."""
        user = self.get_user(user_id)
        user.deactivate()
        self.save(user)

    def change_role(self, user_id: str, role: Role) -> None:
        user = self.get_user(user_id)
        user.change_role(role=role)
        self.save(user)

    def first_event(self, event_class: type[E]) -> E | None:
        """The earliest event of one type in the ledger, if any (one row read)."""
        page = self.recorder.select_notifications(start=1, limit=1, topics=[get_topic(event_class)])
        return self.mapper.to_domain_event(page[0]) if page else None  # type: ignore[return-value]

    def rebuild_all(self, event_classes: Sequence[type[LedgerEvent]]) -> list[Any]:
        """Every aggregate made of these event classes (all of its types), rebuilt in one scan of
        the ledger instead of one load each; in order of creation."""
        aggregates: dict[UUID, Any] = {}
        for event in self._events_of(event_classes):
            aggregates[event.originator_id] = event.mutate(aggregates.get(event.originator_id))
        return list(aggregates.values())

    def _events_of(self, event_classes: Sequence[type[Any]]) -> list[Any]:
        return self.events_of(event_classes, start=1, stop=None)

    def events_of(self, event_classes: Sequence[type[Any]], *, start: int, stop: int | None) -> list[Any]:
        """The events of these classes recorded at positions start..stop (inclusive), in order."""
        topics = [get_topic(cls) for cls in event_classes]
        found: list[Any] = []
        while True:
            page = self.recorder.select_notifications(start=start, limit=1000, stop=stop, topics=topics)
            found.extend(self.mapper.to_domain_event(n) for n in page)
            if len(page) < 1000:
                return found
            start = page[-1].id + 1

    def ledger_head(self) -> int:
        """The position of the last event recorded (0 for an empty ledger)."""
        return self.recorder.max_notification_id() or 0

    def get_user(self, user_id: str) -> User:
        return self._reference(User, user_id_for(user_id), f"user {user_id}")

    def user_for_token(self, token: str) -> User | None:
        """The active user holding this token, or None (unknown, revoked or expired).

        The user comes from the token cache (domain/token_cache.py), checked against the user's
        latest version in the store on every call; the result is shared: read it, never change it.
        """
        return self.user_for_token_hash(hash_token(token))

    def user_for_token_hash(self, token_hash: str) -> User | None:
        """`user_for_token` for a token known only by its hash (a page session keeps no token)."""
        owner = self.token_cache.owner(token_hash)
        try:
            if owner is None:
                owner = user_id_for(self.load(TokenIndex, token_index_id(token_hash)).user_id)
                self.token_cache.remember_owner(token_hash, owner)
            user = self.token_cache.user(owner)
        except AggregateNotFoundError:
            return None
        if user is None or not user.active or token_hash not in user.tokens:
            return None
        expires_at = user.tokens[token_hash]
        if expires_at is not None and expires_at <= current_context().now:
            return None
        return user

    def _reference(self, cls: type[A], aggregate_id: UUID, what: str) -> A:
        try:
            return self.load(cls, aggregate_id)
        except AggregateNotFoundError:
            raise NotFound(f"no such {what}") from None
