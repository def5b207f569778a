"""The service a petition office would otherwise build: plain CRUD with an audit table.

A small, honest FastAPI service to hold the write path against (issue 23): the bearer token is
looked up by its SHA-256 hash on every request (no cache: one indexed read, the same as the
ledger's per-request check of its user's latest version), and a note on a case updates the case
row and inserts one audit row, in one transaction, on a psycopg_pool connection. It keeps no
hash chain, no idempotency keys, no views, no history but the audit rows.

    XINFANG_CRUD_PEER_URL=postgresql://... uvicorn bench.crud_peer:app --workers 2

`prepare(url, schema, token, cases)` makes its schema, one user and the cases; the bench
(bench/crud_compare.py) runs it beside `xinfang serve` on the same server.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any
from uuid import UUID

import orjson
import psycopg
from fastapi import FastAPI, HTTPException, Request, Response
from psycopg import sql
from psycopg_pool import AsyncConnectionPool

SCHEMA_ENV, URL_ENV = "XINFANG_CRUD_PEER_SCHEMA", "XINFANG_CRUD_PEER_URL"
DEFAULT_SCHEMA = "crud_peer"
POOL_SIZE = 10  # per worker process (psycopg_pool's default max is 4; 10 is a common production choice)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def prepare(url: str, token: str, case_ids: list[UUID], schema: str = DEFAULT_SCHEMA) -> None:
    """The peer's tables, its one user (holding `token`) and the cases, in `schema`."""
    s = sql.Identifier(schema)
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(s))
        conn.execute(sql.SQL("CREATE SCHEMA {}").format(s))
        for statement in (
            "CREATE TABLE {}.users (token_hash text PRIMARY KEY, user_id text NOT NULL, role text NOT NULL,"
            " unit_code text, revoked boolean NOT NULL DEFAULT false)",
            "CREATE TABLE {}.cases (case_id uuid PRIMARY KEY, unit_code text NOT NULL,"
            " version bigint NOT NULL DEFAULT 1, status text NOT NULL DEFAULT 'in_handling',"
            " notes integer NOT NULL DEFAULT 0, last_note text,"
            " updated_at timestamptz NOT NULL DEFAULT now(), updated_by text)",
            "CREATE TABLE {}.audit (audit_id bigserial PRIMARY KEY, case_id uuid NOT NULL,"
            " user_id text NOT NULL, action text NOT NULL, body jsonb NOT NULL, request_id text,"
            " recorded_at timestamptz NOT NULL DEFAULT now())",
            "CREATE INDEX ON {}.audit (case_id, audit_id)",
        ):
            conn.execute(sql.SQL(statement).format(s))
        conn.execute(
            sql.SQL(
                "INSERT INTO {}.users (token_hash, user_id, role, unit_code) VALUES (%s, %s, %s, %s)"
            ).format(s),
            (token_hash(token), "peer-officer", "officer", "t01"),
        )
        with conn.cursor() as cur:
            cur.executemany(
                sql.SQL("INSERT INTO {}.cases (case_id, unit_code) VALUES (%s, 't01')").format(s),
                [(c,) for c in case_ids],
            )


def _statements(schema: str) -> tuple[sql.Composed, sql.Composed, sql.Composed]:
    s = sql.Identifier(schema)
    user = sql.SQL("SELECT user_id, unit_code FROM {}.users WHERE token_hash = %s AND NOT revoked").format(s)
    update = sql.SQL(
        "UPDATE {}.cases SET version = version + 1, notes = notes + 1, last_note = %s,"
        " updated_at = now(), updated_by = %s WHERE case_id = %s AND unit_code = %s RETURNING version"
    ).format(s)
    audit = sql.SQL(
        "INSERT INTO {}.audit (case_id, user_id, action, body, request_id) VALUES (%s, %s, 'note', %s, %s)"
    ).format(s)
    return user, update, audit


SCHEMA = os.environ.get(SCHEMA_ENV, DEFAULT_SCHEMA)
USER_SQL, UPDATE_SQL, AUDIT_SQL = _statements(SCHEMA)


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    pool = AsyncConnectionPool(os.environ[URL_ENV], min_size=POOL_SIZE, max_size=POOL_SIZE, open=False)
    await pool.open(wait=True)
    app.state.pool = pool
    try:
        yield
    finally:
        await pool.close()


app = FastAPI(lifespan=lifespan)


@app.get("/healthz")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


@app.post("/api/v1/cases/{case_id}/notes")
async def add_note(case_id: UUID, request: Request) -> Response:
    header = request.headers.get("authorization", "")
    if not header.lower().startswith("bearer "):
        raise HTTPException(401, "a bearer token is required")
    body: Any = orjson.loads(await request.body())
    text = body.get("text") if isinstance(body, dict) else None
    if not isinstance(text, str) or not text.strip() or len(text) > 20_000:
        raise HTTPException(422, "text is required")
    pool: AsyncConnectionPool = request.app.state.pool
    async with pool.connection() as conn, conn.transaction():
        found = await (await conn.execute(USER_SQL, (token_hash(header[7:].strip()),))).fetchone()
        if found is None:
            raise HTTPException(401, "the token is unknown or revoked")
        user_id, unit_code = found
        row = await (await conn.execute(UPDATE_SQL, (text, user_id, case_id, unit_code))).fetchone()
        if row is None:  # no such case, or not the caller's unit: the same answer
            raise HTTPException(404, "case not found")
        request_id = request.headers.get("x-request-id")
        await conn.execute(AUDIT_SQL, (case_id, user_id, orjson.dumps(body).decode(), request_id))
    return Response(orjson.dumps({"case_id": str(case_id), "version": row[0]}), media_type="application/json")
