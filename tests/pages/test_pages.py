"""The web pages in a real browser: each page per role, filters, the replay, downloads, and
that an accused party never sees the accuser. Screenshots land in tests/artifacts/pages."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any
from uuid import uuid4

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from tests.api.helpers import World, drive, world_fixture  # noqa: F401 - the `world` fixture
from tests.pages.conftest import screenshot
from tests.pages.scene import CAMPAIGN_ID, SECRETS, Scene, build_scene, log_in

pytestmark = pytest.mark.browser
SQLITE = pytest.mark.parametrize("store_url", ["sqlite"], indirect=True)
NewContext = Callable[[], BrowserContext]


def _fits(page: Page) -> None:
    """No sideways scrolling on a 1366-wide office screen."""
    assert page.evaluate("document.documentElement.scrollWidth") <= 1366


def _rows(page: Page, table: str = "table.grid") -> int:
    return page.locator(f"{table} tbody tr:not(:has(td.empty))").count()


@SQLITE
def test_supervisor_and_inspector_pages(world: World, new_context: NewContext) -> None:
    scene = build_scene(world)
    base = world.server.url
    page = log_in(new_context(), base, world.tokens["inspector"])
    console: list[str] = []
    page.on("console", lambda m: console.append(m.text) if m.type == "error" else None)

    # 1. case list: every case, overdue and backlog markers, filters, paging
    expect(page.locator("h1")).to_have_text("案件列表")
    assert _rows(page) == 4
    overdue_row = page.locator("tr", has=page.locator(f"a[href='/cases/{scene.overdue}/timeline']")).first
    expect(overdue_row.locator(".badge.red")).to_contain_text("超期")
    backlog_row = page.locator("tr", has=page.locator(f"a[href='/cases/{scene.backlog}/timeline']")).first
    expect(backlog_row.locator(".badge.amber", has_text="积案")).to_have_count(1)
    _fits(page)
    screenshot(page, "inspector-cases")
    page.select_option("select[name=status]", ["closed"])
    page.click("#case-filters button[type=submit]")
    expect(page.locator("table.grid tbody tr")).to_have_count(1)
    expect(page.locator("table.grid tbody")).to_contain_text("拖欠农民工工资")
    page.goto(f"{base}/cases?backlog=1")
    expect(page.locator("table.grid tbody tr")).to_have_count(1)
    expect(page.locator("table.grid tbody")).to_contain_text("宅基地纠纷")
    page.goto(f"{base}/cases?size=3")
    assert _rows(page) == 3
    page.click("#next-page")
    expect(page.locator(".pager")).to_contain_text("第 2 页")
    assert _rows(page) == 1
    page.goto(f"{base}/cases?as_of=2000-01-01")  # before any case happened
    expect(page.locator("table.grid td.empty")).to_have_count(1)
    page.goto(f"{base}/cases?as_of=2000-01-01&known_at=2000-01-01")  # one moment at a time, as in the API
    expect(page.locator(".error")).to_contain_text("只能填写一项")
    page.goto(f"{base}/cases?registered_from=not-a-date")
    expect(page.locator(".error")).to_contain_text("不是有效日期")

    # 2. timeline: chain status first, both times, late-entry flag, correction beside its target, hashes
    page.goto(f"{base}/cases/{scene.overdue}/timeline")
    expect(page.locator("#chain-status")).to_contain_text("已验证")
    first = page.locator("#event-1")
    expect(first.locator(".badge", has_text="补录")).to_have_count(
        1
    )  # happened 300 days before it was entered
    expect(first.locator(".corrected-by")).to_contain_text(f"已被第 {scene.corrected_version} 条更正")
    expect(first.locator(".corrected-by")).to_contain_text("城乡建设")  # the category by its label
    expect(page.locator(f"#event-{scene.corrected_version}")).to_contain_text("登记类别有误")
    expect(page.locator("table.timeline")).to_contain_text(
        re.compile(r"[0-9a-f]{64}")
    )  # the document's sha256
    screenshot(page, "inspector-timeline")
    page.emulate_media(media="print")  # the print stylesheet drops navigation and forms
    expect(page.locator("header.top")).to_be_hidden()
    expect(page.locator("#case-exports")).to_be_hidden()
    expect(page.locator("table.timeline")).to_be_visible()
    screenshot(page, "inspector-timeline-print")
    page.emulate_media(media="screen")
    with page.expect_download(timeout=90_000) as download:
        page.click("#case-exports button:has-text('下载证据包')")
    assert download.value.suggested_filename == f"case-{scene.overdue}-evidence.json"

    # 3. replay: buttons, keyboard, jump to a date
    page.goto(f"{base}/cases/{scene.overdue}/replay")
    total = page.locator("section.step").count()
    expect(page.locator("#step-number")).to_have_text("1")  # a replay opens at the registration
    page.goto(f"{base}/cases/{scene.overdue}/replay?step={total}")  # or at the step asked for
    expect(page.locator("#step-number")).to_have_text(str(total))
    page.click("#prev-step")
    expect(page.locator("#step-number")).to_have_text(str(total - 1))
    page.keyboard.press("Home")  # not a replay key: nothing moves
    page.keyboard.press("ArrowLeft")
    expect(page.locator("#step-number")).to_have_text(str(total - 2))
    page.keyboard.press("ArrowRight")
    expect(page.locator("#step-number")).to_have_text(str(total - 1))
    page.fill("#jump-date", "2000-01-01")  # before registration: the first step
    page.click("#jump-button")
    expect(page.locator("#step-number")).to_have_text("1")
    step_one = page.locator("#step-1")
    expect(step_one).to_be_visible()
    expect(step_one).to_contain_text("登记")
    expect(step_one.locator(".cols")).to_contain_text("登记受理期限")  # the screening clock …
    expect(step_one.locator(".cols")).to_contain_text("第二十二条")  # … with its article
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")  # step 3: assigned to town A
    expect(page.locator("#step-3 .holder")).to_contain_text("甲镇")  # by name, the code on hover
    expect(page.locator("#step-3 .holder")).to_contain_text("甲镇镇长")
    expect(page.locator(f"#step-3 .holder [title='{world.town_a}']")).to_have_count(1)
    expect(page.locator("#step-3 td.changed").first).to_be_visible()
    screenshot(page, "inspector-replay")

    # 4. caseloads: table and chart per leader, "as of" a past date
    page.goto(f"{base}/caseloads")
    row = page.locator("#caseload-table tbody tr", has_text="甲镇镇长")
    expect(row).to_have_count(1)
    expect(page.locator("#caseload-chart[data-rendered=true] svg")).to_have_count(1)
    cells = row.locator("td")
    assert int(cells.nth(1).inner_text()) >= 3 and int(cells.nth(2).inner_text()) >= 1  # open, overdue
    screenshot(page, "inspector-caseloads")
    page.fill("input[name=as_of]", "2000-01-01")
    page.click("#caseload-filters button[type=submit]")
    expect(page.locator("#caseload-table td.empty")).to_have_count(1)
    page.select_option("#caseload-filters select[name=unit]", world.town_b)
    page.fill("input[name=as_of]", "")
    page.click("#caseload-filters button[type=submit]")
    expect(page.locator("#caseload-table td.empty")).to_have_count(1)  # town B holds nothing

    # 5. key figures: numerator and denominator, by month with a chart, filters
    page.goto(f"{base}/figures")
    repeat = page.locator("#figure-table tr[data-figure=resolution_rate] td")
    assert repeat.nth(3).inner_text() == "4"  # registered in scope
    expect(page.locator("#figure-chart[data-rendered=true] svg")).to_have_count(1)
    assert _rows(page, "#month-table") >= 1
    screenshot(page, "inspector-figures")
    page.fill("#figure-filters input[name=campaign]", CAMPAIGN_ID)
    page.click("#figure-filters button[type=submit]")
    expect(page.locator("#figure-table tr[data-figure=resolution_rate] td").nth(3)).to_have_text("1")
    page.goto(f"{base}/figures?category=labour")
    expect(page.locator("#figure-table tr[data-figure=resolution_rate] td").nth(3)).to_have_text("1")

    # 6. overdue list and accountability register
    page.goto(f"{base}/overdue")
    expect(page.locator("table.grid tbody")).to_contain_text("道路施工噪音扰民")
    expect(page.locator("table.grid tbody")).not_to_contain_text("拖欠农民工工资")
    screenshot(page, "inspector-overdue")
    page.goto(f"{base}/accountability")
    expect(page.locator("#accountability-table tbody tr")).to_have_count(1)
    expect(page.locator("#accountability-table")).to_contain_text("约谈")
    expect(page.locator("#accountability-table")).to_contain_text("甲镇镇长")
    screenshot(page, "inspector-accountability")

    # 7. verification: run verify; export a dossier by case id
    page.goto(f"{base}/verify")
    page.click("#verify-form button")
    expect(page.locator("#verify-result")).to_contain_text("校验通过")
    screenshot(page, "inspector-verify")
    page.fill("#export-case", scene.closed)
    with page.expect_download(timeout=90_000) as pdf:
        page.click("#export-form button[value=dossier]")
    assert pdf.value.suggested_filename == f"case-{scene.closed}-dossier.pdf"
    with open(pdf.value.path(), "rb") as f:
        assert f.read(5) == b"%PDF-"
    # the charts and the replay ran under the CSP: nothing was refused
    assert not [m for m in console if "Content Security Policy" in m or "Refused" in m], console

    # the other roles: every page opens (or is refused, as in the API) and fits the screen
    refused = {("registrar", "/accountability"), ("officer", "/accountability")}
    paths = ["/cases", "/overdue", "/caseloads", "/figures", "/accountability", "/verify",
             f"/cases/{scene.overdue}/timeline", f"/cases/{scene.overdue}/replay"]  # fmt: skip
    for role in ("supervisor", "leader", "registrar", "officer"):
        other = log_in(new_context(), base, world.tokens[role])
        for path in paths:
            response = other.goto(base + path)
            assert response is not None
            assert response.status == (403 if (role, path) in refused else 200), (role, path)
            _fits(other)
            name = path.strip("/").replace(f"cases/{scene.overdue}/", "case-")
            screenshot(other, f"{role}-{name}")
        other.context.close()
    sup = log_in(new_context(), base, world.tokens["supervisor"])
    assert _rows(sup) == 4  # the county supervisor's scope: every case here
    sup.goto(f"{base}/caseloads")
    expect(sup.locator("#caseload-table tbody tr", has_text="甲镇镇长")).to_have_count(1)
    leader = log_in(new_context(), base, world.tokens["leader"])
    leader.goto(f"{base}/accountability")
    expect(leader.locator("#accountability-table tbody tr")).to_have_count(1)  # the measure against them
    officer = log_in(new_context(), base, world.tokens["officer"])
    officer.goto(f"{base}/accountability")
    expect(officer.locator(".error")).to_be_visible()


def _all_pages(base: str, scene: Scene, world: World, leader_only: str) -> list[str]:
    cases = [scene.accusation, leader_only, scene.overdue]
    return [
        "/cases", "/cases?q=举报", "/cases?status=in_handling", "/overdue",
        "/caseloads", "/figures", "/accountability", "/verify",
        *[f"/cases/{c}/timeline" for c in cases], *[f"/cases/{c}/replay" for c in cases],
        *[f"/cases/{scene.accusation}/replay?step={n}" for n in range(1, 8)],
        f"/cases/{scene.accusation}/nonsense", "/cases/not-a-case/timeline",
    ]  # fmt: skip


def _leader_only_accusation(world: World) -> str:
    """An accusation naming only town B's head, with a note naming the accuser."""
    case = drive(world, "in_handling", kind="accusation", petitioners=[{"name": SECRETS[0]}],
                 content=f"{SECRETS[0]}举报乙镇镇长", accused_leader=world.leader_b)  # fmt: skip
    world.ok("officer", case.case_id, "notes", {"text": f"已电话联系举报人{SECRETS[0]}"})
    return case.case_id


