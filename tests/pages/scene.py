"""A small world for the page tests: cases in several states, a correction, a document,
a backlog designation, an accountability measure and an accusation (第三十条)."""

from __future__ import annotations

import re
from dataclasses import dataclass

import httpx
from playwright.sync_api import BrowserContext, Page

from tests.api.helpers import World, drive, sha
from tests.api.practices import open_campaign
from tests.api.test_confidentiality import ID_NUMBER, NAME, PHONE, _accusation

CAMPAIGN = "2026年积案化解专项行动"
CAMPAIGN_ID = "jaan-2026"  # each scene has a fresh store
SECRETS = (NAME, ID_NUMBER, PHONE)


@dataclass
class Scene:
    overdue: str  # in handling since 300 days ago: its handling deadline has run out
    closed: str
    backlog: str
    accusation: str
    corrected_version: int  # the event of `overdue` that corrects its category


def build_scene(w: World) -> Scene:
    overdue = drive(w, "in_handling", subject="道路施工噪音扰民", category="environment")
    w.ok("registrar", overdue.case_id, "documents",
         {"file_name": "信访件.pdf", "media_type": "application/pdf", "sha256": sha("page-doc")})  # fmt: skip
    correction = w.ok("registrar", overdue.case_id, "corrections",
                      {"target_version": 1, "field": "category", "new_value": "housing", "reason": "登记类别有误"})  # fmt: skip
    w.ok("inspector", overdue.case_id, "accountability",
         {"target_leader_id": w.leader_a, "measure": "interview", "basis": "拖延办理"})  # fmt: skip
    closed = drive(w, "closed", subject="拖欠农民工工资", category="labour")
    backlog = drive(w, "in_handling", subject="宅基地纠纷", category="land")
    open_campaign(w, campaign_id=CAMPAIGN_ID, name=CAMPAIGN)
    w.ok("supervisor", backlog.case_id, "backlog", {"campaign_id": CAMPAIGN_ID})
    accusation = _accusation(w)
    # the listings and dashboards read views: wait until they have applied every event
    response = w.client("inspector").get("/api/v1/cases", params={"min_position": w.position()})
    assert response.status_code == 200, response.text
    return Scene(overdue.case_id, closed.case_id, backlog.case_id, accusation.case_id, correction["version"])


def log_in(context: BrowserContext, base: str, token: str) -> Page:
    page = context.new_page()
    page.goto(f"{base}/login")
    page.fill("#token", token)
    page.click("form.login button[type=submit]")
    page.wait_for_url(re.compile(r".*/cases$"))
    return page


def http_login(base: str, token: str) -> httpx.Client:
    """A plain HTTP client holding a page session (for header, cookie and CSRF checks)."""
    client = httpx.Client(base_url=base, timeout=30)
    form = client.get("/login")
    csrf = re.search(r'name="csrf" value="([^"]+)"', form.text)
    assert csrf, form.text
    response = client.post("/login", data={"token": token, "csrf": csrf.group(1), "next": "/cases"})
    assert response.status_code == 303, response.text
    return client


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found, html[:500]
    return found.group(1)
