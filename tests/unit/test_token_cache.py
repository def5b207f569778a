"""The token cache loads a user only when the store holds a newer version of it."""

from __future__ import annotations

from uuid import UUID, uuid4

from domain.reference import User
from domain.token_cache import TokenCache
from domain.vocabulary import Role


class FakeStore:
    """Users by id, with a count of full loads."""

    def __init__(self) -> None:
        self.users: dict[UUID, User] = {}
        self.loads = 0

    def add(self) -> User:
        user = User.create(user_id=str(uuid4()), name="n", role=Role.OFFICER, unit_code=None, leader_id=None)
        self.users[user.id] = user
        return user

    def latest_version(self, user_id: UUID) -> int | None:
        user = self.users.get(user_id)
        return None if user is None else user.version

    def load(self, user_id: UUID) -> User:
        self.loads += 1
        return self.users[user_id]


def test_an_unchanged_user_is_loaded_once() -> None:
    store = FakeStore()
    user = store.add()
    cache = TokenCache(store.latest_version, store.load)
    assert cache.user(user.id) is user
    assert cache.user(user.id) is user
    assert store.loads == 1


def test_a_newer_version_in_the_store_is_loaded() -> None:
    store = FakeStore()
    user = store.add()
    cache = TokenCache(store.latest_version, store.load)
    cache.user(user.id)
    user.change_role(role=Role.LEADER)  # version 2 in the "store"
    assert cache.user(user.id) is user and store.loads == 2


def test_an_unknown_user_is_none_and_not_loaded() -> None:
    store = FakeStore()
    cache = TokenCache(store.latest_version, store.load)
    assert cache.user(uuid4()) is None
    assert store.loads == 0


def test_the_least_recently_used_go_first_beyond_the_limit() -> None:
    store = FakeStore()
    first, second, third = store.add(), store.add(), store.add()
    cache = TokenCache(store.latest_version, store.load, max_entries=2)
    for user in (first, second, first, third):  # `second` is now the least recently used
        cache.user(user.id)
    loads = store.loads
    cache.user(first.id)
    assert store.loads == loads
    cache.user(second.id)
    assert store.loads == loads + 1
    owner = uuid4()
    cache.remember_owner("a", owner)
    cache.remember_owner("b", uuid4())
    cache.remember_owner("c", uuid4())
    assert cache.owner("a") is None and cache.owner("c") is not None
