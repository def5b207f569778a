"""Names, not codes, in Chinese (issue 22): every page an inspector reads, over the demo data, in a
real browser, and the dossier PDF's text. What is read is what a person sees: the page's visible
text (`inner_text`), where a code may stand only in a `title` (on hover), never alone."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from api import demo
from api.pages.labels import CATEGORY, STATUS
from domain import case_events
from domain.case_events import CaseEvent
from domain.policy import CHINA_TZ
from tests.conftest import LiveServer
from tests.pages.conftest import screenshot
from tests.pages.scene import log_in
from tests.support.pdf_text import pdf_pages

pytestmark = pytest.mark.browser
SQLITE = pytest.mark.parametrize("store_url", ["sqlite"], indirect=True)
NewContext = Callable[[], BrowserContext]
SHOTS = Path("/tmp/shots-names")


def event_field_names() -> set[str]:
    """Every field name of every case event, from the event classes themselves."""
    names: set[str] = set()
    for item in vars(case_events).values():
        if isinstance(item, type) and issubclass(item, CaseEvent):
            for klass in item.__mro__:
                names |= {n for n in getattr(klass, "__annotations__", {}) if not n.startswith("_")}
    return names


# Field names a page must never print: every event field, and the case view's own keys.
FIELD_NAMES = event_field_names() | {"case_id", "version", "corrections", "petitioners", "policy_version"}
CODES = (
    [u[0] for u in demo.UNITS] + [x[0] for x in demo.LEADERS] + [u[0] for u in demo.USERS]
    + list(CATEGORY) + list(STATUS) + ["2022-calendar", "complaint_request", "accusation", "in_handling"]
)  # fmt: skip
# ASCII a Chinese page may still show: a command line to type, file formats, a hash name.
# (O and I: /q tells the petitioner which letters a query code leaves out)
ALLOWED_ASCII = {"PDF", "JSON", "SHA", "xinfang", "verify-bundle", "public-key", "json", "SHA-256", "O", "I"}
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
HEX = re.compile(r"\b[0-9a-f]{12,}\b")


def offending(text: str) -> list[str]:
    """Field names, bare codes and English words in a reader's text."""
    text = HEX.sub(" ", UUID.sub(" ", text))
    words = re.findall(r"[A-Za-z][A-Za-z0-9_\-]*", text)
    bad = [w for w in words if w in FIELD_NAMES or w in CODES]
    bad += [w for w in words if w not in ALLOWED_ASCII and w not in bad]
    return bad


def test_the_checker_catches_what_it_looks_for() -> None:
    assert "accepting_unit" in FIELD_NAMES and "reply_by" in FIELD_NAMES and "purpose" in FIELD_NAMES
    assert offending("受理单位 demo-county") == ["demo-county"]
    assert offending("包案领导 L-li") == ["L-li"]
    assert offending("类别 land_acquisition") == ["land_acquisition"]
    assert offending("reply_by: 2026-01-01") == ["reply_by"]
    assert offending("evidence export: 纪检核查") == ["evidence", "export"]
    assert offending("哈希 " + "ab" * 32 + " 案件 " + "0" * 8 + "-0000-0000-0000-" + "0" * 12) == []


@pytest.fixture
def demo_server(live_server: LiveServer) -> Iterator[LiveServer]:
    """The demo data set on a live server, the views caught up with it."""
    demo.load_demo(live_server.ledger, cases=40)
    with live_server.client(None) as anon:
        position = int(anon.get("/readyz").json()["ledger_position"])
    with live_server.client(demo.demo_token("demo-inspector")) as client:
        response = client.get("/api/v1/cases", params={"min_position": position, "limit": 100})
        assert response.status_code == 200, response.text
    yield live_server


def cases(server: LiveServer) -> list[dict[str, object]]:
    with server.client(demo.demo_token("demo-inspector")) as client:
        items: list[dict[str, object]] = client.get("/api/v1/cases", params={"limit": 100}).json()["items"]
    return items


def shot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
    screenshot(page, f"names-{name}")


def read(page: Page, url: str, name: str) -> str:
    page.goto(url)
    text = page.inner_text("body")
    assert not offending(text), (url, offending(text))
    shot(page, name)
    return text


