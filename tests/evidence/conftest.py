"""A live server that signs checkpoints with a key file of the test's own, on both stores."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from nacl.signing import SigningKey

from api.settings import Settings
from tests.api.helpers import World, build_world
from tests.conftest import ADMIN_TOKEN, LiveServer


@pytest.fixture
def signing_key(tmp_path: Path) -> SigningKey:
    return SigningKey.generate()


@pytest.fixture
def key_file(tmp_path: Path, signing_key: SigningKey) -> Path:
    path = tmp_path / "checkpoint.key"
    path.write_text(bytes(signing_key).hex())
    path.chmod(0o600)
    return path


@pytest.fixture
def public_key_hex(signing_key: SigningKey) -> str:
    return bytes(signing_key.verify_key).hex()


@pytest.fixture
def evidence_server(store_url: str, key_file: Path) -> Iterator[LiveServer]:
    settings = Settings(database_url=store_url, admin_token=ADMIN_TOKEN, signing_key_file=str(key_file))
    with LiveServer(settings) as server:
        yield server


@pytest.fixture
def world(evidence_server: LiveServer) -> Iterator[World]:
    w = build_world(evidence_server)
    yield w
    w.close()
