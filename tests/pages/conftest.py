"""Browser fixtures: Debian's Chromium driven by Playwright (no browser download, ever).

`./dev test` installs /usr/bin/chromium when it is absent. Under CI a missing browser fails the
page tests; elsewhere they are skipped with the reason, which `-ra` prints.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts" / "pages"
# Playwright adds --headless itself (a second --headless=new flag breaks downloads).
VIEWPORT = {"width": 1366, "height": 768}
HEADLESS_FLAGS = ["--lang=zh-CN", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"]


def chromium_path() -> str | None:
    for candidate in (os.environ.get("XINFANG_CHROMIUM"), "/usr/bin/chromium", shutil.which("chromium")):
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    return None


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    path = chromium_path()
    if path is None:
        message = "no Chromium at /usr/bin/chromium (./dev test installs Debian's chromium; or set XINFANG_CHROMIUM)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=path, args=HEADLESS_FLAGS)
        yield chromium
        chromium.close()


@pytest.fixture
def new_context(browser: Browser) -> Iterator[object]:
    """Open browser contexts (one per logged-in role) that are closed after the test."""
    opened: list[BrowserContext] = []

    def make() -> BrowserContext:
        context = browser.new_context(viewport=VIEWPORT, locale="zh-CN", timezone_id="Asia/Shanghai",
                                      accept_downloads=True)  # fmt: skip
        context.set_default_timeout(30_000)  # generous: CI machines are shared
        opened.append(context)
        return context

    yield make
    for context in opened:
        context.close()


def screenshot(page: Page, name: str) -> Path:
    """Keep a 1366x768 screenshot of the page as a test artifact (tests/artifacts/pages)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path))
    return path
