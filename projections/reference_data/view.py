"""Reference data as a view: units (tree, path, level), leaders (posts over time) and users.

The lists of units, leaders and users, and the pages' unit choices and display names, read these
small tables instead of replaying every reference event of the ledger on each request (which
cost a scan of the whole notification log, growing with the ledger). Rows are keyed by the
aggregate id, since later events (a rename, a new post, a role change) name only that.
"""

from __future__ import annotations

from dataclasses import astuple, dataclass, fields
from typing import Any, ClassVar

import orjson

from domain import practices
from domain import reference as ref
from domain.application import LedgerApplication
from projections.case_status.context import utc_text
from projections.engine.database import Tx
from projections.engine.sqltypes import db_date, db_time
from projections.engine.view import ViewEvent

UNITS, LEADERS, POSTS, USERS = "ref_units", "ref_leaders", "ref_leader_posts", "ref_users"
RECEPTIONS, CAMPAIGNS = "ref_receptions", "ref_campaigns"  # issue 21: practices


@dataclass
class UnitRow:
    aggregate_id: str
    code: str
    name: str
    parent_code: str | None
    path: str
    level: int


@dataclass
class LeaderRow:
    aggregate_id: str
    leader_id: str
    name: str
    unit_code: str
    post: str
    active: bool
    posts: int  # how many posts held so far (the last one's seq)


@dataclass
class UserRow:
    aggregate_id: str
    user_id: str
    name: str
    role: str
    unit_code: str | None
    leader_id: str | None
    active: bool


def _columns(row_class: type[Any]) -> tuple[str, ...]:
    return tuple(f.name for f in fields(row_class))


class _Rows:
    """The rows of one table touched by a batch: read once, changed in memory, written once."""

    def __init__(self, table: str, row_class: type[Any]) -> None:
        self.table, self.row_class, self.columns = table, row_class, _columns(row_class)
        self.rows: dict[str, Any] = {}
        self.dirty: set[str] = set()

    def load(self, tx: Tx, ids: set[str]) -> None:
        wanted = sorted(ids - self.rows.keys())
        if not wanted:
            return
        tx.execute(
            f"SELECT {', '.join(self.columns)} FROM {tx.table(self.table)} "
            f"WHERE aggregate_id IN ({', '.join('?' * len(wanted))})",
            wanted,
        )
        for values in tx.fetchall():
            row = self.row_class(*values)
            if hasattr(row, "active"):
                row.active = bool(row.active)
            self.rows[row.aggregate_id] = row

    def put(self, row: Any) -> None:
        self.rows[row.aggregate_id] = row
        self.dirty.add(row.aggregate_id)

    def save(self, tx: Tx) -> None:
        updates = ", ".join(f"{c} = excluded.{c}" for c in self.columns[1:])
        tx.executemany(
            f"INSERT INTO {tx.table(self.table)} ({', '.join(self.columns)}) "
            f"VALUES ({', '.join('?' * len(self.columns))}) ON CONFLICT (aggregate_id) DO UPDATE SET {updates}",
            [self._values(tx, self.rows[i]) for i in sorted(self.dirty)],
        )

    @staticmethod
    def _values(tx: Tx, row: Any) -> tuple[Any, ...]:
        values = astuple(row)
        return tuple(int(v) if isinstance(v, bool) and not tx.postgres else v for v in values)


UNIT_EVENTS = (ref.UnitCreated, ref.UnitRenamed)
LEADER_EVENTS = (ref.LeaderAppointed, ref.LeaderPosted, ref.LeaderLeft)
USER_EVENTS = (ref.UserCreated, ref.RoleChanged, ref.UserDeactivated)


