"""The stored form of a case's history: one row per change of what an as-of or known-at
read filters or shows, not one per event.

`projections/case_status/history.py` derives a case's state after each event on a timeline (a *step*:
valid from its instant to the next one's). Most events change none of the filtered or shown
columns but the case's `version` and ledger `position` (a note, a document, a supervision
letter, a data access record): the steps that differ only there are one stored row, valid
from the first step's instant to the last one's end. The row keeps the first step's `version`
and `position`, and `marks` the later steps' instants with theirs, so a read at T still
answers the version and position of T (`at_instant`); nothing filters or counts on them.

`marks` is text, ``micros:version:position`` per later step, comma-separated (micros: UTC
microseconds since 1970), the same on both stores.

A stored row holds the `STORED` columns only: the case's constant columns
(`case_rows.CONSTANT_COLUMNS`) are read from its `case_status` row, not repeated in every state;
so are its registration's columns (`case_rows.REGISTERED_COLUMNS`) where the row holds NULL, as it
does where they are the current row's values.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from operator import itemgetter
from typing import Any

from projections.case_status.rows import COLUMNS, CONSTANT_COLUMNS, REGISTERED_COLUMNS
from projections.engine.sqltypes import db_time, py_time

# A state's columns as stored: all but the case's constants.
STORED = tuple(c for c in COLUMNS if c not in CONSTANT_COLUMNS)
HISTORY_COLUMNS = ("timeline", "valid_from", "valid_to", *STORED, "marks")
_VERSION, _POSITION = COLUMNS.index("version"), COLUMNS.index("position")
_KEPT = tuple(COLUMNS.index(c) for c in STORED)  # where each stored column is in COLUMNS
_AS_NOW = tuple(COLUMNS.index(c) for c in REGISTERED_COLUMNS)  # NULL where the current row's
_COUNTERS = frozenset({_VERSION, _POSITION})
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICRO = timedelta(microseconds=1)

# A step: (valid_from, valid_to, the row's values in COLUMNS order, as the store keeps them).
Step = tuple[datetime, datetime, list[Any]]


# What reads filter or show of a step, but its version and position (itemgetter: this runs for
# every step a rebuild derives; a generator over the columns was an eighth of its time).
_state = itemgetter(*(i for i in range(len(COLUMNS)) if i not in _COUNTERS))


def _micros(t: datetime) -> int:
    return (t - _EPOCH) // _MICRO


def _instant(micros: int) -> datetime:
    return _EPOCH + micros * _MICRO


def encode_marks(marks: Sequence[tuple[datetime, int, int]]) -> str:
    return ",".join(f"{_micros(t)}:{v}:{p}" for t, v, p in marks)


def decode_marks(text: str | None) -> list[tuple[datetime, int, int]]:
    if not text:
        return []
    out = []
    for mark in text.split(","):
        micros, version, position = mark.split(":")
        out.append((_instant(int(micros)), int(version), int(position)))
    return out


def lean_rows(postgres: bool, timeline: str, steps: Sequence[Step], now: Sequence[Any]) -> list[list[Any]]:
    """The stored rows of consecutive `steps` of one case on `timeline`, in HISTORY_COLUMNS order.
    `now`: the case's current row (COLUMNS order): its registration's columns are NULL where the same."""
    out: list[list[Any]] = []
    start: datetime | None = None
    end: datetime | None = None
    first: list[Any] = []
    marks: list[tuple[datetime, int, int]] = []

    def flush() -> None:
        if start is not None and end is not None:
            values = list(first)
            for i in _AS_NOW:
                if values[i] == now[i]:
                    values[i] = None
            kept = [values[i] for i in _KEPT]
            row = [timeline, db_time(postgres, start), db_time(postgres, end), *kept, encode_marks(marks)]
            out.append(row)

    state: Any = None  # _state(first)
    for step_from, step_to, values in steps:
        if start is not None and end == step_from and _state(values) == state:
            end = step_to
            marks.append((step_from, values[_VERSION], values[_POSITION]))
            continue
        flush()
        start, end, first, marks = step_from, step_to, list(values), []
        state = _state(first)
    flush()
    return out


def steps_before(stored: Sequence[Any], since: datetime, case: Sequence[Any]) -> list[Step]:
    """The steps of a stored row (HISTORY_COLUMNS order) that begin before `since`, each ending
    at the next one's start (the last no later than `since`): the part of the row a tail
    rewritten from `since` keeps. `case`: the case's current row (COLUMNS order), for the
    columns the stored row does not hold or holds as NULL (`lean_rows`)."""
    valid_from, valid_to = py_time(stored[1]), py_time(stored[2])
    assert valid_from is not None and valid_to is not None
    values = list(case)
    for i, value in zip(_KEPT, stored[3 : 3 + len(STORED)], strict=True):
        if value is not None or i not in _AS_NOW:
            values[i] = value
    starts = [(valid_from, values[_VERSION], values[_POSITION]), *decode_marks(stored[-1])]
    out: list[Step] = []
    for i, (t, version, position) in enumerate(starts):
        if t >= since:
            break
        step_to = starts[i + 1][0] if i + 1 < len(starts) else valid_to
        step = list(values)
        step[_VERSION], step[_POSITION] = version, position
        out.append((t, min(step_to, since), step))
    return out


def at_instant(row: dict[str, Any], marks: str | None, instant: datetime) -> None:
    """Set a read row's `version` and `position` (those from its valid_from on) to those of its
    step in force at `instant`."""
    for t, version, position in decode_marks(marks):
        if t > instant:
            break
        row["version"], row["position"] = version, position