def pick_case(server: LiveServer, *, has: str) -> str:
    """A demo case whose ledger holds an event of the given type."""
    with server.client(demo.demo_token("demo-inspector")) as client:
        for item in cases(server):
            timeline = client.get(f"/api/v1/cases/{item['case_id']}/timeline").json()
            if any(e["type"] == has for e in timeline["items"]):
                return str(item["case_id"])
    raise AssertionError(f"no demo case has {has}")


@SQLITE
def test_every_page_reads_in_chinese_with_names(demo_server: LiveServer, new_context: NewContext) -> None:
    base = demo_server.url
    page = log_in(new_context(), base, demo.demo_token("demo-inspector"))
    corrected = pick_case(demo_server, has="Corrected")
    supervised = pick_case(demo_server, has="SupervisionIssued")
    held = pick_case(demo_server, has="AccountabilityRecorded")
    # an export leaves a PersonalDataViewed entry with the service's own purpose text in the case
    with demo_server.client(demo.demo_token("demo-inspector")) as client:
        assert (
            client.get(f"/api/v1/cases/{supervised}/evidence", params={"purpose": "纪检核查"}).status_code
            == 200
        )

    listing = read(page, f"{base}/cases", "cases")
    assert "示范县信访局" in page.inner_text("select[name=unit]") and "李志强" in listing
    read(page, f"{base}/overdue", "overdue")
    read(page, f"{base}/caseloads", "caseloads")
    register = read(page, f"{base}/accountability", "accountability")
    assert "约谈" in register and page.locator("#accountability-table td.empty").count() == 0
    read(page, f"{base}/verify", "verify")
    timeline = read(page, f"{base}/cases/{supervised}/timeline", "timeline-supervised")
    assert "回复期限" in timeline and "督办人" in timeline and "导出证据材料：纪检核查" in timeline
    assert re.search(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}(?!:)", timeline)  # Beijing time, to the minute
    assert page.locator("span.ref[title=demo-dongcheng]").count() > 0  # the code on hover
    corrected_text = read(page, f"{base}/cases/{corrected}/timeline", "timeline-corrected")
    assert "城乡建设" in corrected_text and "登记类别有误" in corrected_text
    read(page, f"{base}/cases/{held}/timeline", "timeline-accountability")
    replay = read(page, f"{base}/cases/{supervised}/replay", "replay")
    assert "尚未交办" in replay and "单位 —（—）" not in replay
    for number in range(2, page.locator("section.step").count() + 1):  # every step reads the same
        page.keyboard.press("ArrowRight")
        expect(page.locator("#step-number")).to_have_text(str(number))
        step = page.inner_text(f"#step-{number}")
        assert not offending(step), (number, offending(step))
    read(page, f"{base}/figures", "figures")
    # the practices' pages (issue 21): the month's receptions, a campaign's board, 集中督办, 建议
    read(page, f"{base}/receptions", "receptions")
    read(page, f"{base}/campaigns/{demo.CAMPAIGN_ID}", "campaign")
    read(page, f"{base}/escalations", "escalations")
    read(page, f"{base}/recommendations", "recommendations")
    read(page, f"{base}/cases?leader=无此人", "error-unknown-leader")
    read(page, f"{base}/cases/{'0' * 8}-0000-0000-0000-{'0' * 12}/timeline", "error-not-found")
    # the pages where staff work: the registration form, and a case page with its command panel
    registrar = log_in(new_context(), base, demo.demo_token("demo-registrar"))
    read(registrar, f"{base}/cases/new", "register")
    supervisor = log_in(new_context(), base, demo.demo_token("demo-supervisor"))
    worked = read(supervisor, f"{base}/cases/{supervised}/timeline", "timeline-supervisor")
    assert "办理" in worked and supervisor.locator("details.command").count() > 0, "no command panel"
    # no date input shows the browser's mm/dd/yyyy: dates are typed as yyyy-mm-dd everywhere
    for reader, path in (
        (page, "/cases"), (page, "/overdue"), (page, "/caseloads"), (page, "/accountability"),
        (page, "/figures"), (page, "/receptions"), (registrar, "/cases/new"), (supervisor, f"/cases/{supervised}/timeline"),
    ):  # fmt: skip
        reader.goto(f"{base}{path}")
        assert reader.url.endswith(path), (path, reader.url)  # read signed in, not the login page
        assert reader.locator("input[type=date], input[type=datetime-local], input[type=month]").count() == 0, path
    page.context.clear_cookies()
    read(page, f"{base}/login", "login")
    read(page, f"{base}/q", "public-lookup")


