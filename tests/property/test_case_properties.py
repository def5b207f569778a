"""Properties of the case aggregate over random command sequences (hypothesis).

(a) Any sequence of valid commands only moves the case along the lifecycle's arrows, and yields
    events that rebuild the same case, survive the stored-event mapping (also mid-way, with
    commands continuing on the rebuilt case) and form an unbroken hash chain.
(b) Any command, with any arguments, in any status either succeeds or is refused with a
    DomainError that leaves the case untouched; it never crashes.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from datetime import date, datetime, timedelta
from enum import Enum
from functools import cache
from itertools import pairwise
from typing import Any

from eventsourcing.utils import get_topic
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from domain import case_events as ev
from domain.case import ALLOWED_FROM, MAX_EXTENSION_DAYS, Case
from domain.context import command_context, utcnow
from domain.corrections import CORRECTABLE
from domain.errors import DomainError
from domain.integrity import GENESIS_HASH, event_hash, hash_stored
from domain.ledger import LedgerEvent
from domain.policy import local_date
from domain.process import has_appeal_chain, has_handling_period
from domain.serialization import CanonicalTranscoder, TypedMapper, field_type, to_json_value
from domain.values import Actor, Petitioner
from domain.vocabulary import (
    OPEN_STATUSES,
    AnswerOutcome,
    Channel,
    ClearanceBasis,
    ClosureType,
    ContactMethod,
    DossierItem,
    Kind,
    Measure,
    MediationOutcome,
    NotAcceptedReason,
    Pathway,
    ProgressStep,
    ReviewDecision,
    Satisfaction,
    Status,
    TerminationBasis,
)
from tests.factories import case_in, moment_on, registration_fields

S = Status
SETTINGS = settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
MAX_STEPS = 30
# Sequences start this long ago: 30 steps of at most a few days, or a 30-day window jump, fit.
START_AGE = timedelta(days=3000)

texts = st.text(alphabet="abc 信访事项办结", min_size=1, max_size=12).filter(str.strip)
hex_sha = st.text(alphabet="0123456789abcdef", min_size=64, max_size=64)
ids = st.text(alphabet="abcdefgh-0123456789", min_size=1, max_size=10)


def mapper() -> TypedMapper:
    return TypedMapper(transcoder=CanonicalTranscoder())


def state_of(case: Case) -> dict[str, Any]:
    return {k: v for k, v in vars(case).items() if k != "_pending_events"}


def replay(events: list[LedgerEvent]) -> Case:
    case = events[0].mutate(None)
    for event in events[1:]:
        case = event.mutate(case)
    assert isinstance(case, Case)
    return case


def round_trip(events: list[LedgerEvent]) -> list[LedgerEvent]:
    m = mapper()
    return [m.to_domain_event(m.to_stored_event(e)) for e in events]


# ---- (a) valid sequences ----------------------------------------------------------------------


@cache
def simply_typed_correctable(cls: type[LedgerEvent]) -> tuple[str, ...]:
    """Correctable fields whose new values the driver can draw (text, dates, flags, counts, codes)."""

    def simple(hint: Any) -> bool:
        return hint in (str, date, bool, int) or (isinstance(hint, type) and issubclass(hint, Enum))

    return tuple(f for f in sorted(CORRECTABLE.get(cls.__name__, ())) if simple(field_type(cls, f)))


# Lifecycle commands and how often the driver prefers each when it moves the case along.
WEIGHT = {
    "accept": 6, "not_accept": 1, "divert": 1, "transfer": 1, "assign": 3, "reassign": 1,
    "extend": 1, "record_progress": 1, "record_mediation": 1, "answer": 3,
    "record_return_visit": 3, "request_review": 3, "decide_review": 3, "request_re_review": 3,
    "hold_hearing": 1, "decide_re_review": 2, "close": 3, "reopen": 2, "terminate": 1, "archive": 1,
}  # fmt: skip


class Driver:
    """Chooses, at each step, one command valid in the case's current state, with valid arguments."""

    def __init__(self, data: st.DataObject) -> None:
        self.data = data
        self.now = utcnow()
        self.t = self.now - START_AGE
        self.events: list[LedgerEvent] = []
        fields = registration_fields(
            channel=self.draw(st.sampled_from(Channel)),
            petitioners=tuple(
                Petitioner(name=f"p{i}", id_number=f"{110101199001011230 + i}", phone="13800000000")
                for i in range(self.draw(st.integers(1, 5)))
            ),
        )
        fields["headcount"] = len(fields["petitioners"]) + self.draw(st.integers(0, 50))
        if self.draw(st.booleans()):
            fields.update(kind=Kind.ACCUSATION, accused_unit="town-9")
        with command_context(actor=self.actor(), occurred_at=self.t, now=self.now):
            self.case = Case.register(**fields)

    def draw(self, strategy: st.SearchStrategy[Any]) -> Any:
        return self.data.draw(strategy)

    def actor(self) -> Actor:
        return Actor(user_id=self.draw(ids), role="officer", unit_code="town-1")

    @property
    def today(self) -> date:
        return local_date(self.now)

    def day_after(self, start: date, most: int) -> date:
        return min(start + timedelta(days=self.draw(st.integers(0, most))), self.today)

    def at_least(self, day: date) -> None:
        """Move the clock to a moment on `day` if it is behind it (the step happened that day)."""
        self.t = max(self.t, moment_on(day, hour=self.draw(st.integers(0, 23))))

    # -- the valid commands of the current state, each returning its arguments ------------

    def options(self) -> dict[str, Callable[[], dict[str, Any]]]:
        case, status = self.case, self.case.status
        o: dict[str, Callable[[], dict[str, Any]]] = {}
        if status is S.REGISTERED:
            if not case.repeat_of_terminated:
                o["accept"] = lambda: {"accepting_unit": self.draw(ids)}
            o["not_accept"] = lambda: {
                "reason_code": self.draw(st.sampled_from(NotAcceptedReason)),
                "notice_issued_on": self.day_after(local_date(self.t), 10),
            }
            o["divert"] = lambda: {
                "pathway": self.draw(st.sampled_from(Pathway)),
                "institution": self.draw(texts),
            }
            o["transfer"] = lambda: {"authority": self.draw(texts)}
        if status is S.ACCEPTED:
            o["assign"] = self.assignment
        if status is S.IN_HANDLING:
            o["reassign"] = self.assignment
            o["record_progress"] = lambda: {
                "step": self.draw(st.sampled_from(ProgressStep)), "note": self.draw(st.none() | texts),
            }  # fmt: skip
            # R4: only a complaint request has a handling period to extend
            if has_handling_period(case.kind) and case.extension_period != case.handling_period:
                o["extend"] = lambda: {
                    "days": self.draw(st.integers(1, MAX_EXTENSION_DAYS)),
                    "approved_by": self.draw(ids),
                    "petitioner_notified_on": self.day_after(local_date(self.t), 3),
                }
            o["answer"] = self.answer
        if status in (S.IN_HANDLING, S.ANSWERED):
            o["record_mediation"] = lambda: {
                "outcome": self.draw(st.sampled_from(MediationOutcome)),
                "document_sha256": self.draw(st.none() | hex_sha),
            }
        if status is S.ANSWERED:
            o["record_return_visit"] = lambda: {
                "satisfaction": self.draw(st.sampled_from(Satisfaction)),
                "signed": self.draw(st.booleans()),
                # staff record every method but the petitioner's own self_service rating
                "method": self.draw(
                    st.sampled_from([m for m in ContactMethod if m is not ContactMethod.SELF_SERVICE])
                ),
                "comment": self.draw(st.none() | texts),
            }
        appeal = has_appeal_chain(case.kind)  # R4: complaint requests only
        if appeal and status in (S.ANSWERED, S.CLOSED) and case.review_answer_version != case.answer_version:
            o["request_review"] = self.request_review
        if (status is S.ANSWERED and case.return_visit_in_period) or status is S.REVIEWED:
            o["close"] = self.close
        if status in (S.ANSWERED, S.CLOSED, S.REVIEWED):
            o["terminate"] = self.terminate
        if status is S.CLOSED:
            o["reopen"] = dict
        if status is S.UNDER_REVIEW:
            o["decide_review"] = self.decision("review_requested_on")
        if appeal and (
            status is S.REVIEWED
            or (
                status is S.CLOSED
                and case.review_delivered_on is not None
                and case.re_review_requested_on is None
            )
        ):
            o["request_re_review"] = self.request_re_review
        if status is S.UNDER_RE_REVIEW:
            o["hold_hearing"] = self.hearing
            o["decide_re_review"] = self.decision("re_review_requested_on")
        if status in ALLOWED_FROM["archive"] and self.appeal_windows_close_by_today():
            o["archive"] = self.archive
        if status in OPEN_STATUSES:
            o["instruct"] = lambda: {"leader_id": self.draw(ids), "text": self.draw(texts)}
            o["supervise"] = lambda: {
                "supervisor_id": self.draw(ids),
                "reply_by": self.draw(st.dates(local_date(self.t), local_date(self.t) + timedelta(days=60))),
                "text": self.draw(texts),
            }
        if status is not S.ARCHIVED:
            if case.open_supervisions:
                o["answer_supervision"] = lambda: {
                    "supervision_version": self.draw(
                        st.none() | st.sampled_from(self.case.open_supervisions)
                    ),
                    "reply": self.draw(texts),
                }
            o["designate_backlog"] = lambda: {
                "campaign": self.draw(ids.filter(lambda c: c not in self.case.backlog_campaigns)),
                "designated_by": self.draw(ids),
            }
            o["link_repeat"] = lambda: {
                "earlier_case_id": self.draw(st.uuids().filter(lambda u: u not in self.case.repeat_of)),
                "earlier_terminated": self.draw(st.booleans()),
            }
            o["record_accountability"] = lambda: self._accountability(self.draw(st.sampled_from(Measure)))
            o["add_note"] = lambda: {"text": self.draw(texts)}
            o["attach_document"] = lambda: {
                "file_name": self.draw(texts), "media_type": "application/pdf", "sha256": self.draw(hex_sha),
            }  # fmt: skip
            if self.correctable():
                o["correct"] = self.correction
        o["record_personal_data_view"] = lambda: {"purpose": self.draw(texts)}
        return o

    def _accountability(self, measure: Measure) -> dict[str, Any]:
        # an order to rectify names its deadline, and only it does (第三十九条)
        days = timedelta(days=self.draw(st.integers(1, 60)))
        deadline = {"rectify_by": self.today + days} if measure is Measure.ORDERED_RECTIFICATION else {}
        return {
            "measure": measure,
            "basis": self.draw(texts),
            "decided_by": self.draw(ids),
            "target_leader_id": self.draw(ids),
            "target_unit_code": self.draw(st.none() | ids),
            **deadline,
        }

    def assignment(self) -> dict[str, Any]:
        return {
            "unit_code": self.draw(ids.filter(lambda u: u != self.case.unit_code)),
            "leader_id": self.draw(ids),
            "officer_id": self.draw(st.none() | ids),
        }

    def answer(self) -> dict[str, Any]:
        delivered_on = self.day_after(local_date(self.t), 5)
        return {
            "outcome": self.draw(st.sampled_from(AnswerOutcome)),
            "delivered_on": delivered_on,
            "document_sha256": self.draw(st.none() | hex_sha),
        }

    def request_review(self) -> dict[str, Any]:
        assert self.case.answer_delivered_on is not None
        requested_on = self.day_after(self.case.answer_delivered_on, 30)
        self.at_least(requested_on)
        return {"requested_on": requested_on}

    def request_re_review(self) -> dict[str, Any]:
        assert self.case.review_delivered_on is not None
        requested_on = self.day_after(self.case.review_delivered_on, 30)
        self.at_least(requested_on)
        return {"requested_on": requested_on}

    def decision(self, requested: str) -> Callable[[], dict[str, Any]]:
        def arguments() -> dict[str, Any]:
            delivered_on = self.day_after(getattr(self.case, requested), 30)
            self.at_least(delivered_on)
            return {
                "reviewing_unit": self.draw(ids),
                "decision": self.draw(st.sampled_from(ReviewDecision)),
                "delivered_on": delivered_on,
            }

        return arguments

    def appeal_windows_close_by_today(self) -> bool:
        window = self.case.open_appeal_window(local_date(self.t))
        # the day after the window is wholly past, so no hour of it lies in the future
        return window is None or window[1] + timedelta(days=1) < self.today

    def archive(self) -> dict[str, Any]:
        # R3: archived only once no review or re-review request window is open.
        while (window := self.case.open_appeal_window(local_date(self.t))) is not None:
            self.at_least(window[1] + timedelta(days=1))
        return {"dossier": tuple(self.draw(st.permutations(list(DossierItem))))}

    def hearing(self) -> dict[str, Any]:
        started_on = self.day_after(self.case.re_review_requested_on, 20)  # type: ignore[arg-type]
        return {"started_on": started_on, "ended_on": self.day_after(started_on, 3)}

    def close(self) -> dict[str, Any]:
        types = [ClosureType.RESOLVED, ClosureType.ANSWERED_ONLY]
        if self.case.mediation_outcome in (MediationOutcome.AGREEMENT, MediationOutcome.SETTLEMENT):
            types.append(ClosureType.MEDIATED)
        return {"closure_type": self.draw(st.sampled_from(types))}

    def terminate(self) -> dict[str, Any]:
        if self.case.mediation_outcome is MediationOutcome.AGREEMENT and self.draw(st.booleans()):
            return {"basis": TerminationBasis.MEDIATION_AGREEMENT}
        # No (re-)review in time: the step happens after the window has run out.
        case = self.case
        if case.review_delivered_on is not None:  # reviewed, perhaps closed since
            delivered, window = case.review_delivered_on, case.policy.re_review_window_days
        else:
            delivered, window = case.answer_delivered_on, case.policy.review_window_days
        assert delivered is not None
        self.at_least(case.policy.add_days(delivered, window) + timedelta(days=self.draw(st.integers(1, 5))))
        return {"basis": TerminationBasis.NO_REVIEW_IN_TIME}

    def correctable(self) -> list[tuple[LedgerEvent, str]]:
        events = self.events + list(self.case._pending_events)
        return [(event, field) for event in events for field in simply_typed_correctable(type(event))]

    def correction(self) -> dict[str, Any]:
        event, field = self.draw(st.sampled_from(self.correctable()))
        cls_name = type(event).__name__
        key = str(event.originator_version)
        old = self.case.corrections.get(key, {}).get(field, to_json_value(getattr(event, field)))
        hint = field_type(type(event), field)
        new: Any
        if hint is str:
            new = self.draw(texts.filter(lambda v: v != old))
        elif hint is date:
            new = (date.fromisoformat(old) - timedelta(days=self.draw(st.integers(1, 5)))).isoformat()
        elif hint is bool:
            new = not old
        elif hint is int:
            new = old + self.draw(st.integers(1, 5))
        else:
            new = self.draw(st.sampled_from([m.value for m in hint if m.value != old]))
        return {
            "target_version": event.originator_version, "target_type": cls_name,
            "field": field, "old_value": old, "new_value": new,
        }  # fmt: skip

    # -- one step ----------------------------------------------------------------------------

    def step(self) -> None:
        options = self.options()
        moves = [c for c in sorted(options) for _ in range(WEIGHT.get(c, 0))]
        # Mostly move the case along, so deep states (re-review, reopened, archived) are reached.
        if moves and self.draw(st.integers(0, 9)) < 7:
            command = self.draw(st.sampled_from(moves))
        else:
            command = self.draw(st.sampled_from(sorted(options)))
        self.t += timedelta(minutes=self.draw(st.integers(0, 3 * 24 * 60)))
        arguments = options[command]()
        assert self.t <= self.now, "the sequence ran past the present"
        before, status = self.case.version, self.case.status
        with command_context(
            actor=self.actor(), occurred_at=self.t, now=self.now,
            reason=self.draw(texts), request_id=self.draw(st.none() | ids),
        ):  # fmt: skip
            getattr(self.case, command)(**arguments)
        assert self.case.version > before
        after = self.case.status
        assert after is status or after in NEXT[status], (command, status, after)

    def rebuild_from_storage(self) -> None:
        """Store what is pending, then carry on with the case as loaded from the stored rows."""
        self.events += self.case.collect_events()
        reloaded = replay(round_trip(self.events))
        assert state_of(reloaded) == state_of(self.case)
        self.case = reloaded


