"""Page sessions and form safety, over plain HTTP: cookie flags, CSRF on every form, logout,
revoked tokens, expiry, security headers and a CSP that allows no inline script."""

from __future__ import annotations

import re
import time

import httpx
import pytest

from api.pages.session import COOKIE, SessionStore
from domain.application import hash_token
from domain.context import command_context
from domain.store import parse_database_url
from domain.values import Actor
from projections.engine.database import ViewDatabase
from tests.api.helpers import World, world_fixture  # noqa: F401 - the `world` fixture
from tests.pages.scene import csrf_of, http_login

SQLITE = pytest.mark.parametrize("store_url", ["sqlite"], indirect=True)
PAGES = ("/cases", "/overdue", "/caseloads", "/figures", "/accountability", "/verify", "/login")


def _to_login(response: httpx.Response) -> bool:
    return response.status_code == 303 and response.headers["location"].startswith("/login")


@SQLITE
def test_login_sets_a_strict_httponly_session_and_logout_ends_it(world: World) -> None:
    base = world.server.url
    with httpx.Client(base_url=base) as anon:
        assert _to_login(anon.get("/cases?overdue=1"))
        assert anon.get("/cases").headers["location"] == "/login?next=/cases"
        token = world.tokens["inspector"]
        # no CSRF token, or a wrong one: refused, and no session
        for csrf in ("", "forged"):
            anon.get("/login")
            refused = anon.post("/login", data={"token": token, "csrf": csrf})
            assert refused.status_code == 403 and COOKIE not in refused.cookies
        form = anon.get("/login")  # each form shown pairs a new token with its cookie
        bad = anon.post("/login", data={"token": "not-a-token", "csrf": csrf_of(form.text)})
        assert bad.status_code == 401 and "令牌无效" in bad.text and COOKIE not in bad.cookies
        # a login link cannot send the user to another site
        for elsewhere in ("https://evil.example/x", "/\\evil.example/x"):
            form = anon.get("/login")
            sent = anon.post("/login", data={"token": token, "csrf": csrf_of(form.text), "next": elsewhere})
            assert sent.status_code == 303 and sent.headers["location"] == "/cases", elsewhere
            anon.cookies.clear()
        form = anon.get("/login")
        ok = anon.post("/login", data={"token": token, "csrf": csrf_of(form.text), "next": "//evil.example/x"})
        assert ok.status_code == 303 and ok.headers["location"] == "/cases"
        cookie = ok.headers["set-cookie"]
        assert re.search(r"\bHttpOnly\b", cookie) and "SameSite=strict" in cookie and "Max-Age=28800" in cookie
        session = anon.cookies[COOKIE]
        page = anon.get("/cases")
        assert page.status_code == 200 and "案件列表" in page.text
        # logout is a form too: without its CSRF token it does nothing
        assert anon.post("/logout", data={"csrf": "forged"}).status_code == 403
        assert anon.get("/cases").status_code == 200
        assert anon.post("/logout", data={"csrf": csrf_of(page.text)}).status_code == 303
    with httpx.Client(base_url=base, cookies={COOKIE: session}) as replayed:
        assert _to_login(replayed.get("/cases"))  # the old cookie no longer opens a session


@SQLITE
def test_a_revoked_token_ends_its_session(world: World) -> None:
    client = http_login(world.server.url, world.tokens["supervisor"])
    assert client.get("/cases").status_code == 200
    with command_context(actor=Actor("admin", "admin", None)):
        world.server.ledger.revoke_token(world.users["supervisor"], world.tokens["supervisor"])
    assert _to_login(client.get("/cases"))
    client.close()


@SQLITE
def test_forms_need_their_csrf_token_and_pages_send_security_headers(world: World) -> None:
    client = http_login(world.server.url, world.tokens["inspector"])
    verify_page = client.get("/verify")
    refused = client.post("/verify", data={"csrf": "forged"})
    assert refused.status_code == 403 and "CSRF" in refused.text and "verify-result" not in refused.text
    ran = client.post("/verify", data={"csrf": csrf_of(verify_page.text)})
    assert ran.status_code == 200 and "校验通过" in ran.text
    export = client.post("/verify/export", data={"csrf": "forged", "case_id": "x", "kind": "evidence"})
    assert export.status_code == 403
    for path in PAGES:
        response = client.get(path)
        assert response.status_code == 200, (path, response.text[:300])
        csp = response.headers["content-security-policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp
        assert response.headers["x-frame-options"] == "DENY"
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["referrer-policy"] == "same-origin"
        # no inline script (the CSP would block it): scripts have a src or are JSON data blocks
        for tag in re.findall(r"<script\b[^>]*>", response.text):
            assert "src=" in tag or 'type="application/json"' in tag, (path, tag)
        assert " on" not in re.sub(r'"[^"]*"', '""', "".join(re.findall(r"<[a-z]+\b[^>]*>", response.text)))
    static = client.get("/static/echarts.min.js")
    assert static.status_code == 200 and static.headers["x-content-type-options"] == "nosniff"
    client.close()


def test_a_session_expires_and_a_forged_cookie_opens_nothing(store_url: str) -> None:
    database = ViewDatabase(parse_database_url(store_url))
    store = SessionStore(lambda: database, lifetime=1)
    cookie, _ = store.open("some-token")
    found = store.find(cookie)
    assert found is not None and found[1].token_hash == hash_token("some-token")
    assert store.find(cookie[:-2] + ("AA" if not cookie.endswith("AA") else "BB")) is None  # signature
    elsewhere = SessionStore(lambda: database, secret="another secret")
    assert store.find(elsewhere.open("some-token")[0]) is None  # signed with another secret
    time.sleep(1.1)
    assert store.find(cookie) is None  # expired


def test_a_session_is_one_for_every_process_and_outlives_a_restart_and_keeps_no_credential(
    store_url: str,
) -> None:
    database = ViewDatabase(parse_database_url(store_url))
    first, second = SessionStore(lambda: database), SessionStore(lambda: database)  # two API processes
    cookie, session = first.open("the-bearer-token")
    found = second.find(cookie)
    assert found is not None and found[1] == session
    token, form_cookie = second.login_csrf()
    assert first.login_csrf_ok(form_cookie, token)  # the login form's CSRF, too
    restarted = SessionStore(lambda: database)
    assert restarted.find(cookie) is not None
    with database.transaction(write=False) as tx:
        tx.execute("SELECT session_hash, token_hash, csrf FROM page_sessions")
        stored = " ".join(str(v) for row in tx.fetchall() for v in row)
    assert "the-bearer-token" not in stored and found[0] not in stored  # hashes, never the secrets
    restarted.close(found[0])  # logout in one process ends it in all
    assert first.find(cookie) is None and second.find(cookie) is None
