"""Working on cases from the pages, in a real browser: registering through the form (with the
possible repeats the API finds), issuing commands from the case page's panel and seeing the
timeline grow, refusals told in Chinese with nothing recorded, forms only for the roles and
states that have them, the accused side shut out, clocks shown as ruled, and the figures page
with its period, definitions and pending cases. Screenshots land in /tmp/shots-pages too."""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import BrowserContext, Page, expect

from tests.api.helpers import CST, World, drive, world_fixture  # noqa: F401 - the `world` fixture
from tests.api.test_confidentiality import _accusation
from tests.factories import id_number
from tests.pages.conftest import screenshot
from tests.pages.scene import csrf_of, http_login, log_in

pytestmark = pytest.mark.browser
SQLITE = pytest.mark.parametrize("store_url", ["sqlite"], indirect=True)
NewContext = Callable[[], BrowserContext]
SHOTS = Path("/tmp/shots-pages")


def _shot(page: Page, name: str) -> None:
    path = screenshot(page, name)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}-full.png"), full_page=True)
    shutil.copy(path, SHOTS / f"{name}.png")


def _today() -> str:
    return datetime.now(CST).date().isoformat()


def _open(page: Page, command: str) -> None:
    page.locator(f"#command-{command} > summary").click()


def _submit(page: Page, command: str) -> None:
    page.locator(f"#command-{command} button[type=submit]").click()
    page.wait_for_load_state()


def _event_types(world: World, case_id: str) -> list[str]:
    return [e["type"] for e in world.timeline(case_id)["items"]]


