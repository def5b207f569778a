"""Every event class survives the canonical orjson mapping exactly, and its hash is derivable from the row."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime, timedelta, timezone
from types import ModuleType
from typing import Any
from uuid import uuid4

import orjson
import pytest
from eventsourcing.domain import CanInitAggregate
from eventsourcing.persistence import StoredEvent
from eventsourcing.utils import get_topic

from domain import case_events, policy_adoptions, practices, recommendations, reference
from domain.case import Case
from domain.case_events import CASE_EVENT_TYPES
from domain.context import command_context
from domain.integrity import GENESIS_HASH, canonical_json, event_hash, hash_stored
from domain.ledger import LedgerEvent
from domain.policy import local_date
from domain.policy_adoptions import ADOPTION_EVENTS, PolicyAdoptions
from domain.practices import CAMPAIGN_EVENTS, RECEPTION_EVENTS, Campaign, Reception
from domain.recommendations import RECOMMENDATION_EVENTS, Recommendation
from domain.reference import REFERENCE_EVENT_TYPES, Leader, TokenIndex, Unit, User
from domain.serialization import CanonicalTranscoder, TypedMapper, decode_state
from domain.values import Actor, Petitioner
from domain.vocabulary import (
    AnswerOutcome,
    Channel,
    ClearanceBasis,
    ClosureType,
    ContactMethod,
    DiversionOutcome,
    DossierItem,
    Kind,
    LocalPolicy,
    Measure,
    MediationOutcome,
    NotAcceptedReason,
    NoticeMode,
    Pathway,
    ProgressStep,
    ReceptionKind,
    RecommendationKind,
    ReviewDecision,
    Role,
    Satisfaction,
    TerminationBasis,
)
from tests.factories import (
    actor,
    assigned_case,
    closed_case,
    perform,
    petitioner,
    registered_case,
    rid,
    sha256,
    terminated_case,
    under_re_review_case,
)

BEIJING = timezone(timedelta(hours=8))
ALL_EVENT_TYPES: tuple[type[LedgerEvent], ...] = (
    *CASE_EVENT_TYPES, *REFERENCE_EVENT_TYPES, *ADOPTION_EVENTS, *RECEPTION_EVENTS, *CAMPAIGN_EVENTS,
    *RECOMMENDATION_EVENTS,
)  # fmt: skip
BASE_FIELDS = {
    "originator_id", "originator_version", "timestamp", "originator_topic",
    "actor", "occurred_at", "reason", "request_id", "prev_hash",
}  # fmt: skip


def mapper() -> TypedMapper:
    return TypedMapper(transcoder=CanonicalTranscoder())


def defined_event_classes(module: ModuleType) -> set[type[LedgerEvent]]:
    """Every concrete LedgerEvent subclass defined in a module (bases without fields of their own excluded)."""
    return {
        obj
        for obj in vars(module).values()
        if isinstance(obj, type)
        and issubclass(obj, LedgerEvent)
        and obj.__module__ == module.__name__
        and obj is not case_events.CaseEvent
    }


def test_the_event_type_lists_cover_every_event_class_defined() -> None:
    assert defined_event_classes(case_events) == set(CASE_EVENT_TYPES)
    assert defined_event_classes(reference) == set(REFERENCE_EVENT_TYPES)
    assert defined_event_classes(policy_adoptions) == set(ADOPTION_EVENTS)
    assert defined_event_classes(practices) == {*RECEPTION_EVENTS, *CAMPAIGN_EVENTS}
    assert defined_event_classes(recommendations) == set(RECOMMENDATION_EVENTS)
    assert len(set(ALL_EVENT_TYPES)) == len(ALL_EVENT_TYPES)


def moment(days: int = 0) -> datetime:
    """A Beijing-time instant with microseconds (the hardest datetime to keep exact)."""
    return datetime(2024, 3, 1, 9, 30, 15, 123456, tzinfo=BEIJING) + timedelta(days=days)


QUERY_CODE_HASH = "scrypt$16384$8$1$c2FsdHNhbHRzYWx0c2FsdA$a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2U"
# Each event class's own fields, every optional one filled, with realistic values.
OWN_FIELDS: dict[type[LedgerEvent], dict[str, Any]] = {
    case_events.Registered: {
        "channel": Channel.LETTER, "kind": Kind.ACCUSATION,
        "petitioners": (petitioner(), petitioner(address=None), Petitioner(name="匿名")),
        "headcount": 12, "subject": "征地补偿", "content": "补偿款未发放", "category": "land",
        "region_code": "330106", "received_unit": "county-bureau", "policy_version": "2022-calendar",
        "external_ref": "GJXF-2024-000123", "accused_unit": "town-3", "accused_leader": "leader-9",
        "terminated_matter_on_record": True, "query_code_hash": QUERY_CODE_HASH,
        "reception_id": str(uuid4()),
    },
    case_events.Accepted: {
        "accepting_unit": "county-bureau", "policy_version": "2022-working",
        "notice_issued_on": date(2024, 3, 4), "notice_mode": NoticeMode.WRITTEN, "notice_pending": False,
        "different_matter_reason": "另一宗宅基地，与已终结事项无关",
    },
    case_events.NotAccepted: {
        "reason_code": NotAcceptedReason.ANONYMOUS_UNCLEAR, "notice_issued_on": None,
        "notice_mode": NoticeMode.ADDRESS_UNCLEAR, "notice_pending": False,
    },
    case_events.Diverted: {
        "pathway": Pathway.ADMINISTRATIVE_RECONSIDERATION, "institution": "county government",
        "notice_issued_on": None, "notice_mode": None, "notice_pending": True,
    },
    case_events.Transferred: {
        "authority": "provincial petition bureau", "notice_issued_on": date(2024, 3, 2),
        "notice_mode": NoticeMode.ON_THE_SPOT, "notice_pending": False,
    },
    case_events.Assigned: {
        "unit_code": "town-1", "leader_id": "leader-1", "officer_id": "officer-1", "report_by": date(2024, 4, 1),
    },
    case_events.Reassigned: {
        "unit_code": "town-2", "leader_id": "leader-2", "officer_id": "officer-2", "report_by": None,
    },
    case_events.Instructed: {"leader_id": "leader-1", "text": "限期办结"},
    case_events.SupervisionIssued: {
        "supervisor_id": "sup-1", "reply_by": date(2024, 3, 20), "text": "督办函",
    },
    case_events.SupervisionAnswered: {"supervision_version": 7, "reply": "已处理"},
    case_events.ProgressRecorded: {"step": ProgressStep.COORDINATION_MEETING, "note": "三方会商"},
    case_events.MediationRecorded: {"outcome": MediationOutcome.SETTLEMENT, "document_sha256": sha256()},
    case_events.ExtensionGranted: {
        "days": 30, "approved_by": "head-1", "petitioner_notified_on": date(2024, 4, 2),
    },
    case_events.Answered: {
        "outcome": AnswerOutcome.SUPPORT, "delivered_on": date(2024, 4, 20), "document_sha256": sha256(),
    },
    case_events.ReturnVisitRecorded: {
        "satisfaction": Satisfaction.BASICALLY_SATISFIED, "signed": False,
        "method": ContactMethod.VISIT, "answer_sha256": sha256(), "comment": "基本满意",
    },
    case_events.ReviewRequested: {
        "requested_on": date(2024, 5, 1), "received_on": date(2024, 5, 3), "deciding_unit": "county",
        "referred_upward": False,
    },
    case_events.ReviewDecided: {
        "reviewing_unit": "city-bureau", "decision": ReviewDecision.CHANGED, "delivered_on": date(2024, 5, 20),
        "decided_outside": True, "document_sha256": sha256(),
    },
    case_events.ReReviewRequested: {
        "requested_on": date(2024, 6, 1), "received_on": date(2024, 6, 1), "deciding_unit": None,
        "referred_upward": True,
    },
    case_events.HearingHeld: {"started_on": date(2024, 6, 5), "ended_on": date(2024, 6, 6)},
    case_events.ReReviewDecided: {
        "reviewing_unit": "province", "decision": ReviewDecision.UPHELD, "delivered_on": date(2024, 6, 30),
        "decided_outside": True, "document_sha256": sha256(),
    },
    case_events.Closed: {"closure_type": ClosureType.MEDIATED},
    case_events.Reopened: {},
    case_events.Terminated: {"basis": TerminationBasis.NO_REVIEW_IN_TIME},
    case_events.Archived: {"dossier": tuple(sorted(DossierItem))},
    case_events.BacklogDesignated: {"campaign": "2024 积案化解", "designated_by": "sup-1"},
    case_events.BacklogCleared: {
        "campaign": "jaan-2024", "approved_by": "leader-1", "basis": ClearanceBasis.CLOSED, "cleared_by": "sup-1",
    },
    case_events.RepeatLinked: {"earlier_case_id": uuid4(), "earlier_terminated": True},
    case_events.AccountabilityRecorded: {
        "measure": Measure.ADMONISHMENT, "basis": "逾期未办结", "decided_by": "inspector-1",
        "target_leader_id": "leader-1", "target_unit_code": "town-1", "rectify_by": date(2024, 5, 1),
    },
    case_events.NoteAdded: {"text": "电话联系信访人"},
    case_events.DocumentAttached: {
        "file_name": "答复意见书.pdf", "media_type": "application/pdf", "sha256": sha256(),
    },
    case_events.Corrected: {
        "target_version": 3, "target_type": "Answered", "field": "delivered_on",
        "old_value": "2024-04-20", "new_value": "2024-04-19",
    },
    case_events.PersonalDataViewed: {"purpose": "核实身份"},
    case_events.NoticeIssued: {"issued_on": date(2024, 3, 8), "notice_mode": NoticeMode.WRITTEN},
    case_events.CompletionReported: {"text": "已办结，附报告", "document_sha256": sha256()},
    case_events.AssignmentObjected: {},
    case_events.ObjectionDecided: {"upheld": True},
    case_events.DiversionOutcomeRecorded: {"outcome": DiversionOutcome.RETURNED, "on": date(2024, 4, 9)},
    case_events.QueryCodeReissued: {"query_code_hash": QUERY_CODE_HASH},
    reference.UnitCreated: {"code": "town-1", "name": "城关镇", "parent_code": "county"},
    reference.UnitRenamed: {"name": "城关街道"},
    reference.LeaderAppointed: {
        "leader_id": "leader-1", "name": "王某", "unit_code": "town-1", "post": "镇长",
    },
    reference.LeaderPosted: {"unit_code": "county", "post": "副县长"},
    reference.LeaderLeft: {},
    reference.UserCreated: {
        "user_id": "u-1", "name": "李某", "role": Role.LEADER, "unit_code": "town-1", "leader_id": "leader-1",
    },
    reference.TokenIssued: {"token_hash": sha256(), "expires_at": moment(90)},
    reference.TokenRevoked: {"token_hash": sha256()},
    reference.UserDeactivated: {},
    reference.RoleChanged: {"role": Role.LEADER},
    reference.TokenRegistered: {"user_id": "u-1", "token_hash": sha256()},
    policy_adoptions.PolicyAdoptionsOpened: {},
    policy_adoptions.PolicyAdopted: {"policy_version": "2022-calendar-2", "effective_from": date(2024, 3, 1)},
    practices.ReceptionRecorded: {
        "reception_id": str(uuid4()), "leader_id": "leader-1", "held_on": date(2024, 3, 5), "place": "接待室",
        "kind": ReceptionKind.JOINT, "unit_code": "town-1", "unit_codes": ("town-1", "dept-2"),
    },
    practices.CampaignOpened: {
        "campaign_id": "jaan-2024", "name": "积案化解专项", "starts_on": date(2024, 3, 1),
        "due_on": date(2024, 6, 30), "unit_code": "county",
    },
    # issue 21
    case_events.ImplementationRecorded: {"done_on": date(2024, 4, 20), "note": "补偿款已发放"},
    policy_adoptions.LocalPolicySet: {
        "option": LocalPolicy.ESCALATION, "in_force": True, "effective_from": date(2024, 3, 1),
    },
    recommendations.RecommendationIssued: {
        "kind": RecommendationKind.ACCOUNTABILITY, "target_unit_code": "town-1", "text": "建议追究责任",
        "issuing_unit": "county", "policy_version": "2022-calendar-2", "feedback_due": date(2024, 4, 1),
    },
    recommendations.RecommendationFeedbackGiven: {"adopted": True, "text": "已采纳，正在整改"},
}  # fmt: skip

AGGREGATE_OF = {
    **{cls: Case for cls in CASE_EVENT_TYPES},
    reference.UnitCreated: Unit, reference.LeaderAppointed: Leader,
    reference.UserCreated: User, reference.TokenRegistered: TokenIndex,
    policy_adoptions.PolicyAdoptionsOpened: PolicyAdoptions,
    practices.ReceptionRecorded: Reception, practices.CampaignOpened: Campaign,
    recommendations.RecommendationIssued: recommendations.Recommendation,
}  # fmt: skip


def build(cls: type[LedgerEvent]) -> LedgerEvent:
    """A directly constructed event with every field set, Beijing-time datetimes included."""
    fields: dict[str, Any] = {
        "originator_id": uuid4(),
        "originator_version": 1 if issubclass(cls, CanInitAggregate) else 5,
        "timestamp": moment(1),
        "actor": Actor(user_id=rid("u-"), role="officer", unit_code="town-1"),
        "occurred_at": moment(),
        "reason": "信访人来电补充材料",
        "request_id": rid("req-"),
        "prev_hash": GENESIS_HASH if issubclass(cls, CanInitAggregate) else sha256(),
        **OWN_FIELDS[cls],
    }
    if issubclass(cls, CanInitAggregate):
        fields["originator_topic"] = get_topic(AGGREGATE_OF[cls])
    return cls(**fields)


def test_every_event_class_has_a_sample_with_all_its_fields() -> None:
    assert set(OWN_FIELDS) == set(ALL_EVENT_TYPES)
    for cls in ALL_EVENT_TYPES:
        names = {f.name for f in dataclasses.fields(cls)}
        assert names - BASE_FIELDS == set(OWN_FIELDS[cls]), cls.__name__


def same_types(a: Any, b: Any, where: str) -> None:
    assert type(a) is type(b), f"{where}: {type(a).__name__} became {type(b).__name__}"
    if isinstance(a, (tuple, list)):
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            same_types(x, y, f"{where}[{i}]")
    elif isinstance(a, dict):
        assert a.keys() == b.keys()
        for key in a:
            same_types(a[key], b[key], f"{where}.{key}")
    elif dataclasses.is_dataclass(a):
        for f in dataclasses.fields(a):
            same_types(getattr(a, f.name), getattr(b, f.name), f"{where}.{f.name}")
    elif isinstance(a, datetime):
        assert a.utcoffset() == b.utcoffset(), where
        assert a.isoformat() == b.isoformat(), where


def assert_exact_round_trip(event: LedgerEvent) -> StoredEvent:
    m = mapper()
    stored = m.to_stored_event(event)
    decoded = m.to_domain_event(stored)
    assert decoded == event
    assert type(decoded) is type(event)
    for f in dataclasses.fields(event):
        same_types(getattr(event, f.name), getattr(decoded, f.name), f"{type(event).__name__}.{f.name}")
    again = m.to_stored_event(decoded)
    assert again.state == stored.state
    assert (again.topic, again.originator_id, again.originator_version) == (
        stored.topic, stored.originator_id, stored.originator_version,
    )  # fmt: skip
    return stored


@pytest.mark.parametrize("cls", ALL_EVENT_TYPES, ids=lambda c: c.__name__)
def test_every_event_class_round_trips_exactly(cls: type[LedgerEvent]) -> None:
    assert_exact_round_trip(build(cls))


@pytest.mark.parametrize("cls", ALL_EVENT_TYPES, ids=lambda c: c.__name__)
def test_stored_state_is_canonical_json(cls: type[LedgerEvent]) -> None:
    stored = mapper().to_stored_event(build(cls))
    assert stored.state == orjson.dumps(orjson.loads(stored.state), option=orjson.OPT_SORT_KEYS)
    assert stored.state == canonical_json(orjson.loads(stored.state))
    assert b"\n" not in stored.state and b": " not in stored.state
    assert "originator_id" not in orjson.loads(stored.state)


@pytest.mark.parametrize("cls", ALL_EVENT_TYPES, ids=lambda c: c.__name__)
def test_the_hash_is_derivable_from_the_stored_row(cls: type[LedgerEvent]) -> None:
    event = build(cls)
    stored = mapper().to_stored_event(event)
    topic = get_topic(cls)
    assert stored.topic == topic
    from_row = hash_stored(stored.originator_id, stored.originator_version, stored.topic, stored.state)
    assert from_row == event_hash(event, topic)
    assert from_row == event_hash(mapper().to_domain_event(stored), topic)


@pytest.mark.parametrize("cls", ALL_EVENT_TYPES, ids=lambda c: c.__name__)
def test_decode_state_restores_the_field_types_without_the_class(cls: type[LedgerEvent]) -> None:
    event = build(cls)
    stored = mapper().to_stored_event(event)
    decoded_cls, fields = decode_state(stored.topic, stored.state)
    assert decoded_cls is cls
    for name, value in fields.items():
        same_types(getattr(event, name), value, f"{cls.__name__}.{name}")
        assert value == getattr(event, name)


def test_beijing_time_keeps_its_offset_and_microseconds() -> None:
    event = build(case_events.NoteAdded)
    state = orjson.loads(mapper().to_stored_event(event).state)
    assert state["occurred_at"] == "2024-03-01T09:30:15.123456+08:00"
    decoded = mapper().to_domain_event(mapper().to_stored_event(event))
    assert decoded.occurred_at.utcoffset() == timedelta(hours=8)
    assert decoded.occurred_at.microsecond == 123456


def test_a_changed_byte_changes_the_hash() -> None:
    stored = mapper().to_stored_event(build(case_events.Answered))
    tampered = stored.state.replace(b'"support"', b'"reject"')
    assert tampered != stored.state
    assert hash_stored(
        stored.originator_id, stored.originator_version, stored.topic, tampered
    ) != hash_stored(stored.originator_id, stored.originator_version, stored.topic, stored.state)


def events_from_real_commands() -> list[LedgerEvent]:
    """Events produced by the aggregates' own commands, covering most classes."""
    events: list[LedgerEvent] = []
    case = terminated_case()
    perform(case, "add_note", text="note")
    perform(case, "attach_document", file_name="a.pdf", media_type="application/pdf", sha256=sha256())
    perform(case, "designate_backlog", campaign="c", designated_by="s")
    perform(case, "clear_backlog", campaign="c", approved_by="l", basis=ClearanceBasis.PETITIONER_DESISTED,
            cleared_by="s")  # fmt: skip
    perform(case, "link_repeat", earlier_case_id=uuid4(), earlier_terminated=False)
    perform(case, "record_accountability", measure=Measure.INTERVIEW, basis="b", decided_by="i",
            target_unit_code="town-1")  # fmt: skip
    perform(case, "correct", reason="typo", target_version=1, target_type="Registered",
            field="headcount", old_value=1, new_value=2)  # fmt: skip
    perform(case, "record_personal_data_view", purpose="p")
    perform(case, "archive", dossier=tuple(DossierItem))
    events += case.collect_events()
    handled = assigned_case()
    perform(handled, "reassign", unit_code="u2", leader_id="l2")
    perform(handled, "instruct", leader_id="l2", text="t")
    perform(handled, "supervise", supervisor_id="s", reply_by=date.today(), text="t")
    perform(handled, "answer_supervision", supervision_version=None, reply="r")
    perform(handled, "record_progress", step=ProgressStep.FACTS_ESTABLISHED, note="n")
    perform(handled, "record_mediation", outcome=MediationOutcome.AGREEMENT, document_sha256=sha256())
    perform(handled, "extend", reason="complex", days=15, approved_by="h",
            petitioner_notified_on=date.today() - timedelta(days=300))  # fmt: skip
    events += handled.collect_events()
    reopened = perform(closed_case(), "reopen", reason="back")
    events += reopened.collect_events()
    for command, kwargs in (
        ("not_accept", {"reason_code": NotAcceptedReason.SKIPPED_LEVELS, "notice_issued_on": date.today()}),
        ("divert", {"pathway": Pathway.POLICE, "institution": "police"}),
        ("transfer", {"authority": "a"}),
    ):
        events += perform(registered_case(), command, **kwargs).collect_events()[1:]
    events += process_events()
    heard = under_re_review_case()
    assert heard.re_review_requested_on is not None
    day = heard.re_review_requested_on + timedelta(days=1)
    perform(heard, "hold_hearing", started_on=day, ended_on=day + timedelta(days=1))
    events += heard.collect_events()
    unit = Unit.create(code=rid(), name="n", parent_code=None)
    unit.rename(name="m")
    leader = Leader.appoint(leader_id=rid(), name="n", unit_code="u", post="p")
    leader.move(unit_code="u2", post="p2")
    leader.leave()
    user = User.create(user_id=rid(), name="n", role=Role.OFFICER, unit_code="u", leader_id=None)
    token = sha256()
    user.issue_token(token_hash=token, expires_at=None)
    user.revoke_token(token_hash=token)
    user.change_role(role=Role.SUPERVISOR)
    user.deactivate()
    index = TokenIndex.register(token_hash=token, user_id=user.user_id)
    adoptions = PolicyAdoptions.open()
    adoptions.adopt(policy_version="2022-calendar-2", effective_from=date(2024, 3, 1))
    reception = Reception.record(leader_id="l", held_on=date.today(), place="p", kind=ReceptionKind.LEADER_DAY,
                                 unit_code="u", unit_codes=())  # fmt: skip
    campaign = Campaign.open(campaign_id=rid(), name="n", starts_on=date.today(), due_on=date.today(), unit_code=None)
    adoptions.set_local_policy(option=LocalPolicy.ESCALATION, in_force=True, effective_from=date(2024, 3, 1))
    with command_context(actor=actor("supervisor")):
        recommendation = Recommendation.issue(
            kind=RecommendationKind.IMPROVE, target_unit_code="town-1", text="建议改进",
            issuing_unit="county", policy_version="2022-calendar-2",
        )  # fmt: skip
        recommendation.give_feedback(adopted=False, text="不予采纳，理由如下")
    for aggregate in (unit, leader, user, index, adoptions, reception, campaign, recommendation):
        events += aggregate.collect_events()
    supported = assigned_case()
    perform(supported, "answer", outcome=AnswerOutcome.SUPPORT, delivered_on=date.today())
    assert supported.answer_delivered_on is not None
    perform(supported, "record_implementation", done_on=supported.answer_delivered_on, note="已落实")
    events += supported.collect_events()
    return events


