"""The case status view's identity table: which cases each petitioner's id number is on (R10).

Rows hold a hash of the id number (domain/identity.py), the case and whether its matter was
terminated (终结). Registration looks up earlier cases of the same petitioner here, joined with
`case_status` (same view, same position) for their status and the reader-access columns.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from domain import case_events as ev
from domain.identity import identity_hashes
from projections.engine.database import Tx
from projections.engine.sqltypes import db_bool
from projections.engine.view import ViewEvent

IDENTITIES = "case_identities"
COLUMNS = ("id_hash", "case_id", "terminated")


def apply(tx: Tx, batch: Sequence[ViewEvent]) -> list[str]:
    """Index each registration's id numbers; mark the cases a batch terminates. Returns the cases
    the batch registers that are first petitions (初信初访, issue 21)."""
    pg = tx.postgres
    registrations = [(str(e.originator_id), identity_hashes(e.event.petitioners))
                     for e in batch if isinstance(e.event, ev.Registered)]  # fmt: skip
    first = first_petitions(tx, IDENTITIES, registrations)
    registered = [(h, case_id, db_bool(pg, False)) for case_id, hashes in registrations for h in hashes]
    tx.executemany(
        f"INSERT INTO {tx.table(IDENTITIES)} ({', '.join(COLUMNS)}) VALUES (?, ?, ?) "
        "ON CONFLICT (id_hash, case_id) DO NOTHING",
        registered,
    )
    terminated = sorted({str(e.originator_id) for e in batch if isinstance(e.event, ev.Terminated)})
    tx.executemany(
        f"UPDATE {tx.table(IDENTITIES)} SET terminated = ? WHERE case_id = ?",
        [(db_bool(pg, True), case_id) for case_id in terminated],
    )
    return first


def first_petitions(tx: Tx, table: str, registrations: Sequence[tuple[Any, Sequence[str]]]) -> list[Any]:
    """Of these registrations (case id, identity hashes; in ledger order), the first petitions:
    no case of any of the same identity numbers is in `table` (id_hash, case_id) or earlier in
    the list. A petition without an id number has no earlier case to find, so it is a first one.
    Ledger order, not the day the matter arose: a view row must not change when a late entry of
    an older matter is recorded, and a rebuild must give what the live view gave. One look-up
    per batch (per 500 id numbers), not per case."""
    wanted = sorted({h for _, hashes in registrations for h in hashes})
    known: dict[str, set[str]] = {}
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        tx.execute(f"SELECT i.id_hash, i.case_id FROM {tx.table(table)} i WHERE {_in(chunk)}", chunk)
        for id_hash, case_id in tx.fetchall():
            known.setdefault(id_hash, set()).add(str(case_id))
    first: list[Any] = []
    for case_id, hashes in registrations:
        own = str(case_id)
        if not any(known.get(h, set()) - {own} for h in hashes):
            first.append(case_id)
        for h in hashes:
            known.setdefault(h, set()).add(own)
    return first


def _in(hashes: Sequence[str]) -> str:
    return f"i.id_hash IN ({', '.join('?' * len(hashes))})"


def earlier_cases(
    tx: Tx, hashes: Sequence[str], scope_where: str, scope_params: Sequence[Any]
) -> list[dict[str, Any]]:
    """Cases on any of these identity hashes that the scope (api/access.py `rows`, over alias
    `s`) lets the reader see, oldest registration first."""
    if not hashes:
        return []
    tx.execute(
        f"SELECT DISTINCT s.case_id, s.status, s.registered_on, s.registered_at "
        f"FROM {tx.table(IDENTITIES)} i JOIN {tx.table('case_status')} s ON s.case_id = i.case_id "
        f"WHERE {_in(hashes)} AND ({scope_where}) ORDER BY s.registered_at, s.case_id",
        [*hashes, *scope_params],
    )
    return [
        {"case_id": case_id, "status": status, "registered_on": _day(registered_on)}
        for case_id, status, registered_on, _at in tx.fetchall()
    ]


def any_terminated(tx: Tx, hashes: Sequence[str]) -> bool:
    """Whether any case on these identity hashes was terminated, whoever may read it (the
    matter is final for every office: 第三十六条)."""
    if not hashes:
        return False
    tx.execute(
        f"SELECT 1 FROM {tx.table(IDENTITIES)} i WHERE {_in(hashes)} AND i.terminated = ? LIMIT 1",
        [*hashes, db_bool(tx.postgres, True)],
    )
    return tx.fetchone() is not None


def _day(value: Any) -> str:
    return value.isoformat() if isinstance(value, date) else str(value)
