"""Bearer tokens stay revocation-safe with the per-process token cache, on both stores.

Two LedgerApplication instances on one store stand for two API processes: each has its own
cache, and a change written by one must take effect on the other's very next request.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta

import pytest

from domain.application import LedgerApplication
from domain.context import command_context
from domain.store import parse_database_url
from domain.values import Actor
from domain.vocabulary import Role
from tests.factories import rid

ADMIN = Actor("admin", "admin", None)
T0 = datetime(2026, 3, 1, 9, tzinfo=UTC)


@pytest.fixture
def other_process(store_url: str) -> Iterator[LedgerApplication]:
    """A second application on the same store, with a cache of its own."""
    app = LedgerApplication(parse_database_url(store_url))
    yield app
    app.close()


def _user(ledger: LedgerApplication, expires_at: datetime | None = None) -> tuple[str, str]:
    """(user id, token) of a new supervisor."""
    user_id = rid("user-")
    with command_context(actor=ADMIN, now=T0):
        token = ledger.create_user(
            user_id=user_id, name="周敏", role=Role.SUPERVISOR, unit_code=None, expires_at=expires_at
        )
    return user_id, token


def _role(ledger: LedgerApplication, token: str, now: datetime = T0) -> Role | None:
    with command_context(actor=ADMIN, now=now):
        user = ledger.user_for_token(token)
    return None if user is None else user.role


Change = Callable[[LedgerApplication, str, str], None]  # (writer, user id, token)
CHANGES: dict[str, tuple[Change, Role | None]] = {  # the change, and the role the token has after it
    "token revoked": (lambda app, user_id, token: app.revoke_token(user_id, token), None),
    "user deactivated": (lambda app, user_id, _: app.deactivate_user(user_id), None),
    "role changed": (lambda app, user_id, _: app.change_role(user_id, Role.REGISTRAR), Role.REGISTRAR),
}


@pytest.mark.parametrize("where", ["this process", "another process"])
@pytest.mark.parametrize("change", sorted(CHANGES))
def test_a_change_of_the_user_applies_from_the_next_request(
    ledger: LedgerApplication, other_process: LedgerApplication, where: str, change: str
) -> None:
    user_id, token = _user(ledger)
    assert _role(ledger, token) is Role.SUPERVISOR  # now cached
    write, role_after = CHANGES[change]
    with command_context(actor=ADMIN, now=T0):
        write(ledger if where == "this process" else other_process, user_id, token)
    assert _role(ledger, token) is role_after


def test_expiry_is_judged_against_the_clock_on_every_request(ledger: LedgerApplication) -> None:
    _, token = _user(ledger, expires_at=T0 + timedelta(days=1))
    assert _role(ledger, token, T0) is Role.SUPERVISOR  # cached, and nothing is written after this
    assert _role(ledger, token, T0 + timedelta(hours=23)) is Role.SUPERVISOR
    assert _role(ledger, token, T0 + timedelta(days=1)) is None


def test_a_token_unknown_when_asked_works_once_another_process_issues_it(
    ledger: LedgerApplication, other_process: LedgerApplication
) -> None:
    user_id, _ = _user(ledger)
    later = f"later-{rid()}"
    assert _role(ledger, later) is None
    with command_context(actor=ADMIN, now=T0):
        other_process.add_token(user_id, token=later)
    assert _role(ledger, later) is Role.SUPERVISOR


def test_another_token_of_a_cached_user_is_not_let_in_by_the_first(ledger: LedgerApplication) -> None:
    user_id, token = _user(ledger)
    assert _role(ledger, token) is Role.SUPERVISOR
    with command_context(actor=ADMIN, now=T0):
        second = ledger.add_token(user_id)
        ledger.revoke_token(user_id, second)
    assert _role(ledger, second) is None
    assert _role(ledger, token) is Role.SUPERVISOR
