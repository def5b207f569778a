"""The petitioner's query code: made by a CSPRNG, readable aloud, kept only as a slow salted hash."""

from __future__ import annotations

import time
from collections import Counter

from domain.query_code import (
    ALPHABET,
    LENGTH,
    hash_query_code,
    new_query_code,
    normalised,
    shown,
    verify_query_code,
)


def test_a_code_is_eight_characters_without_look_alikes() -> None:
    codes = {new_query_code() for _ in range(2000)}
    assert len(codes) == 2000  # 40 bits: no repeats in a few thousand
    for code in codes:
        assert len(code) == LENGTH and set(code) <= set(ALPHABET)
    assert not set("01OI") & set(ALPHABET) and len(ALPHABET) == 32
    # every symbol is used, about equally (a biased generator would favour some)
    counts = Counter("".join(codes))
    assert set(counts) == set(ALPHABET)
    assert max(counts.values()) < 2 * min(counts.values())


def test_a_code_is_shown_in_two_groups_and_read_back_however_typed() -> None:
    code = "ABCD2345"
    assert shown(code) == "ABCD-2345"
    for typed in ("ABCD-2345", "abcd2345", " abcd 2345 ", "AbCd-23 45"):
        assert normalised(typed) == code
    for typed in ("ABCD-234", "ABCD-23450", "ABCD-O345", "ABCD-1345", "", "ABCD\u200b2345"):
        assert normalised(typed) is None


def test_the_stored_form_is_a_salted_scrypt_hash_never_the_code() -> None:
    code = new_query_code()
    first, second = hash_query_code(code), hash_query_code(code)
    assert first != second  # a fresh salt each time
    scheme, n, r, p, _salt, _key = first.split("$")
    assert (scheme, int(n), int(r), int(p)) == ("scrypt", 16384, 8, 1)
    assert code not in first and code.lower() not in first and shown(code) not in first
    assert verify_query_code(shown(code).lower(), first) and verify_query_code(code, second)


def test_wrong_missing_or_malformed_never_verify() -> None:
    code = new_query_code()
    stored = hash_query_code(code)
    other = next(c for c in iter(new_query_code, None) if c != code)
    assert not verify_query_code(other, stored)
    assert not verify_query_code(code, None)  # a case registered before query codes
    assert not verify_query_code("not a code", stored)
    assert not verify_query_code(code, "scrypt$16384$8$1$@@$@@")  # a damaged stored value
    assert not verify_query_code(code, stored.replace("scrypt$", "md5$"))


def _seconds(call: object, times: int = 3) -> float:
    assert callable(call)
    best = float("inf")
    for _ in range(times):
        start = time.perf_counter()
        call()
        best = min(best, time.perf_counter() - start)
    return best


def test_every_wrong_answer_costs_one_scrypt_like_a_right_one() -> None:
    """No timing tells a missing case or a malformed code from a wrong code: each does the work."""
    code = new_query_code()
    stored = hash_query_code(code)
    verify_query_code(code, None)  # the dummy hash is made once, on first use
    right = _seconds(lambda: verify_query_code(code, stored))
    for wrong in (
        lambda: verify_query_code(new_query_code(), stored),
        lambda: verify_query_code(code, None),
        lambda: verify_query_code("garbage", None),
        lambda: verify_query_code("garbage", stored),
    ):
        assert 0.33 < _seconds(wrong) / right < 3.0
