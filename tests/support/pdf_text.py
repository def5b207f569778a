"""The text of a PDF the service renders, decoded through each font's own ToUnicode map.

fpdf2 embeds CJK fonts as Type0 fonts with two-byte glyph codes and a custom encoding stream;
pypdf's extract_text reads such codes one byte at a time (a NUL before each character, and
garbage once a document uses more than 256 glyphs), and pdfminer.six finds no text at all. So
the tests decode the text-showing operators themselves: one line per text object (a cell)."""

from __future__ import annotations

import io
import re

from pypdf import PageObject, PdfReader
from pypdf.generic import ContentStream

HEX_PAIR = re.compile(r"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>")
HEX_RANGE = re.compile(r"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>")


def _to_unicode(font: object) -> dict[int, str]:
    data = font["/ToUnicode"].get_object().get_data().decode("latin-1")  # type: ignore[index]
    mapping: dict[int, str] = {}
    for block in re.findall(r"beginbfchar(.*?)endbfchar", data, re.S):
        for source, target in HEX_PAIR.findall(block):
            mapping[int(source, 16)] = bytes.fromhex(target).decode("utf-16-be")
    for block in re.findall(r"beginbfrange(.*?)endbfrange", data, re.S):
        for first, last, target in HEX_RANGE.findall(block):
            for offset, code in enumerate(range(int(first, 16), int(last, 16) + 1)):
                mapping[code] = chr(int(target, 16) + offset)
    return mapping


def _raw(value: object) -> bytes:
    if isinstance(value, bytes):
        return value
    original = getattr(value, "original_bytes", None)
    return original if isinstance(original, bytes) else str(value).encode("latin-1")


def page_lines(page: PageObject) -> list[str]:
    fonts = {name: _to_unicode(ref.get_object()) for name, ref in page["/Resources"]["/Font"].items()}
    lines: list[str] = []
    current: dict[int, str] = {}
    text: list[str] = []

    def decode(value: object) -> str:
        raw = _raw(value)
        return "".join(
            current.get(int.from_bytes(raw[i : i + 2], "big"), "") for i in range(0, len(raw) - 1, 2)
        )

    for operands, operator in ContentStream(page.get_contents(), page.pdf).operations:
        if operator == b"Tf":
            current = fonts.get(operands[0], {})
        elif operator in (b"Tj", b"'"):
            text.append(decode(operands[0]))
        elif operator == b"TJ":
            text.extend(decode(x) for x in operands[0] if not isinstance(x, int | float))
        elif operator == b"ET":
            if "".join(text).strip():
                lines.append("".join(text))
            text = []
    return lines


def pdf_pages(content: bytes) -> list[list[str]]:
    """Each page's lines of text."""
    return [page_lines(page) for page in PdfReader(io.BytesIO(content)).pages]
