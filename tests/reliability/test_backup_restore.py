"""Backup and restore drill: pg_dump the database, restore it into a new one, and show the copy is
the ledger: every chain and every signed checkpoint verifies, the views rebuild identical, and the
append-only guard came along."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

import psycopg
import pytest
from nacl.signing import SigningKey

from api.bootstrap import build_runner
from domain.application import LedgerApplication
from domain.checkpoint_store import CheckpointStore
from domain.checkpoints import key_id
from domain.ledger_tree import make_checkpoint
from domain.store import parse_database_url
from migrations.runner import migrate
from tests.integrity.support import populate, register
from tests.reliability.support import assert_chain_verifies, assert_views_equal_a_rebuild
from tests.support.cluster import pg_bin
from tests.support.postgres import create_database, drop_database, require_postgres

SCHEMA = "office"
KEY = SigningKey(bytes(range(7, 39)))
TRUSTED = {key_id(bytes(KEY.verify_key)): bytes(KEY.verify_key)}


def _tool(name: str) -> str:
    directory = pg_bin()
    if directory is None:
        pytest.fail(f"no {name}: install the postgresql client package")
    return str(directory / name)


def _libpq_args(url: str) -> list[str]:
    parts = urlsplit(url)
    return ["-h", parts.hostname or "127.0.0.1", "-p", str(parts.port or 5432), "-U", parts.username or "postgres"]


@pytest.fixture
def databases() -> Iterator[tuple[str, str]]:
    require_postgres()
    original, restored = create_database("xinfang_drill"), create_database("xinfang_restored")
    yield original, restored
    drop_database(original)
    drop_database(restored)


def _open(url: str) -> LedgerApplication:
    return LedgerApplication(parse_database_url(f"{url}?schema={SCHEMA}"))


def _view_rows(url: str) -> dict[str, list[tuple[object, ...]]]:
    with psycopg.connect(url) as conn:
        tables = [r[0] for r in conn.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema=%s AND table_type='BASE TABLE' "
            "ORDER BY table_name", (SCHEMA,),
        )]  # fmt: skip
        return {t: sorted(conn.execute(f'SELECT * FROM "{SCHEMA}"."{t}"').fetchall(), key=repr) for t in tables}


@pytest.mark.postgres
def test_a_restored_dump_verifies_against_the_signed_checkpoints_and_rebuilds_identical_views(
    databases: tuple[str, str], tmp_path: Path
) -> None:
    original_url, restored_url = databases
    migrate(original_url, schema=SCHEMA)
    ledger = _open(original_url)
    try:
        populate(ledger, cases=4)
        make_checkpoint(ledger.recorder, ledger.reads, KEY, datetime.now(UTC))
        register(ledger, notes=2)  # events after the checkpoint too: verify covers both
        build_runner(ledger).catch_up()
        events = assert_chain_verifies(ledger, TRUSTED)
    finally:
        ledger.close()

    dump = tmp_path / "office.dump"
    subprocess.run([_tool("pg_dump"), *_libpq_args(original_url), "--format=custom", "--file", str(dump),
                    urlsplit(original_url).path.lstrip("/")], check=True, capture_output=True)  # fmt: skip
    subprocess.run([_tool("pg_restore"), *_libpq_args(restored_url), "--exit-on-error", "--no-owner",
                    "--dbname", urlsplit(restored_url).path.lstrip("/"), str(dump)], check=True, capture_output=True)  # fmt: skip

    restored = _open(restored_url)
    try:
        assert len(CheckpointStore(restored.recorder).by_size()) == 1
        assert assert_chain_verifies(restored, TRUSTED) == events
        assert_views_equal_a_rebuild(restored)
        assert _view_rows(restored_url) == _view_rows(original_url)
        # The restored ledger is still append-only, and still takes new commands.
        with psycopg.connect(restored_url) as conn, pytest.raises(psycopg.Error, match=r"(?i)append-only|not allowed|forbidden"):
            conn.execute(f'UPDATE "{SCHEMA}".xinfang_events SET topic = topic')
        register(restored, notes=1)
        assert assert_chain_verifies(restored, TRUSTED) == events + 2
    finally:
        restored.close()