def assert_chain(events: list[LedgerEvent]) -> None:
    assert events[0].prev_hash == GENESIS_HASH
    for before, event in pairwise(events):
        assert event.originator_version == before.originator_version + 1
        assert event.prev_hash == event_hash(before, get_topic(type(before)))


@SETTINGS
@given(data=st.data())
def test_valid_command_sequences_replay_to_the_same_case_with_an_unbroken_chain(
    data: st.DataObject,
) -> None:
    driver = Driver(data)
    steps = data.draw(st.integers(1, MAX_STEPS), label="steps")
    reload_at = data.draw(st.integers(0, steps), label="reload at")
    for i in range(steps):
        if i == reload_at:
            driver.rebuild_from_storage()
        driver.step()
    final = driver.case
    events = driver.events + final.collect_events()
    assert len(events) == final.version

    assert state_of(replay(events)) == state_of(final)
    stored = [mapper().to_stored_event(e) for e in events]
    decoded = [mapper().to_domain_event(s) for s in stored]
    assert decoded == events
    assert state_of(replay(decoded)) == state_of(final)

    assert_chain(events)
    assert final.chain_head == event_hash(events[-1], get_topic(type(events[-1])))
    for row, event in zip(stored, events, strict=True):
        assert hash_stored(row.originator_id, row.originator_version, row.topic, row.state) == event_hash(
            event, row.topic
        )