def process_events() -> list[LedgerEvent]:
    """Notices, completion reports, objections and diversion outcomes (issue 18)."""
    noticed = perform(registered_case(), "accept", accepting_unit="u")
    perform(noticed, "record_notice", issued_on=date.today(), notice_mode=NoticeMode.WRITTEN)
    objected = assigned_case()
    perform(objected, "report_completion", text="报告", document_sha256=sha256())
    perform(objected, "object_to_assignment", reason="不属本单位职权")
    perform(objected, "decide_objection", upheld=True)
    returned = perform(registered_case(), "divert", pathway=Pathway.ARBITRATION, institution="劳动仲裁委")
    assert returned.screened_at is not None
    perform(returned, "record_diversion_outcome", outcome=DiversionOutcome.RETURNED,
            on=local_date(returned.screened_at) + timedelta(days=1))  # fmt: skip
    perform(returned, "reissue_query_code", query_code_hash=QUERY_CODE_HASH)
    return [e for c in (noticed, objected, returned) for e in c.collect_events()[1:]]


def test_a_screening_event_stored_before_notices_decodes_with_its_hash_and_no_notice_owed() -> None:
    """Existing ledgers keep working: an `Accepted` row without the R5 fields decodes, hashes as
    it was stored (the defaults are not added to its state) and owes no notice."""
    event = build(case_events.Accepted)
    stored = mapper().to_stored_event(event)
    state = orjson.loads(stored.state)
    for name in ("notice_issued_on", "notice_mode", "notice_pending"):
        del state[name]
    old = StoredEvent(stored.originator_id, stored.originator_version, stored.topic, canonical_json(state))
    decoded = mapper().to_domain_event(old)
    assert isinstance(decoded, case_events.Accepted)
    assert (decoded.notice_issued_on, decoded.notice_mode, decoded.notice_pending) == (None, None, False)
    old_hash = hash_stored(old.originator_id, old.originator_version, old.topic, old.state)
    assert event_hash(decoded, old.topic) == old_hash


