"""Two jurisdictions' ledgers side by side in one PostgreSQL database, one schema each
(README "Operations": one ledger per jurisdiction), and nothing of one seen by the other."""

from __future__ import annotations

import secrets
from collections.abc import Iterator

import pytest

from api.settings import Settings
from bench.county import user_token
from bench.generator import generate
from domain.application import LedgerApplication
from domain.context import command_context
from domain.ledger_tree import ledger_head
from domain.store import parse_database_url
from domain.values import Actor
from domain.verify import verify_ledger
from migrations.runner import migrate
from tests.conftest import ADMIN_TOKEN, LiveServer

pytestmark = pytest.mark.postgres
# The county supervisor: reads every case of the county (generated users' tokens are derived).
SUPERVISOR = user_token("sup-1")


@pytest.fixture
def two_jurisdictions(postgres_database: str) -> Iterator[dict[str, str]]:
    """County A and county B: two schemas of the same database, each migrated and generated."""
    urls = {}
    for name, seed, cases in (("a", 1, 40), ("b", 2, 25)):
        url = f"{postgres_database}?schema=j{name}_{secrets.token_hex(4)}"
        store = parse_database_url(url)
        migrate(store.plain_url, schema=store.migration_schema)
        ledger = LedgerApplication(store)
        try:
            generate(ledger, cases, seed=seed)
        finally:
            ledger.close()
        urls[name] = url
    yield urls


def _case_ids(server: LiveServer, head: int) -> set[str]:
    with server.client(SUPERVISOR) as client:
        response = client.get("/api/v1/cases", params={"limit": 500, "min_position": head})
        assert response.status_code == 200, response.text
        body = response.json()
    assert body["next_cursor"] is None
    return {item["case_id"] for item in body["items"]}


def test_two_jurisdiction_ledgers_in_one_database_stay_apart(two_jurisdictions: dict[str, str]) -> None:
    a = LedgerApplication(parse_database_url(two_jurisdictions["a"]))
    b = LedgerApplication(parse_database_url(two_jurisdictions["b"]))
    try:
        head_a, head_b = ledger_head(a.recorder), ledger_head(b.recorder)
        # Each ledger numbers its own positions from 1 and verifies on its own.
        assert a.reads.rows_between(1, 1, 1)[0].position == b.reads.rows_between(1, 1, 1)[0].position == 1
        assert verify_ledger(a.reads, head_a, [], {}).events_checked == head_a
        assert verify_ledger(b.reads, head_b, [], {}).events_checked == head_b

        # A write in A moves A only.
        with command_context(actor=Actor("gen-admin", "admin", None), reason="new township"):
            a.create_unit(code="t99", name="新设镇", parent_code="county")
        assert ledger_head(a.recorder) == head_a + 1
        assert ledger_head(b.recorder) == head_b
        assert a.get_unit("t99").name == "新设镇"
        with pytest.raises(Exception, match="t99"):
            b.get_unit("t99")
        head_a += 1
    finally:
        a.close()
        b.close()

    # Each jurisdiction's service (its own views, in its own schema) lists its own cases only.
    with LiveServer(Settings(database_url=two_jurisdictions["a"], admin_token=ADMIN_TOKEN)) as server_a:
        cases_a = _case_ids(server_a, head_a)
    with LiveServer(Settings(database_url=two_jurisdictions["b"], admin_token=ADMIN_TOKEN)) as server_b:
        cases_b = _case_ids(server_b, head_b)
    assert len(cases_a) == 40
    assert len(cases_b) == 25
    # Case ids come from external references (GEN-00000000...): both counties have case
    # GEN-00000000, and still each holds its own, different history for it.
    assert cases_b <= cases_a
    with LiveServer(Settings(database_url=two_jurisdictions["b"], admin_token=ADMIN_TOKEN)) as server_b:
        some = sorted(cases_b)[0]
        with server_b.client(SUPERVISOR) as client:
            subject_b = client.get(f"/api/v1/cases/{some}").json()["subject"]
    with (
        LiveServer(Settings(database_url=two_jurisdictions["a"], admin_token=ADMIN_TOKEN)) as server_a,
        server_a.client(SUPERVISOR) as client,
    ):
        subject_a = client.get(f"/api/v1/cases/{some}").json()["subject"]
    assert subject_a != subject_b