# The lifecycle of DOMAIN.md as the aggregate implements it: every step stays on these arrows.
NEXT: dict[Status, set[Status]] = {
    S.REGISTERED: {S.ACCEPTED, S.NOT_ACCEPTED, S.DIVERTED, S.TRANSFERRED},
    S.ACCEPTED: {S.IN_HANDLING},
    S.IN_HANDLING: {S.ANSWERED},
    S.ANSWERED: {S.CLOSED, S.UNDER_REVIEW, S.TERMINATED},
    S.CLOSED: {S.ARCHIVED, S.IN_HANDLING, S.UNDER_REVIEW, S.UNDER_RE_REVIEW, S.TERMINATED},
    S.UNDER_REVIEW: {S.REVIEWED},
    S.REVIEWED: {S.UNDER_RE_REVIEW, S.CLOSED, S.TERMINATED},
    S.UNDER_RE_REVIEW: {S.TERMINATED},
    S.TERMINATED: {S.ARCHIVED},
    S.NOT_ACCEPTED: {S.ARCHIVED},
    S.DIVERTED: {S.ARCHIVED},
    S.TRANSFERRED: {S.ARCHIVED},
    S.ARCHIVED: set(),
}


# ---- (b) any command, any arguments -------------------------------------------------------------

COMMANDS = sorted({*ALLOWED_FROM, "record_personal_data_view"})
ENUMS: dict[str, type[Enum]] = {
    "reason_code": NotAcceptedReason, "pathway": Pathway, "step": ProgressStep,
    "outcome": MediationOutcome, "satisfaction": Satisfaction, "method": ContactMethod,
    "decision": ReviewDecision, "closure_type": ClosureType, "basis": TerminationBasis,
    "measure": Measure,
}  # fmt: skip


