"""Which characters a request may carry: one rule for query parameters, headers and bodies.

Text that reaches the ledger is evidence; a character a reader cannot see changes what a
record says without showing it (a right-to-left override makes "1000" read "0001"; a zero-width
space makes two names that look alike differ), and a NUL is refused by PostgreSQL outright.
Two strengths:

- free text (a body's subject, content, notes): tab, line feed and carriage return are kept;
  any other control character, a bidi override or isolate, or an unpaired surrogate is refused;
- names, codes, query parameters and headers: those, plus every control character, zero-width
  and invisible direction marks, are refused.

Accepted text is normalised to NFC, so the same name typed on two keyboards is one name.
"""

from __future__ import annotations

import re
import unicodedata

# U+202A–202E embeddings and overrides, U+2066–2069 isolates.
BIDI_CONTROLS = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
# Zero-width space/joiners, word joiner, BOM used as a zero-width no-break space, Mongolian
# vowel separator; invisible direction marks (LRM, RLM, ALM).
INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff\u180e\u200e\u200f\u061c"

_FREE_TEXT = re.compile(f"[\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f\\x7f-\\x9f\\ud800-\\udfff{BIDI_CONTROLS}]")
_NAME = re.compile(f"[\\x00-\\x1f\\x7f-\\x9f\\ud800-\\udfff{BIDI_CONTROLS}{INVISIBLE}]")


def _describe(char: str) -> str:
    if "\ud800" <= char <= "\udfff":
        return "an unpaired surrogate"
    if char in BIDI_CONTROLS:
        return f"a bidirectional override (U+{ord(char):04X})"
    if char in INVISIBLE:
        return f"an invisible character (U+{ord(char):04X})"
    return f"a control character (U+{ord(char):04X})"


def refusal(text: str, *, free_text: bool = False) -> str | None:
    """Why `text` is refused, or None when it may pass."""
    found = (_FREE_TEXT if free_text else _NAME).search(text)
    return None if found is None else f"{_describe(found.group())} is not allowed"


def nfc(text: str) -> str:
    # is_normalized is a fast check; most text is already NFC and is returned as is.
    return text if unicodedata.is_normalized("NFC", text) else unicodedata.normalize("NFC", text)


def checked(text: str, *, free_text: bool = False) -> str:
    """`text` in NFC; ValueError (pydantic turns it into a 422) when it holds a refused character."""
    why = refusal(text, free_text=free_text)
    if why is not None:
        raise ValueError(why)
    return nfc(text)