@SQLITE
def test_register_and_work_a_case_through_the_pages(world: World, new_context: NewContext) -> None:
    base = world.server.url
    same_person = id_number()
    earlier = world.register(petitioners=[{"name": "王五", "id_number": same_person}])

    # 1. the registrar registers through the form; the earlier case of the same id number shows
    registrar = log_in(new_context(), base, world.tokens["registrar"])
    registrar.click("#nav-register")
    expect(registrar.locator("h1")).to_have_text("登记信访事项")
    registrar.select_option("#register-form select[name=channel]", "visit")
    registrar.select_option("#register-form select[name=kind]", "complaint_request")
    registrar.fill("#register-form input[name=subject]", "征地补偿款未发放")
    registrar.fill("#register-form textarea[name=content]", "村民反映征地补偿款至今未发放，请求处理。")
    registrar.fill("#register-form input[name=category]", "land")
    registrar.fill("#register-form input[name=region_code]", "330100")
    registrar.fill("#petitioner-0 input[name='petitioners.0.name']", "王五")
    registrar.fill("#petitioner-0 input[name='petitioners.0.id_number']", same_person)
    _shot(registrar, "register-form")
    registrar.click("#register-form button[type=submit]")
    expect(registrar.locator("#registered")).to_contain_text("已登记")
    repeats = registrar.locator("#possible-repeats")
    expect(repeats.locator(f"a[href='/cases/{earlier}/timeline']")).to_have_count(1)
    expect(repeats).to_contain_text("已登记")  # the earlier case's status, by name
    code = registrar.locator("#query-code .query-code").inner_text()
    assert re.fullmatch(r"[A-Z2-9]{4}-[A-Z2-9]{4}", code), code  # shown once, for the receipt
    expect(registrar.locator("#query-code form.receipt-form button")).to_have_count(1)
    _shot(registrar, "registered")
    registrar.click("#to-case")
    case_id = registrar.url.split("/cases/")[1].split("/")[0]
    # the code the page showed is the one the petitioner's look-up takes
    looked_up = httpx.post(f"{base}/api/v1/public/lookup", json={"case_id": case_id, "query_code": code})
    assert looked_up.status_code == 200, looked_up.text
    assert world.case(case_id)["subject"] == "征地补偿款未发放"

    # 2. the registrar accepts with the written notice: the timeline grows
    expect(registrar.locator("#command-assign")).to_have_count(0)  # the supervisor's, not hers
    _open(registrar, "accept")
    registrar.fill("#command-accept input[name=notice_issued_on]", _today())
    _submit(registrar, "accept")
    expect(registrar.locator("#command-done")).to_contain_text("受理")
    expect(registrar.locator("table.timeline")).to_contain_text("受理")
    assert _event_types(world, case_id)[-1] == "Accepted"

    # 3. the supervisor assigns with a completion-report deadline
    supervisor = log_in(new_context(), base, world.tokens["supervisor"])
    supervisor.goto(f"{base}/cases/{case_id}/timeline")
    _open(supervisor, "assign")
    supervisor.select_option("#command-assign select[name=unit_code]", world.town_a)
    supervisor.select_option("#command-assign select[name=leader_id]", world.leader_a)
    supervisor.select_option("#command-assign select[name=officer_id]", world.users["officer"])
    report_by = (datetime.now(CST) + timedelta(days=20)).date().isoformat()
    supervisor.fill("#command-assign input[name=report_by]", report_by)
    _submit(supervisor, "assign")
    expect(supervisor.locator("table.timeline")).to_contain_text("交办")
    window = supervisor.locator("#clock-table tr[data-clock=assignment_objection]")
    expect(window).to_contain_text("期间")
    expect(window).to_contain_text("最后一日")
    expect(supervisor.locator("#clock-table tr[data-clock=completion_report]")).to_contain_text(report_by)

    # 4. the officer objects within the window; a refused answer records nothing
    officer = log_in(new_context(), base, world.tokens["officer"])
    officer.goto(f"{base}/cases/{case_id}/timeline")
    expect(officer.locator("#command-assign")).to_have_count(0)
    _open(officer, "objection")
    officer.fill("#command-objection textarea[name=reason]", "该事项属县自然资源局职责，非本镇。")
    _submit(officer, "objection")
    expect(officer.locator("table.timeline")).to_contain_text("交办异议")
    expect(officer.locator("#clock-table tr[data-clock=assignment_objection]")).to_contain_text("行使")
    before = world.version(case_id)
    _open(officer, "answer")
    officer.select_option("#command-answer select[name=outcome]", "explain")
    officer.fill("#command-answer input[name=delivered_on]", "2000-01-01")  # before the petition
    _submit(officer, "answer")
    refused = officer.locator("#command-refused")
    expect(refused).to_contain_text("答复未予记录")
    expect(refused).to_contain_text("送达日期")
    _shot(officer, "case-page-refused")
    assert world.version(case_id) == before
    # the refused form stays open with what was typed: a refusal loses nothing
    expect(officer.locator("#command-answer")).to_have_attribute("open", "")
    expect(officer.locator("#command-answer select[name=outcome]")).to_have_value("explain")
    expect(officer.locator("#command-answer input[name=delivered_on]")).to_have_value("2000-01-01")

    # 5. the supervisor rejects the objection; the officer answers
    supervisor.goto(f"{base}/cases/{case_id}/timeline")
    _open(supervisor, "objection-decision")
    supervisor.select_option("#command-objection-decision select[name=upheld]", "0")
    _submit(supervisor, "objection-decision")
    expect(supervisor.locator("table.timeline")).to_contain_text("异议处理")
    officer.goto(f"{base}/cases/{case_id}/timeline")
    _open(officer, "answer")
    officer.select_option("#command-answer select[name=outcome]", "explain")
    officer.fill("#command-answer input[name=delivered_on]", _today())
    _submit(officer, "answer")
    expect(officer.locator("#command-done")).to_contain_text("答复")
    review_window = officer.locator("#clock-table tr[data-clock=review_request_window]")
    expect(review_window).to_contain_text("期间内，最后一日")
    assert "超期" not in review_window.inner_text()
    _shot(officer, "case-page-officer")

    # 6. the registrar records the petitioner's review request with its receipt date
    registrar.goto(f"{base}/cases/{case_id}/timeline")
    _open(registrar, "review-request")
    registrar.fill("#command-review-request input[name=requested_on]", _today())
    registrar.fill("#command-review-request input[name=received_on]", _today())
    _submit(registrar, "review-request")
    expect(registrar.locator("table.timeline")).to_contain_text("申请复查")
    assert _event_types(world, case_id)[-5:] == [
        "Assigned", "AssignmentObjected", "ObjectionDecided", "Answered", "ReviewRequested"
    ]  # fmt: skip
    _shot(registrar, "case-page-registrar")