def well_typed(command: str, name: str, annotation: str) -> st.SearchStrategy[Any]:
    """Values of the declared type, deliberately including out-of-range ones."""
    days = st.dates(date(1990, 1, 1), date(2100, 1, 1))
    # Within the 64-bit range JSON stores (values beyond it: see the unit test on unencodable values).
    small_ints = st.integers(-5, 40) | st.integers(-(2**63), 2**63)
    strings = st.text(max_size=70) | hex_sha | st.sampled_from(["", "  ", "x"])
    optional = "None" in annotation
    base: st.SearchStrategy[Any]
    if name == "outcome":
        base = st.sampled_from(AnswerOutcome if command == "answer" else MediationOutcome)
    elif name == "basis" and command == "clear_backlog":
        base = st.sampled_from(ClearanceBasis)
    elif name in ENUMS:
        base = st.sampled_from(ENUMS[name])
    elif annotation.startswith("date"):
        base = days | st.dates(date.today() - timedelta(days=40), date.today() + timedelta(days=2))
    elif annotation.startswith("int"):
        base = small_ints | st.integers(0, 12)
    elif annotation == "bool":
        base = st.booleans()
    elif annotation == "UUID":
        base = st.uuids()
    elif name == "dossier":
        base = st.lists(st.sampled_from(DossierItem), max_size=8).map(tuple)
    elif name in ("old_value", "new_value"):
        base = st.none() | small_ints | st.text(max_size=10) | st.booleans()
    elif name == "target_type":
        base = st.sampled_from([c.__name__ for c in ev.CASE_EVENT_TYPES]) | st.text(max_size=5)
    else:
        base = strings
    return st.none() | base if optional else base