@SQLITE
def test_replay_opens_at_step_one_and_the_keys_move(demo_server: LiveServer, new_context: NewContext) -> None:
    base = demo_server.url
    page = log_in(new_context(), base, demo.demo_token("demo-inspector"))
    case_id = pick_case(demo_server, has="Answered")
    page.goto(f"{base}/cases/{case_id}/replay")
    total = page.locator("section.step").count()
    assert total >= 4
    expect(page.locator("#step-number")).to_have_text("1")
    expect(page.locator("#step-1")).to_be_visible()
    expect(page.locator("#step-1 .holder")).to_contain_text("尚未交办")
    page.keyboard.press("ArrowRight")
    expect(page.locator("#step-number")).to_have_text("2")
    expect(page.locator("#step-2")).to_be_visible()
    page.click("#next-step")
    expect(page.locator("#step-number")).to_have_text("3")
    expect(page.locator("#step-3 .holder")).to_contain_text("东城镇人民政府")
    page.keyboard.press("ArrowLeft")
    expect(page.locator("#step-number")).to_have_text("2")
    page.goto(f"{base}/cases/{case_id}/replay?step={total}")
    expect(page.locator("#step-number")).to_have_text(str(total))
    page.keyboard.press("ArrowRight")  # the last step stays the last
    expect(page.locator("#step-number")).to_have_text(str(total))


@SQLITE
def test_filters_pick_by_name_and_refuse_an_unknown_name(
    demo_server: LiveServer, new_context: NewContext
) -> None:
    base = demo_server.url
    page = log_in(new_context(), base, demo.demo_token("demo-inspector"))
    by_li = [c for c in cases(demo_server) if c["leader_id"] == "L-li"]
    assert by_li

    def rows() -> int:
        return page.locator("table.grid tbody tr:not(:has(td.empty))").count()

    page.goto(f"{base}/cases?leader=李志强&size=100")  # typed by name: the same as the code
    assert rows() == len(by_li)
    page.goto(f"{base}/cases?leader=L-li&size=100")
    assert rows() == len(by_li)
    expect(page.locator("select[name=leader] option:checked")).to_have_text("李志强（党委书记）")
    page.goto(f"{base}/cases?size=100")  # picked from the list
    page.select_option("#case-filters select[name=leader]", label="李志强（党委书记）")
    page.click("#case-filters button[type=submit]")
    assert rows() == len(by_li)
    page.goto(f"{base}/cases?category=国土资源&size=100")  # a category by its label
    assert rows() == len([c for c in cases(demo_server) if c["category"] == "land"])
    page.goto(f"{base}/cases?unit=南湖街道办事处&size=100")
    assert rows() == len([c for c in cases(demo_server) if c["unit_code"] == "demo-nanhu"]) > 0
    page.goto(f"{base}/overdue?leader=赵建国")
    expect(page.locator("h1")).to_have_text("超期案件")
    page.goto(f"{base}/accountability?leader=李志强")
    expect(page.locator("h1")).to_have_text("问责台账")
    page.goto(f"{base}/cases?leader=李某某")  # no such leader: said so, not an empty list
    expect(page.locator(".error")).to_contain_text("没有名为“李某某”的领导")
    page.goto(f"{base}/accountability?unit=不存在的单位")
    expect(page.locator(".error")).to_contain_text("没有名为“不存在的单位”的单位")