def test_events_from_real_commands_round_trip_and_cover_every_class() -> None:
    events = events_from_real_commands()
    missing = set(ALL_EVENT_TYPES) - {type(e) for e in events}
    assert not missing, sorted(c.__name__ for c in missing)
    for event in events:
        assert_exact_round_trip(event)


def test_a_registered_event_with_several_petitioners_restores_petitioner_objects() -> None:
    people = (petitioner(), petitioner(), petitioner(phone=None))
    case = registered_case(petitioners=people, headcount=3)
    registered = case.collect_events()[0]
    decoded = mapper().to_domain_event(mapper().to_stored_event(registered))
    assert decoded.petitioners == people
    assert all(type(p) is Petitioner for p in decoded.petitioners)
    assert type(decoded.actor) is Actor and decoded.actor == registered.actor


def test_a_replay_from_stored_rows_rebuilds_the_aggregate() -> None:
    case = closed_case()
    m = mapper()
    rows = [m.to_stored_event(e) for e in list(case._pending_events)]
    rebuilt = None
    for row in rows:
        rebuilt = m.to_domain_event(row).mutate(rebuilt)
    expected = {k: v for k, v in vars(case).items() if k != "_pending_events"}
    assert {k: v for k, v in vars(rebuilt).items() if k != "_pending_events"} == expected


