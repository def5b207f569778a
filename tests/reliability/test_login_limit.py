"""Failed-authentication rate limiting: per address, 429 with Retry-After for failed attempts only,
nothing reset by a success, and the address one that a forged X-Forwarded-For cannot choose."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from api.edge import forwarded_client, trusted_networks
from api.login_limit import FailedLoginLimiter
from api.pages.session import COOKIE
from api.settings import Settings
from tests.api.helpers import assert_problem
from tests.conftest import ADMIN_TOKEN, LiveServer
from tests.pages.scene import csrf_of


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_the_limiter_blocks_after_n_failures_until_the_oldest_leaves_the_window() -> None:
    clock = Clock()
    limiter = FailedLoginLimiter(3, 60, clock)
    for _ in range(2):
        limiter.record_failure("10.0.0.1")
        clock.now += 10
    assert limiter.retry_after("10.0.0.1") is None
    limiter.record_failure("10.0.0.1")  # third failure at t=1020; the first was at t=1000
    assert limiter.retry_after("10.0.0.1") == 40
    assert limiter.retry_after("10.0.0.2") is None  # another address is not affected
    clock.now += 39.5
    assert limiter.retry_after("10.0.0.1") == 1
    clock.now += 0.5
    assert limiter.retry_after("10.0.0.1") is None  # the first failure has left the window


def test_the_limiter_forgets_idle_addresses_when_many_are_tracked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("api.login_limit.MAX_TRACKED_ADDRESSES", 5)
    clock = Clock()
    limiter = FailedLoginLimiter(2, 60, clock)
    for n in range(5):
        limiter.record_failure(f"10.0.0.{n}")
    clock.now += 61
    limiter.record_failure("10.0.1.1")
    assert set(limiter._failures) == {"10.0.1.1"}


@pytest.mark.parametrize(("limit", "window"), [(0, 60), (3, 0)])
def test_the_limiter_refuses_a_meaningless_configuration(limit: int, window: float) -> None:
    with pytest.raises(ValueError, match="max_failures"):
        FailedLoginLimiter(limit, window)


def _limited(store_url: str, **overrides: str) -> LiveServer:
    """A server that limits an address after 3 failures in 10 minutes (both stores: the token
    lookups that decide a failure are the store's)."""
    settings = Settings(
        database_url=store_url, admin_token=ADMIN_TOKEN, auth_failure_limit=3, auth_failure_window_seconds=600,
        **overrides,
    )  # fmt: skip
    return LiveServer(settings)


@pytest.fixture
def server(store_url: str) -> Iterator[LiveServer]:
    with _limited(store_url) as live:
        yield live


def test_bad_tokens_from_one_address_get_429_with_retry_after_and_a_success_resets_nothing(
    server: LiveServer,
) -> None:
    with server.client("guess-1") as guesser, server.client(ADMIN_TOKEN) as admin:
        for n in range(3):
            if n:  # a success in between (same address: every test client is 127.0.0.1) resets nothing
                assert admin.get("/api/v1/units").status_code == 200
            bad = guesser.get("/api/v1/units", headers={"Authorization": f"Bearer guess-{n}"})
            assert_problem(bad, 401, "unauthenticated")
        blocked = guesser.get("/api/v1/units")
        body = assert_problem(blocked, 429, "too_many_failed_logins")
        assert 0 < int(blocked.headers["retry-after"]) <= 600
        assert body["retry_after_seconds"] == int(blocked.headers["retry-after"])
        # Only failures are refused: the right token from this address is served (an office behind
        # one NAT address is not locked out by one bad client), and it resets nothing.
        assert admin.get("/api/v1/units").status_code == 200
        assert_problem(guesser.get("/api/v1/units"), 429, "too_many_failed_logins")
        # Requests without a token are not guesses and do not count (nor are they blocked).
        with httpx.Client(base_url=server.url) as anonymous:
            assert anonymous.get("/healthz").status_code == 200
            assert_problem(anonymous.get("/api/v1/units"), 401, "unauthenticated")


def test_the_login_form_counts_against_the_same_limit(server: LiveServer) -> None:
    """The pages' login form is another way to try tokens: it must not get around the limit."""
    with httpx.Client(base_url=server.url) as browser:
        for n in range(3):
            form = browser.get("/login")
            bad = browser.post("/login", data={"token": f"guess-{n}", "csrf": csrf_of(form.text)})
            assert bad.status_code == 401 and "令牌无效" in bad.text
        form = browser.get("/login")
        blocked = browser.post("/login", data={"token": "guess-3", "csrf": csrf_of(form.text)})
        assert blocked.status_code == 429 and "失败次数过多" in blocked.text
        assert 0 < int(blocked.headers["retry-after"]) <= 600
        assert COOKIE not in blocked.cookies
    with server.client("guess-4") as guesser:  # the bearer path is blocked by the form's failures
        assert_problem(guesser.get("/api/v1/units"), 429, "too_many_failed_logins")
    with httpx.Client(base_url=server.url) as colleague:  # a valid token from the same address
        form = colleague.get("/login")
        signed_in = colleague.post("/login", data={"token": ADMIN_TOKEN, "csrf": csrf_of(form.text)})
        assert signed_in.status_code in (200, 303) and COOKIE in colleague.cookies, signed_in.text[:300]


def _guess_from(server: LiveServer, forwarded_for: str, n: int) -> httpx.Response:
    with server.client(f"forged-{n}") as guesser:
        return guesser.get("/api/v1/units", headers={"X-Forwarded-For": forwarded_for})


def test_a_forged_forwarded_for_header_does_not_escape_the_limit(server: LiveServer) -> None:
    """No proxy is trusted by default: every request counts against the peer's own address."""
    statuses = [_guess_from(server, f"203.0.113.{n}, 198.51.100.{n}", n).status_code for n in range(25)]
    assert statuses[:3] == [401, 401, 401]
    assert set(statuses[3:]) == {429}, statuses
    with server.client(ADMIN_TOKEN) as admin:  # while a valid token from that address is served
        assert admin.get("/api/v1/units", headers={"X-Forwarded-For": "203.0.113.77"}).status_code == 200


@pytest.fixture
def behind_proxy(store_url: str) -> Iterator[LiveServer]:
    """The test client (127.0.0.1) plays a reverse proxy the service trusts."""
    with _limited(store_url, trusted_proxies="127.0.0.1, 10.0.0.0/8") as live:
        yield live


def test_behind_a_trusted_proxy_the_client_is_the_last_untrusted_forwarded_address(
    behind_proxy: LiveServer,
) -> None:
    # The client forges a first entry; the proxies append what they saw: the client is 192.0.2.7.
    for n in range(3):
        forged = f"198.51.100.{n}, 192.0.2.7, 10.1.2.3"
        assert_problem(_guess_from(behind_proxy, forged, n), 401, "unauthenticated")
    assert_problem(_guess_from(behind_proxy, "203.0.113.9, 192.0.2.7", 3), 429, "too_many_failed_logins")
    # Another client behind the same proxy is not affected; nor is the proxy's own address.
    assert_problem(_guess_from(behind_proxy, "192.0.2.8", 4), 401, "unauthenticated")


@pytest.mark.parametrize(
    ("peer", "forwarded", "client"),
    [
        ("192.0.2.1", ["203.0.113.5"], "192.0.2.1"),  # not a proxy: the header is ignored
        ("10.0.0.2", ["203.0.113.5"], "203.0.113.5"),
        ("10.0.0.2", ["198.51.100.1, 203.0.113.5"], "203.0.113.5"),  # the client's own entry is forgeable
        ("10.0.0.2", ["203.0.113.5, 10.0.0.9"], "203.0.113.5"),  # a chain of trusted proxies
        ("10.0.0.2", ["203.0.113.5", "10.0.0.9"], "203.0.113.5"),  # the header given twice
        ("10.0.0.2", ["not-an-address"], "10.0.0.2"),
        ("10.0.0.2", [], "10.0.0.2"),
        ("10.0.0.2", ["2001:db8::1"], "2001:db8::1"),
    ],
)
def test_forwarded_client_believes_only_trusted_proxies(peer: str, forwarded: list[str], client: str) -> None:
    assert forwarded_client(peer, forwarded, trusted_networks("10.0.0.0/8")) == client


def test_trusted_proxies_must_be_addresses_or_networks() -> None:
    assert trusted_networks(None) == ()
    assert len(trusted_networks("127.0.0.1, ::1,10.0.0.0/8")) == 3
    with pytest.raises(ValueError, match="does not appear to be"):
        trusted_networks("proxy.example")