def wrong_typed() -> st.SearchStrategy[Any]:
    """Values of another type, including plain strings that spell an enum member or a date."""
    return st.one_of(
        st.none(), st.integers(), st.floats(allow_nan=True), st.text(max_size=8), st.binary(max_size=4),
        st.lists(st.integers(), max_size=2), st.dictionaries(st.text(max_size=2), st.integers(), max_size=2),
        st.sampled_from(["2024-01-01", "mediated", "accusation", "no_review_in_time", "support"]),
        st.datetimes(), st.uuids().map(str),
    )  # fmt: skip


def argument_strategy(command: str, allow_wrong_types: bool) -> st.SearchStrategy[dict[str, Any]]:
    params = inspect.signature(getattr(Case, command)).parameters
    fields = {}
    for name, p in params.items():
        if name == "self":
            continue
        value = well_typed(command, name, str(p.annotation))
        if allow_wrong_types:
            value = value | wrong_typed()
        fields[name] = value
    return st.fixed_dictionaries(fields)


def occurred_moments(case: Case) -> st.SearchStrategy[datetime | None]:
    assert case.registered_at is not None and case.last_transition_at is not None
    now = utcnow()
    return st.one_of(
        st.none(),
        st.just(case.last_transition_at + timedelta(hours=1)),
        st.just(case.registered_at - timedelta(seconds=1)),
        st.just(now + timedelta(days=1)),
        st.datetimes(
            min_value=datetime(2000, 1, 1), max_value=datetime(2099, 1, 1),
            timezones=st.sampled_from([moment_on(date.today()).tzinfo, now.tzinfo]),
        ),
    )  # fmt: skip