class ReferenceDataView:
    """Units, leaders with their posts over time, and users, as the ledger records them."""

    name: ClassVar[str] = "reference"
    tables: ClassVar[tuple[str, ...]] = (UNITS, LEADERS, POSTS, USERS, RECEPTIONS, CAMPAIGNS)

    def __init__(self, ledger: LedgerApplication) -> None:
        del ledger  # everything comes from the events themselves

    def apply(self, tx: Tx, batch: list[ViewEvent]) -> None:
        self._reference(tx, batch)
        self._practices(tx, batch)  # after the units: a reception's unit path reads them

    def _reference(self, tx: Tx, batch: list[ViewEvent]) -> None:
        units, leaders, users = _Rows(UNITS, UnitRow), _Rows(LEADERS, LeaderRow), _Rows(USERS, UserRow)
        touched = [e for e in batch if isinstance(e.event, UNIT_EVENTS + LEADER_EVENTS + USER_EVENTS)]
        if not touched:
            return
        ids = {str(e.originator_id) for e in touched}
        units.load(tx, ids)
        leaders.load(tx, ids)
        users.load(tx, ids)
        posts: list[tuple[Any, ...]] = []
        ends: list[tuple[Any, ...]] = []
        for e in touched:
            event, key = e.event, str(e.originator_id)
            if isinstance(event, UNIT_EVENTS):
                self._unit(tx, units, key, event)
            elif isinstance(event, LEADER_EVENTS):
                self._leader(leaders, key, event, posts, ends)
            else:
                self._user(users, key, event)
        for rows in (units, leaders, users):
            rows.save(tx)
        tx.executemany(
            f"INSERT INTO {tx.table(POSTS)} (leader_id, seq, unit_code, post, started_at, ended_at) "
            "VALUES (?, ?, ?, ?, ?, NULL)",
            posts,
        )
        # After the inserts: a post begun and ended within one batch is ended too.
        tx.executemany(f"UPDATE {tx.table(POSTS)} SET ended_at = ? WHERE leader_id = ? AND seq = ?", ends)

    @staticmethod
    def _practices(tx: Tx, batch: list[ViewEvent]) -> None:
        """Receptions and campaigns: each one event, written once (issue 21)."""
        pg = tx.postgres
        receptions = [e for e in batch if isinstance(e.event, practices.ReceptionRecorded)]
        if receptions:
            codes = {e.event.unit_code for e in receptions}
            tx.execute(
                f"SELECT code, path FROM {tx.table(UNITS)} WHERE code IN ({', '.join('?' * len(codes))})",
                sorted(codes),
            )
            paths = dict(tx.fetchall())
            tx.executemany(
                f"INSERT INTO {tx.table(RECEPTIONS)} (aggregate_id, reception_id, leader_id, held_on, place, "
                "kind, unit_code, unit_path, unit_codes, recorded_by, recorded_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    (str(e.originator_id), r.reception_id, r.leader_id, db_date(pg, r.held_on), r.place,
                     getattr(r.kind, "value", r.kind), r.unit_code, paths.get(r.unit_code, f"/{r.unit_code}/"),
                     orjson.dumps(list(r.unit_codes)).decode(), r.actor.user_id, db_time(pg, e.recorded_at))
                    for e in receptions
                    for r in (e.event,)
                ],
            )  # fmt: skip
        campaigns = [e for e in batch if isinstance(e.event, practices.CampaignOpened)]
        tx.executemany(
            f"INSERT INTO {tx.table(CAMPAIGNS)} (aggregate_id, campaign_id, name, starts_on, due_on, unit_code) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            [(str(e.originator_id), c.campaign_id, c.name, db_date(pg, c.starts_on), db_date(pg, c.due_on),
              c.unit_code) for e in campaigns for c in (e.event,)],
        )  # fmt: skip

    @staticmethod
    def _unit(tx: Tx, units: _Rows, key: str, event: Any) -> None:
        if isinstance(event, ref.UnitCreated):
            parent = None
            if event.parent_code is not None:
                parent_key = str(ref.unit_id(event.parent_code))
                units.load(tx, {parent_key})
                parent = units.rows.get(parent_key)
            path = (parent.path if parent else "/") + f"{event.code}/"
            level = parent.level + 1 if parent else 1
            units.put(UnitRow(key, event.code, event.name, event.parent_code, path, level))
        elif key in units.rows:
            row = units.rows[key]
            row.name = event.name
            units.put(row)

    @staticmethod
    def _leader(
        leaders: _Rows, key: str, event: Any, posts: list[tuple[Any, ...]], ends: list[tuple[Any, ...]]
    ) -> None:
        at = utc_text(event.occurred_at)
        if isinstance(event, ref.LeaderAppointed):
            leaders.put(LeaderRow(key, event.leader_id, event.name, event.unit_code, event.post, True, 1))
            posts.append((event.leader_id, 1, event.unit_code, event.post, at))
            return
        row = leaders.rows.get(key)
        if row is None:
            return
        ends.append((at, row.leader_id, row.posts))
        if isinstance(event, ref.LeaderPosted):
            row.unit_code, row.post, row.posts = event.unit_code, event.post, row.posts + 1
            posts.append((row.leader_id, row.posts, event.unit_code, event.post, at))
        else:
            row.active = False
        leaders.put(row)

    @staticmethod
    def _user(users: _Rows, key: str, event: Any) -> None:
        if isinstance(event, ref.UserCreated):
            role = getattr(event.role, "value", event.role)
            users.put(UserRow(key, event.user_id, event.name, role, event.unit_code, event.leader_id, True))
            return
        row = users.rows.get(key)
        if row is None:
            return
        if isinstance(event, ref.RoleChanged):
            row.role = getattr(event.role, "value", event.role)
        else:
            row.active = False
        users.put(row)


def unit_tree(tx: Tx) -> list[dict[str, Any]]:
    """Every unit with its children, roots first (children by path)."""
    tx.execute(f"SELECT code, name, parent_code FROM {tx.table(UNITS)} ORDER BY path")
    units = {code: {"code": code, "name": name, "parent_code": parent, "children": []}
             for code, name, parent in tx.fetchall()}  # fmt: skip
    roots: list[dict[str, Any]] = []
    for unit in units.values():
        parent_unit = units.get(unit["parent_code"]) if unit["parent_code"] else None
        (parent_unit["children"] if parent_unit else roots).append(unit)
    return roots


def leaders_with_posts(tx: Tx) -> list[dict[str, Any]]:
    """Every leader with the current unit and post, and every post held, in order."""
    tx.execute(f"SELECT leader_id, unit_code, post, started_at, ended_at FROM {tx.table(POSTS)} ORDER BY leader_id, seq")
    held: dict[str, list[dict[str, Any]]] = {}
    for leader_id, unit_code, post, started, ended in tx.fetchall():
        held.setdefault(leader_id, []).append({"unit_code": unit_code, "post": post, "from": started, "to": ended})
    tx.execute(f"SELECT leader_id, name, unit_code, post, active FROM {tx.table(LEADERS)} ORDER BY leader_id")
    return [{"leader_id": leader_id, "name": name, "unit_code": unit_code, "post": post, "active": bool(active),
             "posts": held.get(leader_id, [])} for leader_id, name, unit_code, post, active in tx.fetchall()]  # fmt: skip


def user_list(tx: Tx) -> list[dict[str, Any]]:
    tx.execute(f"SELECT user_id, name, role, unit_code, leader_id, active FROM {tx.table(USERS)} ORDER BY user_id")
    return [{"user_id": user_id, "name": name, "role": role, "unit_code": unit, "leader_id": leader,
             "active": bool(active)} for user_id, name, role, unit, leader, active in tx.fetchall()]  # fmt: skip


