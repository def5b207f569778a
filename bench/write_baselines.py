"""The write path's baselines, measured in the same run on the same server.

(a) eventsourcing's own `Application.save` of one new one-event aggregate per transaction,
    one thread, in process (the library's PostgreSQL recorder, its table lock included);
(b) a raw single-row INSERT per transaction under the same EXCLUSIVE table lock, one connection.
"""

from __future__ import annotations

import time
from uuid import UUID, uuid4

import psycopg
from eventsourcing.application import Application
from eventsourcing.domain import Aggregate, event


class Dot(Aggregate):
    @event("Created")
    def __init__(self, n: int) -> None:
        self.n = n


class DotApp(Application[UUID]):
    name = "benchdots"


def library_saves_per_second(database_url: str, seconds: float) -> float:
    """(a): new one-event aggregates saved one per transaction, for `seconds`."""
    from domain.store import parse_database_url

    store = parse_database_url(database_url)
    env = {
        "PERSISTENCE_MODULE": "eventsourcing.postgres",
        "POSTGRES_DBNAME": store.pg_dbname,
        "POSTGRES_HOST": store.pg_host,
        "POSTGRES_PORT": store.pg_port,
        "POSTGRES_USER": store.pg_user,
        "POSTGRES_PASSWORD": store.pg_password,
        "POSTGRES_SCHEMA": "bench_baseline_a",
        "CREATE_TABLE": "y",
    }
    with psycopg.connect(store.conninfo(), autocommit=True) as conn:
        conn.execute("CREATE SCHEMA IF NOT EXISTS bench_baseline_a")
    app = DotApp(env=env)
    try:
        done, stop_at, began = 0, time.monotonic() + seconds, time.perf_counter()
        while time.monotonic() < stop_at:
            app.save(Dot(done))
            done += 1
        return done / (time.perf_counter() - began)
    finally:
        app.close()


def raw_inserts_per_second(database_url: str, seconds: float) -> float:
    """(b): one row per transaction, each taking the EXCLUSIVE table lock first."""
    from domain.store import parse_database_url

    store = parse_database_url(database_url)
    with psycopg.connect(store.conninfo()) as conn:
        with conn.transaction():
            conn.execute("CREATE SCHEMA IF NOT EXISTS bench_baseline_b")
            conn.execute(
                "CREATE TABLE IF NOT EXISTS bench_baseline_b.rows (id uuid, version bigint, topic text, "
                "state bytea, notification_id bigserial, PRIMARY KEY (id, version))"
            )
        state = b'{"n":1,"text":"' + b"x" * 400 + b'"}'
        done, stop_at, began = 0, time.monotonic() + seconds, time.perf_counter()
        while time.monotonic() < stop_at:
            with conn.transaction():
                conn.execute("LOCK TABLE bench_baseline_b.rows IN EXCLUSIVE MODE")
                conn.execute(
                    "INSERT INTO bench_baseline_b.rows (id, version, topic, state) VALUES (%s, 1, %s, %s)",
                    (uuid4(), "bench:Row", state),
                )
            done += 1
        return done / (time.perf_counter() - began)