def run_any_command(data: st.DataObject, allow_wrong_types: bool) -> None:
    case = case_in(data.draw(st.sampled_from(Status), label="status"))
    command = data.draw(st.sampled_from(COMMANDS), label="command")
    arguments = data.draw(argument_strategy(command, allow_wrong_types), label="arguments")
    occurred_at = data.draw(occurred_moments(case), label="occurred_at")
    reason = data.draw(st.none() | st.sampled_from(["", " ", "because"]), label="reason")
    before = (case.version, case.chain_head, list(case._pending_events), state_of(case))
    try:
        with command_context(occurred_at=occurred_at, reason=reason):
            getattr(case, command)(**arguments)
    except DomainError as refused:
        assert refused.code
        after = (case.version, case.chain_head, list(case._pending_events), state_of(case))
        assert after == before
    else:
        assert case.version > before[0]
        events = list(case._pending_events)
        assert_chain(events)
        assert state_of(replay(round_trip(events))) == state_of(case)


@SETTINGS
@given(data=st.data())
def test_any_command_with_out_of_range_arguments_succeeds_or_is_refused_cleanly(
    data: st.DataObject,
) -> None:
    run_any_command(data, allow_wrong_types=False)


@settings(SETTINGS, phases=[Phase.explicit, Phase.generate])
@given(data=st.data())
def test_any_command_with_wrongly_typed_arguments_succeeds_or_is_refused_cleanly(
    data: st.DataObject,
) -> None:
    run_any_command(data, allow_wrong_types=True)