@SQLITE
def test_a_form_the_role_lacks_is_neither_shown_nor_accepted(world: World) -> None:
    case = drive(world, "accepted")
    url = f"/cases/{case.case_id}/timeline"
    body = {"unit_code": world.town_a, "leader_id": world.leader_a, "officer_id": world.users["officer"]}

    registrar = http_login(world.server.url, world.tokens["registrar"])  # supervising is the supervisor's
    page = registrar.get(url)
    assert page.status_code == 200 and 'id="command-supervise"' not in page.text
    # nor assign: a registrar assigns only a case registered at a joint reception (第十八条)
    assert 'id="command-assign"' not in page.text
    before = world.version(case.case_id)
    refused = registrar.post(
        f"/cases/{case.case_id}/commands/supervise", data={"csrf": csrf_of(page.text), "text": "请按期办理"}
    )
    assert refused.status_code == 403 and "无权" in refused.text
    assert world.version(case.case_id) == before

    supervisor = http_login(world.server.url, world.tokens["supervisor"])
    page = supervisor.get(url)
    assert 'id="command-assign"' in page.text
    no_csrf = supervisor.post(f"/cases/{case.case_id}/commands/assign", data=body)
    forged = supervisor.post(f"/cases/{case.case_id}/commands/assign", data={"csrf": "forged", **body})
    assert no_csrf.status_code == 403 and forged.status_code == 403 and "CSRF" in no_csrf.text
    assert world.version(case.case_id) == before

    # the same command, posted twice from one rendered form, records once (the form's key)
    form = {"csrf": csrf_of(page.text), "form_key": "k-1", **body}
    first = supervisor.post(f"/cases/{case.case_id}/commands/assign", data=form)
    again = supervisor.post(f"/cases/{case.case_id}/commands/assign", data=form)
    assert first.status_code == 303 and again.status_code == 303
    assert world.version(case.case_id) == before + 1
    # a refusal by the case's state: 409, told in Chinese, nothing recorded
    late = supervisor.post(f"/cases/{case.case_id}/commands/assign", data={**form, "form_key": "k-2"})
    assert late.status_code == 409 and "案件当前所处阶段不能办理此事项" in late.text
    assert world.version(case.case_id) == before + 1
    registrar.close()
    supervisor.close()


@SQLITE
def test_a_refused_registration_or_command_form_comes_back_with_what_was_typed(world: World) -> None:
    registrar = http_login(world.server.url, world.tokens["registrar"])
    form = registrar.get("/cases/new")
    typed = {
        "csrf": csrf_of(form.text), "channel": "visit", "kind": "complaint_request",
        "subject": "征地补偿款未发放", "content": "村民反映补偿款至今未发放<script>", "category": "land",
        "region_code": "330100", "received_unit": world.town_a, "headcount": "3",
        "occurred_at": "2026-01-05 09:30", "petitioners.0.name": "王五", "petitioners.0.id_number": "不是身份证号",
        "petitioners.1.name": "赵六",
    }  # fmt: skip
    before = world.position()
    refused = registrar.post("/cases/new", data=typed)
    assert refused.status_code == 422 and "register-refused" in refused.text
    assert world.position() == before
    for value in ("征地补偿款未发放", "330100", "2026-01-05 09:30", "王五", "不是身份证号", "赵六"):
        assert f'value="{value}"' in refused.text, value
    # what was typed comes back escaped, never as markup
    assert ">村民反映补偿款至今未发放&lt;script&gt;</textarea>" in refused.text
    assert '<option value="visit" selected>' in refused.text
    assert f'<option value="{world.town_a}" selected>' in refused.text
    # the form's own fields are new: the refused form's key and CSRF are not echoed as input
    assert refused.text.count('name="csrf"') == form.text.count('name="csrf"')

    case = drive(world, "accepted")
    supervisor = http_login(world.server.url, world.tokens["supervisor"])
    page = supervisor.get(f"/cases/{case.case_id}/timeline")
    letter = {"csrf": csrf_of(page.text), "reply_by": "1999-01-01", "text": "请于十日内报送办理情况"}
    told = supervisor.post(f"/cases/{case.case_id}/commands/supervise", data=letter)
    assert told.status_code in (409, 422) and 'id="command-refused"' in told.text
    assert ">请于十日内报送办理情况</textarea>" in told.text and 'value="1999-01-01"' in told.text
    # only the refused command's form is filled again
    assert told.text.count("请于十日内报送办理情况") == 1
    registrar.close()
    supervisor.close()


@SQLITE
def test_the_accused_side_neither_sees_nor_posts(world: World) -> None:
    accusation = _accusation(world)  # accuses town B, registered by the county's registrar
    before = world.version(accusation.case_id)
    accused = http_login(world.server.url, world.tokens["officer_b"])
    page = accused.get(f"/cases/{accusation.case_id}/timeline")
    assert page.status_code == 404 and "command-panel" not in page.text
    csrf = csrf_of(accused.get("/cases").text)
    # a valid body, and one the form cannot make a body of (refused with what was typed, elsewhere)
    for command, body in (("notes", {"text": "看看"}), ("objection", {"reason": "不是我们的"}), ("notes", {"text": ""}),
                          ("answer", {"outcome": "explain", "delivered_on": "不是日期"})):  # fmt: skip
        refused = accused.post(f"/cases/{accusation.case_id}/commands/{command}", data={"csrf": csrf, **body})
        unknown = accused.post(f"/cases/{'0' * 8}-0000-4000-8000-{'0' * 12}/commands/{command}",
                               data={"csrf": csrf, **body})  # fmt: skip
        assert refused.status_code == unknown.status_code == 404
        assert accusation.case_id not in refused.text
    assert world.version(accusation.case_id) == before
    accused.close()