@SQLITE
def test_the_demo_flags_only_late_entries_and_holds_an_accountability_record(demo_server: LiveServer) -> None:
    listed = cases(demo_server)
    late = [c for c in listed if c["late_entry"]]
    assert late and len(late) < len(listed)  # the flag tells cases apart
    with demo_server.client(demo.demo_token("demo-inspector")) as client:
        for item in listed:
            first = client.get(f"/api/v1/cases/{item['case_id']}/timeline").json()["items"][0]
            gap = datetime.fromisoformat(first["recorded_at"]) - datetime.fromisoformat(first["occurred_at"])
            assert item["late_entry"] == (gap > timedelta(hours=24)), item["case_id"]
            if item["late_entry"]:  # a late entry says why it is late
                assert first["reason"] == demo.BACK_ENTRY
        held = client.get("/api/v1/accountability").json()["items"]
    assert "interview" in {h["measure"] for h in held}  # 约谈, beside the practices' measures


def pdf_text(content: bytes) -> tuple[str, int]:
    pages = pdf_pages(content)
    return "\n".join(line for page in pages for line in page), len(pages)


@SQLITE
def test_the_dossier_reads_as_a_paper_file(demo_server: LiveServer) -> None:
    case_id = pick_case(demo_server, has="SupervisionIssued")
    with demo_server.client(demo.demo_token("demo-supervisor")) as client:  # may export, not unmask
        response = client.get(f"/api/v1/cases/{case_id}/dossier.pdf", params={"purpose": "归档"})
        assert response.status_code == 200, response.text
        bundle = client.get(f"/api/v1/cases/{case_id}/evidence").json()
    text, count = pdf_text(response.content)
    flat = text.replace("\n", "")
    # the cover: summary, clocks with articles, a place to sign
    for words in ("信访事项卷宗", "信访事项", "当前状态", "承办单位", "包案领导", "信访人", "期限（条例依据）",
                  "第二十二条", "核查人（签字）", "一、当事人", "二、承办经过", "三、办理过程", "五、完整性校验"):  # fmt: skip
        assert words in flat, words
    assert flat.index("五、完整性校验") > flat.index("三、办理过程")  # the proof comes last
    assert "东城镇人民政府（demo-dongcheng）" in flat  # by name, the code beside it for the record
    assert "督办人" in flat and "回复期限" in flat and "导出证据材料：归档" in flat
    assert "********" in flat  # a supervisor may not unmask: the id number stays masked
    for n in range(1, count + 1):
        assert f"第 {n} 页 共 {count} 页" in flat, n
    registered = bundle["events"][0]
    occurred = datetime.fromisoformat(registered["state"].split('"occurred_at":"')[1].split('"')[0])
    assert occurred.astimezone(CHINA_TZ).strftime("%Y-%m-%d %H:%M") in flat  # Beijing time, to the minute
    assert not re.search(r"\d{2}:\d{2}:\d{2}", flat)  # no seconds, no ISO UTC stamps
    # no field name, no bare code, no English: codes stand only beside their names
    beside = re.sub(r"（[A-Za-z0-9_\-]+）", "", text)
    assert not offending(beside), offending(beside)
    # the bundle keeps its raw fields for machines
    assert '"reply_by"' in bundle["events"][-1]["state"] or any(
        '"reply_by"' in e["state"] for e in bundle["events"]
    )
    SHOTS.mkdir(parents=True, exist_ok=True)
    (SHOTS / "dossier.pdf").write_bytes(response.content)  # to look at, page by page (pdftoppm)


@SQLITE
def test_no_heading_is_stranded_at_a_page_foot(demo_server: LiveServer) -> None:
    """Every section heading has the text it heads below it on the same page."""
    case_id = pick_case(demo_server, has="Corrected")
    with demo_server.client(demo.demo_token("demo-inspector")) as client:
        response = client.get(f"/api/v1/cases/{case_id}/dossier.pdf")
    pages = pdf_pages(response.content)
    assert len(pages) >= 2
    for page in pages:
        body = [x for x in page if "页 共" not in x]
        assert body, "an empty page"
        for n, line in enumerate(body):
            # a section heading, or an event's title, has at least two lines of its own below it
            if re.match(r"^[一二三四五]、", line) or re.match(r"^第 \d+ 条\u3000", line):
                assert len(body) - n > 2, (line, body[n:])
