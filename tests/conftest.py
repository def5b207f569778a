"""Shared fixtures: the same tests run on SQLite and on a real PostgreSQL (fresh database per run)."""

from __future__ import annotations

import secrets
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import uvicorn

from api.app import create_app
from api.settings import Settings
from domain.application import LedgerApplication
from domain.store import parse_database_url
from migrations.runner import migrate
from tests.support.postgres import create_database, drop_database, require_postgres

STORES = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
ADMIN_TOKEN = "test-admin-token"


@pytest.fixture(scope="session")
def postgres_database() -> Iterator[str]:
    """One fresh database for the whole run; each test gets its own schema in it."""
    require_postgres()
    url = create_database("xinfang_test")
    yield url
    drop_database(url)


def _store_url(kind: str, request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if kind == "sqlite":
        return f"sqlite:///{tmp_path / 'ledger.db'}"
    database: str = request.getfixturevalue("postgres_database")
    return f"{database}?schema=t_{secrets.token_hex(6)}"


def _migrated(url: str) -> str:
    store = parse_database_url(url)
    migrate(store.plain_url, schema=store.migration_schema)
    return url


@pytest.fixture(params=STORES)
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A migrated, empty ledger store URL: a SQLite file, or a fresh PostgreSQL schema."""
    return _migrated(_store_url(request.param, request, tmp_path))


@pytest.fixture
def postgres_store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """`store_url`'s PostgreSQL store alone, for what only PostgreSQL does (mark the test postgres)."""
    return _migrated(_store_url("postgres", request, tmp_path))


def _application(url: str) -> Iterator[LedgerApplication]:
    app = LedgerApplication(parse_database_url(url))
    yield app
    app.close()


@pytest.fixture
def ledger(store_url: str) -> Iterator[LedgerApplication]:
    yield from _application(store_url)


@pytest.fixture
def postgres_ledger(postgres_store_url: str) -> Iterator[LedgerApplication]:
    yield from _application(postgres_store_url)


class LiveServer:
    """The real service on a loopback port, driven over HTTP."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.app = create_app(settings)
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        self.port = sock.getsockname()[1]
        sock.close()
        self.server = uvicorn.Server(
            uvicorn.Config(
                self.app, host="127.0.0.1", port=self.port, log_level="warning", proxy_headers=False
            )
        )
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ledger(self) -> LedgerApplication:
        ledger: LedgerApplication = self.app.state.ledger
        return ledger

    def __enter__(self) -> LiveServer:
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("test server did not start")
            time.sleep(0.01)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)
        self.ledger.close()

    def client(self, token: str | None = ADMIN_TOKEN) -> httpx.Client:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return httpx.Client(base_url=self.url, headers=headers, timeout=30)


@pytest.fixture
def live_server(store_url: str) -> Iterator[LiveServer]:
    settings = Settings(database_url=store_url, admin_token=ADMIN_TOKEN)
    with LiveServer(settings) as server:
        yield server