@SQLITE
def test_an_accused_party_sees_no_accusers_name_on_any_page(world: World, new_context: NewContext) -> None:
    # A county supervisor who is also the accused leader: in scope, and on the accused side (第三十条).
    world.add_user("accused_supervisor", "supervisor", world.county, world.leader_b)
    world.add_user("registrar_b", "registrar", world.town_b)  # the accused unit's registrar
    village_b = f"VB{uuid4().hex[:8]}"
    made = world.client("admin").post("/api/v1/units", json={"code": village_b, "name": "乙村", "parent_code": world.town_b})
    assert made.status_code == 201, made.text
    world.add_user("officer_vb", "officer", village_b)  # a village below the accused town
    scene = build_scene(world)
    leader_only = _leader_only_accusation(world)
    base = world.server.url
    seen: dict[str, Any] = {}
    for who in ("accused_supervisor", "registrar_b", "officer_b", "officer_vb", "leader_b"):
        page = log_in(new_context(), base, world.tokens[who])
        for path in _all_pages(base, scene, world, leader_only):
            response = page.goto(base + path)
            assert response is not None
            html = page.content()
            for secret in SECRETS:
                assert secret not in html, (who, path, secret)
            seen[f"{who} {path}"] = response.status
        page.goto(f"{base}/cases/{scene.accusation}/timeline")
        screenshot(page, f"accused-{who}-timeline")
    # for the accused side the case does not exist (第三十条): not found, not even "forbidden"
    for who in ("accused_supervisor", "registrar_b", "officer_b", "officer_vb", "leader_b"):
        for case_id in (scene.accusation, leader_only):
            assert seen[f"{who} /cases/{case_id}/timeline"] == 404, who
            assert seen[f"{who} /cases/{case_id}/replay"] == 404, who
    accused = log_in(new_context(), base, world.tokens["accused_supervisor"])
    accused.goto(f"{base}/cases?q=举报")
    expect(accused.locator("body")).not_to_contain_text(scene.accusation)
    accused.goto(f"{base}/cases/{scene.accusation}/timeline")
    expect(accused.locator("body")).to_contain_text("没有找到")
    screenshot(accused, "accused-supervisor-timeline-not-found")

    # an inspector sees the name (personal data masked) where the API shows it
    inspector = log_in(new_context(), base, world.tokens["inspector"])
    inspector.goto(f"{base}/cases/{scene.accusation}/timeline")
    expect(inspector.locator(".case-head")).to_contain_text(SECRETS[0])
    masked = SECRETS[1][:6] + "*" * 8 + SECRETS[1][-4:]
    expect(inspector.locator(".case-head")).to_contain_text(masked)  # the id number field stays masked
    screenshot(inspector, "inspector-accusation-timeline")


@pytest.mark.parametrize("store_url", [pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True)
def test_pages_smoke_on_postgres(world: World, new_context: NewContext) -> None:
    scene = build_scene(world)
    base = world.server.url
    page = log_in(new_context(), base, world.tokens["supervisor"])
    assert _rows(page) == 4
    page.goto(f"{base}/cases/{scene.overdue}/timeline")
    expect(page.locator("#chain-status")).to_contain_text("已验证")
    page.goto(f"{base}/figures")
    expect(page.locator("#figure-chart[data-rendered=true] svg")).to_have_count(1)
    screenshot(page, "postgres-supervisor-figures")
