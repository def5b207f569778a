"""Hostile input on the command endpoints, property-based: each answer is a clear 4xx problem and
writes nothing, or (for text that is merely unusual, such as SQL or HTML) a 2xx that stores the
text as sent, in NFC: nothing executed, nothing mangled."""

from __future__ import annotations

import unicodedata
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.api.helpers import PROBLEM, World, world_fixture

__all__ = ["world_fixture"]

FRAGMENTS = [
    "'; DROP TABLE xinfang_events; --", "\" OR 1=1 --", "1; DELETE FROM idempotency_keys", "%s %% ? $1",
    "<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "{{7*7}} ${7*7}", "../../etc/passwd",
    "\u202e反转", "a\u2067b", "🙂" * 3, "\ufeff", "名\u200b字", "e\u0301", "NULL", "\\x00",
]  # fmt: skip
CONTROL = st.sampled_from([chr(c) for c in [*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F]])
SURROGATE = st.integers(0xD800, 0xDFFF).map(chr)
PLAIN = st.text(st.characters(codec="utf-8", exclude_categories=("Cc", "Cs")), max_size=20)
HOSTILE = st.one_of(
    st.sampled_from(FRAGMENTS),
    st.tuples(PLAIN, st.sampled_from(FRAGMENTS), PLAIN).map("".join),
    st.tuples(PLAIN, CONTROL, PLAIN).map("".join),
    st.tuples(PLAIN, SURROGATE, PLAIN).map("".join),
    st.integers(20_001, 200_000).map(lambda n: "长" * n),  # over every text limit, under the body limit
    st.just(""),
    st.just("   "),
)
FUZZ = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def _json(value: Any) -> bytes:
    # The stdlib encoder writes a lone surrogate as a \ud800 escape: valid JSON text, invalid Unicode.
    import json

    return json.dumps(value, ensure_ascii=True).encode()


def _post(w: World, who: str, path: str, body: Any) -> httpx.Response:
    return w.client(who).post(path, content=_json(body), headers={"content-type": "application/json"})


# What pydantic strips: Unicode White_Space. Python's str.strip() also takes the information
# separators \x1c-\x1f, which the API keeps (and then refuses as control characters).
_WHITE_SPACE = "".join(c for c in map(chr, range(0x3001)) if c.isspace() and c not in "\x1c\x1d\x1e\x1f")


# Written here from the rule, not imported from api/hostile_text.py: an independent oracle.
BIDI = {chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A))}
INVISIBLE = set("\u200b\u200c\u200d\u2060\ufeff\u180e\u200e\u200f\u061c")


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def _stripped(text: str) -> str:
    """What is stored: NFC, surrounding Unicode White_Space stripped."""
    return _nfc(_nfc(text).strip(_WHITE_SPACE))


def _refused_char(c: str, *, name: bool) -> bool:
    code = ord(c)
    control = code < 0x20 or 0x7F <= code <= 0x9F
    if name:
        return control or c in BIDI or c in INVISIBLE or 0xD800 <= code <= 0xDFFF
    return (control and c not in "\t\n\r") or c in BIDI or 0xD800 <= code <= 0xDFFF


def _is_clean(text: str, *, name: bool = False) -> bool:
    """What the API accepts: no refused character anywhere (free text keeps tab and line breaks;
    names keep neither, nor invisible marks), something left once stripped, within the limit."""
    stripped = _stripped(text)
    return bool(stripped) and len(stripped) <= 2000 and not any(_refused_char(c, name=name) for c in text)


def _assert_refused(w: World, response: httpx.Response, position: int) -> None:
    assert 400 <= response.status_code < 500, response.text[:500]
    assert response.headers["content-type"].startswith(PROBLEM)
    assert response.json()["code"] in {"validation_failed", "malformed_body", "body_too_large"}
    assert w.position() == position  # nothing written


@FUZZ
@given(text=HOSTILE)
def test_hostile_note_text_is_refused_or_stored_verbatim(world: World, text: str) -> None:
    case_id = _first_case(world)
    position = world.position()
    response = _post(world, "registrar", f"/api/v1/cases/{case_id}/notes", {"text": text})
    if response.status_code == 200:
        assert _is_clean(text), text
        timeline = world.timeline(case_id, "registrar")["items"]
        assert timeline[-1]["fields"]["text"] == _stripped(text)
    else:
        _assert_refused(world, response, position)
        assert not _is_clean(text) or len(_stripped(text)) > 2000


@FUZZ
@given(field=st.sampled_from(["subject", "content", "name"]), text=HOSTILE)
def test_hostile_registration_text_is_refused_or_stored_verbatim(world: World, field: str, text: str) -> None:
    position = world.position()
    body = world.registration()
    if field == "name":
        body["petitioners"][0]["name"] = text
    else:
        body[field] = text
    response = _post(world, "registrar", "/api/v1/cases", body)
    if response.status_code == 201:
        assert _is_clean(text, name=field == "name"), text
        case = world.case(response.json()["case_id"], "registrar")
        stored = case["petitioners"][0]["name"] if field == "name" else case[field]
        assert stored == _stripped(text)
    else:
        _assert_refused(world, response, position)


def _hostile_body(kind: str, size: int) -> bytes:
    """Bodies built as bytes: a JSON encoder (and hypothesis's printer) would recurse too deep."""
    if kind == "nested_objects":
        return b'{"text": ' * size + b'"x"' + b"}" * size
    if kind == "nested_lists":
        return b'{"text": "a", "x": ' + b"[" * size + b"]" * size + b"}"
    if kind == "many_keys":
        return _json({"text": "a", **{f"k{n}": n for n in range(size)}})
    if kind == "long_list":
        return _json({"text": "a", "x": ["y"] * size})
    return _json({"text": "长" * (20_001 + size * 10)})  # long_text: over every text limit, under 1 MB


@FUZZ
@given(
    kind=st.sampled_from(["nested_objects", "nested_lists", "many_keys", "long_list", "long_text"]),
    size=st.integers(10, 20_000),
)
def test_huge_or_deeply_nested_bodies_are_refused_and_write_nothing(
    world: World, kind: str, size: int
) -> None:
    case_id = _first_case(world)
    position = world.position()
    path = f"/api/v1/cases/{case_id}/notes"
    response = world.client("registrar").post(
        path, content=_hostile_body(kind, size), headers={"content-type": "application/json"}
    )
    _assert_refused(world, response, position)


def test_raw_hostile_bytes_are_refused(world: World) -> None:
    case_id = _first_case(world)
    position = world.position()
    path = f"/api/v1/cases/{case_id}/notes"
    for raw in (b'{"text": "\xff\xfe"}', b"[" * 200_000 + b"]" * 200_000, b'{"text": "a"' + b" " * 900_000 + b"}x",
                b"\x00" * 1000, b'{"text": "a", "text": {"$gt": ""}}'):  # fmt: skip
        response = world.client("registrar").post(
            path, content=raw, headers={"content-type": "application/json"}
        )
        _assert_refused(world, response, position)
    oversize = world.client("registrar").post(path, content=b"[" + b"1," * 600_000 + b"1]",
                                              headers={"content-type": "application/json"})  # fmt: skip
    assert oversize.status_code == 413 and oversize.json()["code"] == "body_too_large"
    assert world.position() == position


_CASES: dict[int, str] = {}


def _first_case(world: World) -> str:
    """One registered case per world (hypothesis reuses the fixture across examples)."""
    key = id(world)
    if key not in _CASES:
        _CASES[key] = world.register()
    return _CASES[key]


@pytest.fixture(autouse=True)
def _forget_cases() -> Any:
    yield
    _CASES.clear()
