"""Failed-authentication rate limiting: per address, 429 with Retry-After, nothing reset by a success."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

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


@pytest.fixture
def server(tmp_path: object) -> Iterator[LiveServer]:
    settings = Settings(
        database_url=f"sqlite:///{tmp_path}/ledger.db", admin_token=ADMIN_TOKEN,
        auth_failure_limit=3, auth_failure_window_seconds=600,
    )  # fmt: skip
    with LiveServer(settings) as live:
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
        # While blocked, even the right token from this address is refused, unread.
        assert_problem(admin.get("/api/v1/units"), 429, "too_many_failed_logins")
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
        blocked = browser.post("/login", data={"token": ADMIN_TOKEN, "csrf": csrf_of(form.text)})
        assert blocked.status_code == 429 and "失败次数过多" in blocked.text
        assert 0 < int(blocked.headers["retry-after"]) <= 600
        assert COOKIE not in blocked.cookies
    with server.client(ADMIN_TOKEN) as admin:  # the bearer path is blocked by the form's failures
        assert_problem(admin.get("/api/v1/units"), 429, "too_many_failed_logins")
