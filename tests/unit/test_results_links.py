"""Code comments cite measurements by a link into bench/RESULTS.md: every link must find its entry.

(A bench run with `--results bench/RESULTS.md` rewrites the file; this catches the cited
entries going with it.)"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LINK = re.compile(r"bench/RESULTS\.md#([a-z0-9-]+)")


def anchor(heading: str) -> str:
    """A Markdown heading's anchor as GitHub makes it: lower case, punctuation dropped, spaces as -."""
    text = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return text.replace(" ", "-")


def test_every_cited_measurement_has_its_entry() -> None:
    results = (ROOT / "bench" / "RESULTS.md").read_text(encoding="utf-8")
    anchors = {anchor(line.lstrip("#")) for line in results.splitlines() if line.startswith("#")}
    cited = {
        (str(path.relative_to(ROOT)), name)
        for package in ("domain", "projections", "api", "bench")
        for path in (ROOT / package).rglob("*.py")
        for name in LINK.findall(path.read_text(encoding="utf-8"))
    }
    assert cited, "no code cites bench/RESULTS.md by anchor"
    assert [c for c in cited if c[1] not in anchors] == []


def test_the_anchor_is_github_s() -> None:
    assert anchor(" The load generator's HTTP client") == "the-load-generators-http-client"
    assert anchor("Catch-up batch size") == "catch-up-batch-size"