def test_canonical_encoding_sorts_keys_inside_dataclasses() -> None:
    encoded = canonical_json({"b": actor(unit="u"), "a": 1})
    assert encoded.startswith(b'{"a":1,"b":{"role":')


# Fields added by issue 18 (R3, R10), each with a default: events stored before them lack them.
ADDED_FIELDS: dict[type[LedgerEvent], tuple[str, ...]] = {
    case_events.Registered: ("terminated_matter_on_record", "reception_id"),
    case_events.Accepted: ("different_matter_reason",),
    case_events.ReviewRequested: ("received_on", "deciding_unit", "referred_upward"),
    case_events.ReReviewRequested: ("received_on", "deciding_unit", "referred_upward"),
    case_events.ReviewDecided: ("decided_outside", "document_sha256"),
    case_events.ReReviewDecided: ("decided_outside", "document_sha256"),
}


@pytest.mark.parametrize("cls", list(ADDED_FIELDS), ids=lambda c: c.__name__)
def test_an_event_stored_before_its_added_fields_decodes_with_defaults_and_the_same_hash(
    cls: type[LedgerEvent],
) -> None:
    stored = mapper().to_stored_event(build(cls))
    state = orjson.loads(stored.state)
    for name in ADDED_FIELDS[cls]:
        del state[name]
    old_bytes = canonical_json(state)
    old = StoredEvent(stored.originator_id, stored.originator_version, stored.topic, old_bytes)
    decoded = mapper().to_domain_event(old)
    defaults = {f.name: f.default for f in dataclasses.fields(cls) if f.name in ADDED_FIELDS[cls]}
    assert {name: getattr(decoded, name) for name in ADDED_FIELDS[cls]} == defaults
    # The chain hashes what was stored: an old event keeps its hash when read by the new code.
    topic = get_topic(cls)
    assert event_hash(decoded, topic) == hash_stored(
        stored.originator_id, stored.originator_version, topic, old_bytes
    )
