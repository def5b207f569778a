"""The command panel's forms come from the declarations: every command, field and code value
has a Chinese label, a posted form becomes the API's own body, and the windows are the clocks
that are someone's option (never overdue)."""

from __future__ import annotations

import re
from datetime import date

import pytest
from starlette.datastructures import FormData

from api.commands import DECLARATIONS
from api.pages.command_forms import PETITIONER_ROWS, body_from, form_of
from api.pages.command_panel import clock_lines
from api.pages.render import PageError
from api.schemas import AssignIn, DecisionIn, RegisterIn
from domain.clocks import WINDOW_CLOCKS, compute_clocks
from tests.factories import assigned_case

HAN = re.compile(r"[\u4e00-\u9fff]")


@pytest.mark.parametrize("declaration", DECLARATIONS, ids=lambda d: d.name)
def test_every_command_field_and_value_has_a_chinese_label(declaration: object) -> None:
    label = declaration.label  # type: ignore[attr-defined]
    assert HAN.search(label), label
    form = form_of(declaration.body)  # type: ignore[attr-defined]
    for f in (*form.fields, *(r for rows in form.repeated.values() for r in rows)):
        assert HAN.search(f.label), (declaration, f.name, f.label)
        for value, text in f.choices:
            assert HAN.search(text) and text != value, (f.name, value, text)


def test_the_registration_form_is_labelled_and_its_rows_optional() -> None:
    form = form_of(RegisterIn)
    assert all(HAN.search(f.label) for f in form.fields)
    assert all(not f.required for f in form.repeated["petitioners"])


def test_a_posted_form_becomes_the_apis_body() -> None:
    form = form_of(AssignIn)
    body = body_from(AssignIn, form, FormData([("unit_code", "town-a"), ("leader_id", "L-1"),
                                               ("officer_id", ""), ("report_by", "2026-12-20"),
                                               ("occurred_at", "2026-12-07T09:30")]))  # fmt: skip
    assert body.model_dump(exclude_none=True) == {
        "unit_code": "town-a", "leader_id": "L-1", "report_by": date(2026, 12, 20),
        "occurred_at": body.occurred_at,  # type: ignore[attr-defined]
    }  # fmt: skip
    assert body.occurred_at.utcoffset().total_seconds() == 8 * 3600  # type: ignore[attr-defined, union-attr]
    nested = body_from(DecisionIn, form_of(DecisionIn), FormData([
        ("decision", "upheld"), ("delivered_on", "2026-12-01"),
        ("decided_outside.authority", "市信访局"), ("decided_outside.document_sha256", "a" * 64)]))  # fmt: skip
    assert nested.decided_outside.authority == "市信访局"  # type: ignore[attr-defined]


def test_a_bad_form_is_told_in_chinese_by_field() -> None:
    with pytest.raises(PageError) as refused:
        body_from(AssignIn, form_of(AssignIn), FormData([("leader_id", "L-1"), ("report_by", "soon")]))
    assert refused.value.status == 422
    assert "“承办单位”必须填写" in refused.value.message and "不是有效日期" in refused.value.message
    rows = [("petitioners.1.id_number", "110105194912310021")]
    with pytest.raises(PageError) as missing_name:
        body_from(RegisterIn, form_of(RegisterIn), FormData(rows))
    assert "第 1 位信访人的姓名必须填写" in missing_name.value.message.replace("“", "").replace("”", "")
    assert PETITIONER_ROWS >= 2


def test_the_objection_window_is_a_window_never_overdue() -> None:
    case = assigned_case()
    clocks = compute_clocks(
        list(case.collect_events()), at=case.registered_at.replace(year=case.registered_at.year + 1)
    )  # type: ignore[arg-type, union-attr]
    windows = {c.name for c in clocks if c.state.startswith("window")}
    assert windows and windows <= WINDOW_CLOCKS
    lines = {line.name: line for line in clock_lines([vars(c) for c in clocks])}
    objection = lines["assignment_objection"]
    assert objection.window and "超期" not in objection.state and objection.css != "overdue"
    assert lines["handling"].css == "overdue" and "已超期" in lines["handling"].state


def test_the_registration_answer_shows_a_query_code_when_the_api_gives_one() -> None:
    """Another change adds `query_code` to registration; the page shows it when present."""
    from api.pages.render import templates

    case = {"case_id": "c-1", "status": "registered", "kind": "complaint_request", "channel": "visit",
            "category": "land", "subject": "事项", "content": "内容", "petitioners": [], "registered_at": None,
            "unit_code": None, "leader_id": None}  # fmt: skip
    context = {"user": None, "csrf": None, "path": "/cases/new", "show_register": False, "case": case,
               "names": {}, "repeats": [], "answer": {"case_id": "c-1"}}  # fmt: skip
    shown = templates.get_template("registered.html").render(**context, query_code="K7Q-2941")
    assert 'id="query-code"' in shown and "K7Q-2941" in shown
    assert 'id="query-code"' not in templates.get_template("registered.html").render(
        **context, query_code=None
    )