@SQLITE
def test_clocks_show_windows_as_windows_and_deadlines_as_deadlines(
    world: World, new_context: NewContext
) -> None:
    case = drive(world, "in_handling")  # assigned 300 days ago: the objection window closed long ago
    page = log_in(new_context(), world.server.url, world.tokens["supervisor"])
    page.goto(f"{world.server.url}/cases/{case.case_id}/timeline")
    window = page.locator("#clock-table tr[data-clock=assignment_objection]")
    expect(window).to_contain_text("期间已届满")
    expect(window).to_contain_text("第二十三条")
    assert "超期" not in window.inner_text() and "overdue" not in (window.get_attribute("class") or "")
    handling = page.locator("#clock-table tr[data-clock=handling]")
    expect(handling).to_contain_text("已超期")
    expect(handling).to_contain_text("第三十四条")
    expect(handling).to_have_class("clock-overdue overdue")
    _shot(page, "case-page-clocks")


@SQLITE
def test_figures_page_states_period_definitions_and_pending(world: World, new_context: NewContext) -> None:
    drive(world, "closed", start=datetime.now(CST) - timedelta(days=5))  # inside its 90 days: pending
    world.client("inspector").get("/api/v1/cases", params={"min_position": world.position()})
    page = log_in(new_context(), world.server.url, world.tokens["inspector"])
    page.goto(f"{world.server.url}/figures")
    expect(page.locator("#figure-period")).to_contain_text(f"至 {_today()}")
    expect(page.locator("#figure-period")).to_contain_text("未指定期间")
    settled = page.locator("tr[data-figure=settled_rate]")
    expect(settled).to_contain_text("另有待定 1")
    expect(settled.locator("td.definition")).to_contain_text("90 日")
    expect(page.locator("tr[data-figure=on_time_closure_rate] td.definition")).to_contain_text("第三十四条")
    expect(page.locator("#pending-note")).to_contain_text("待定")
    _shot(page, "figures")
    page.goto(f"{world.server.url}/figures?from=2026-01-01&to=2026-06-30")
    expect(page.locator("#figure-period")).to_contain_text("统计期间：2026-01-01 至 2026-06-30")


@SQLITE
def test_registration_lists_only_repeats_the_registrar_may_see(world: World) -> None:
    """possible_repeats obeys the access rule: the town's registrar is not told of the county's
    earlier case of the same person; the county's registrar is, with a link."""
    person = id_number()
    county_case = world.register(petitioners=[{"name": "赵六", "id_number": person}])
    world.add_user("registrar_b", "registrar", world.town_b)
    form = {
        "channel": "letter", "kind": "complaint_request", "subject": "道路积水", "content": "雨后道路积水严重。",
        "category": "urban_management", "region_code": "330100", "occurred_at": "2026-12-01T09:00",
        "petitioners.0.name": "赵六", "petitioners.0.id_number": person,
    }  # fmt: skip

    officer = http_login(world.server.url, world.tokens["officer"])  # registering is the registrar's
    assert officer.get("/cases/new").status_code == 403
    town = http_login(world.server.url, world.tokens["registrar_b"])
    page = town.get("/cases/new")
    assert page.status_code == 200 and 'id="register-form"' in page.text
    done = town.post("/cases/new", data={**form, "received_unit": world.town_b, "csrf": csrf_of(page.text)})
    assert done.status_code == 200 and 'id="no-repeats"' in done.text and county_case not in done.text

    county = http_login(world.server.url, world.tokens["registrar"])
    page = county.get("/cases/new")
    done = county.post("/cases/new", data={**form, "received_unit": world.county, "csrf": csrf_of(page.text)})
    assert done.status_code == 200 and f'href="/cases/{county_case}/timeline"' in done.text
    no_csrf = county.post("/cases/new", data={**form, "received_unit": world.county})
    assert no_csrf.status_code == 403
    for client in (officer, town, county):
        client.close()
