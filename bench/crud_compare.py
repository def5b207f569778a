"""The write path against the CRUD peer (issue 23): the same note load on both, in the same run.

32 keep-alive clients for the phase's seconds, each posting notes round-robin over its own share
of the cases (200 by default), with one officer's token; first `xinfang serve --workers 2` with
its views running (the supervisor's runner, as deployed), then bench/crud_peer.py under uvicorn
with 2 workers, on the same PostgreSQL server and database (the peer in a schema of its own).

On a fresh ledger the county, the officer and the cases are made over HTTP before the phase; on
a generated ledger (`--ledgers`) the officer is the generated one of the township holding the
most open cases, and the cases are that township's open ones.

    python -m bench crud-peer [--seconds 15] [--cases 200] [--profile DIR]
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import httpx

from bench.http_load import LoadResult, _free_port, percentile, run_load, running, service

CLIENTS = 32
CASES = 200
PEER_WORKERS = 2
LABEL = "notes"


@dataclass(frozen=True)
class Measured:
    commands_per_second: float
    p50: float
    p99: float
    errors: dict[str, int]

    @classmethod
    def of(cls, result: LoadResult) -> Measured:
        values = result.all_latencies()
        return cls(result.count / result.seconds, percentile(values, 0.5), percentile(values, 0.99),
                   dict(result.errors))  # fmt: skip

    def cell(self) -> str:
        return f"{self.commands_per_second:.0f}/s, p50 {self.p50 * 1000:.1f} ms, p99 {self.p99 * 1000:.1f} ms"


@dataclass(frozen=True)
class Comparison:
    ledger: Measured
    peer: Measured

    @property
    def throughput_ratio(self) -> float:
        return (
            self.ledger.commands_per_second / self.peer.commands_per_second
            if self.peer.commands_per_second
            else 0.0
        )

    @property
    def p99_ratio(self) -> float:
        return self.ledger.p99 / self.peer.p99 if self.peer.p99 > 0 else float("inf")

    @property
    def met(self) -> bool:
        return self.throughput_ratio >= 1.0 and self.p99_ratio <= 1.5


@contextmanager
def peer_service(database_url: str, schema: str = "crud_peer", workers: int = PEER_WORKERS) -> Iterator[str]:
    """bench/crud_peer.py under uvicorn with `workers` processes on a free port; yields its URL."""
    port = _free_port()
    env = {**os.environ, "XINFANG_CRUD_PEER_URL": database_url, "XINFANG_CRUD_PEER_SCHEMA": schema}
    command = [sys.executable, "-m", "uvicorn", "bench.crud_peer:app", "--port", str(port),
               "--workers", str(workers), "--no-access-log", "--log-level", "warning"]  # fmt: skip
    with running(command, env, port, "the peer", 60) as base:
        yield base


def note_load(case_ids: list[str]) -> Any:
    """Client c owns the cases at c, c+32, c+64, … and posts notes on them round-robin."""

    def next_request(client: int, n: int) -> tuple[str, str, str, dict[str, Any] | None]:
        own = case_ids[client % len(case_ids) :: CLIENTS] or case_ids
        case = own[n % len(own)]
        return LABEL, "POST", f"/api/v1/cases/{case}/notes", {"text": f"跟进记录 {client}-{n}"}

    return next_request


def fresh_county(base: str, admin_token: str, cases: int) -> tuple[str, list[str]]:
    """On an empty ledger: a county, a township, its leader, a registrar, a supervisor and an
    officer, and `cases` cases registered, accepted and assigned to the township's officer.
    Returns (the officer's token, the case ids)."""
    with httpx.Client(base_url=base, timeout=60, headers={"Authorization": f"Bearer {admin_token}"}) as admin:
        for code, name, parent in (("county", "某县信访局", None), ("t01", "甲镇", "county")):
            _ok(admin.post("/api/v1/units", json={"code": code, "name": name, "parent_code": parent}))
        _ok(admin.post("/api/v1/leaders", json={"leader_id": "L-t01", "name": "王镇长", "unit_code": "t01",
                                                 "post": "镇长"}))  # fmt: skip
        tokens = {}
        for user_id, role, unit in (("reg", "registrar", "county"), ("sup", "supervisor", "county"),
                                    ("off", "officer", "t01")):  # fmt: skip
            body = {"user_id": user_id, "name": f"{role} 一", "role": role, "unit_code": unit}
            tokens[role] = _ok(admin.post("/api/v1/users", json=body))["token"]
    today = datetime.now(UTC) + timedelta(hours=8)
    ids: list[str] = []
    with (
        httpx.Client(
            base_url=base, timeout=60, headers={"Authorization": f"Bearer {tokens['registrar']}"}
        ) as reg,
        httpx.Client(
            base_url=base, timeout=60, headers={"Authorization": f"Bearer {tokens['supervisor']}"}
        ) as sup,
    ):
        for n in range(cases):
            case_id = _ok(reg.post("/api/v1/cases", json=_registration(n)))["case_id"]
            _ok(
                reg.post(
                    f"/api/v1/cases/{case_id}/accept", json={"notice_issued_on": today.date().isoformat()}
                )
            )
            _ok(sup.post(f"/api/v1/cases/{case_id}/assign",
                         json={"unit_code": "t01", "leader_id": "L-t01", "officer_id": "off"}))  # fmt: skip
            ids.append(case_id)
    return tokens["officer"], ids


def _registration(n: int) -> dict[str, Any]:
    return {
        "channel": "visit", "kind": "complaint_request", "headcount": 1,
        "petitioners": [{"name": f"张{n}", "phone": "13800138000", "address": "幸福路1号"}],
        "subject": "宅基地纠纷", "content": "邻居占用宅基地，请求处理。", "category": "land",
        "region_code": "330100", "received_unit": "county", "external_ref": f"CRUD-{n:05d}",
        "occurred_at": (datetime.now(UTC) - timedelta(hours=1)).isoformat(),
    }  # fmt: skip


def _ok(response: httpx.Response) -> dict[str, Any]:
    if response.status_code >= 400:
        raise RuntimeError(f"{response.request.method} {response.request.url}: {response.text}")
    body: dict[str, Any] = response.json()
    return body


def generated_officer(url: str, cases: int) -> tuple[str, list[str]]:
    """On a generated ledger with views built: the first officer of the township holding the
    most open cases, and up to `cases` of them."""
    import psycopg

    from bench.county import user_token

    with psycopg.connect(url) as conn:
        row = conn.execute(
            "SELECT unit_code FROM case_status WHERE status = 'in_handling' AND unit_code LIKE 't%%'"
            " AND unit_code NOT LIKE '%%-%%' GROUP BY unit_code ORDER BY count(*) DESC LIMIT 1"
        ).fetchone()
        if row is None:
            return "", []
        township = str(row[0])
        ids = [str(r[0]) for r in conn.execute(
            "SELECT case_id FROM case_status WHERE status = 'in_handling' AND unit_code = %s"
            " ORDER BY case_id LIMIT %s", (township, cases))]  # fmt: skip
    return user_token(f"off-{township}-1"), ids


def wait_for_views(base: str, timeout: float = 120) -> None:
    """Until every view has caught up with the ledger, so the phase measures live writes only."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ready = httpx.get(f"{base}/readyz", timeout=10).json()
        if ready["views"] and all(v["position"] >= ready["ledger_position"] for v in ready["views"].values()):
            return
        time.sleep(0.5)
    raise RuntimeError("the views did not catch up")


def measure_peer(url: str, token: str, case_ids: list[str], seconds: float) -> Measured:
    from bench.crud_peer import prepare

    prepare(url, token, [UUID(c) for c in case_ids])
    with peer_service(url) as base:
        return Measured.of(run_load(base, token, CLIENTS, seconds, note_load(case_ids)))


def compare_fresh(
    url: str, admin_token: str, seconds: float, cases: int = CASES, workers: int = 2
) -> Comparison:
    """On `url`, an empty migrated ledger: set up over HTTP, then both phases."""
    with service(url, admin_token, workers=workers) as base:
        token, ids = fresh_county(base, admin_token, cases)
        wait_for_views(base)
        ledger = Measured.of(run_load(base, token, CLIENTS, seconds, note_load(ids)))
    return Comparison(ledger, measure_peer(url, token, ids, seconds))


def compare_generated(
    url: str, admin_token: str, seconds: float, cases: int = CASES, workers: int = 2
) -> Comparison | None:
    """On a generated ledger whose views are built; None if it holds no open township case."""
    token, ids = generated_officer(url, cases)
    if not ids:
        return None
    with service(url, admin_token, workers=workers) as base:
        wait_for_views(base)
        ledger = Measured.of(run_load(base, token, CLIENTS, seconds, note_load(ids)))
    return Comparison(ledger, measure_peer(url, token, ids, seconds))
