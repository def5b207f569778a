"""Every event field and every coded value has a Chinese label (issue 22), so a page or the
dossier never falls back to printing a field name or a code; names come from reference data."""

from __future__ import annotations

from enum import StrEnum

import pytest

from api.pages import labels
from api.pages.present import Names, text_of
from domain import vocabulary
from domain.policy import policy_versions
from tests.pages.test_names import event_field_names

# The table that names each vocabulary's codes.
VOCABULARY_TABLES = {
    vocabulary.Channel: labels.CHANNEL, vocabulary.Kind: labels.KIND, vocabulary.Status: labels.STATUS,
    vocabulary.NotAcceptedReason: labels.NOT_ACCEPTED_REASON, vocabulary.Pathway: labels.PATHWAY,
    vocabulary.ProgressStep: labels.PROGRESS_STEP, vocabulary.MediationOutcome: labels.OUTCOME,
    vocabulary.AnswerOutcome: labels.OUTCOME, vocabulary.Satisfaction: labels.SATISFACTION,
    vocabulary.ContactMethod: labels.CONTACT_METHOD, vocabulary.ReviewDecision: labels.REVIEW_DECISION,
    vocabulary.ClosureType: labels.CLOSURE, vocabulary.TerminationBasis: labels.TERMINATION,
    vocabulary.Measure: labels.MEASURE, vocabulary.DossierItem: labels.DOSSIER_ITEM, vocabulary.Role: labels.ROLE,
    vocabulary.NoticeMode: labels.NOTICE_MODE, vocabulary.DiversionOutcome: labels.DIVERSION_OUTCOME,
}  # fmt: skip


def test_every_event_field_has_a_chinese_label() -> None:
    missing = sorted(n for n in event_field_names() if n not in labels.FIELD)
    assert not missing, missing


@pytest.mark.parametrize("vocabulary_class", list(VOCABULARY_TABLES), ids=lambda c: c.__name__)
def test_every_code_has_a_chinese_label(vocabulary_class: type[StrEnum]) -> None:
    table = VOCABULARY_TABLES[vocabulary_class]
    assert not [v.value for v in vocabulary_class if v.value not in table]


def test_every_clock_policy_has_a_chinese_name() -> None:
    assert set(policy_versions()) <= set(labels.POLICY)


def test_values_read_as_names_and_labels() -> None:
    names = Names(units={"demo-county": "示范县信访局"}, leaders={"L-li": "李志强"}, users={"u1": "周敏"})
    assert text_of("demo-county", "accepting_unit", names) == "示范县信访局"
    assert text_of("demo-county", "accepting_unit", names, beside=True) == "示范县信访局（demo-county）"
    assert text_of("L-li", "target_leader_id", names) == "李志强"
    assert text_of("u1", "supervisor_id", names) == "周敏"
    assert text_of("2022-calendar", "policy_version", names).startswith("《信访工作条例》")
    assert text_of("support", "outcome", names) == "支持"
    assert text_of("2026-01-02T03:04:05.123456+00:00", "occurred_at", names) == "2026-01-02 11:04"
    assert text_of({"name": "张三", "id_number": "3301**********12"}, "petitioners", names) == (
        "姓名：张三，身份证号：3301**********12"
    )
    assert text_of("evidence export: 纪检核查", "purpose", names) == "导出证据材料：纪检核查"
    assert labels.reason_text("evidence export: 归档 (command line)") == "导出证据材料：归档（命令行）"
    # free text is never taken for a code, even when it spells one
    assert text_of("demo-county", "text", names) == "demo-county"


def test_every_key_figure_has_its_definition_on_the_figures_page() -> None:
    from api.pages.figure_notes import DEFINITIONS
    from projections.figures.query import FIGURES

    assert set(FIGURES) == set(DEFINITIONS)
