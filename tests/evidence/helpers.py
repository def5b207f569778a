"""A case with documents, exported as an evidence bundle over HTTP."""

from __future__ import annotations

from typing import Any

from tests.api.helpers import World, drive, sha

DOC = sha("询问笔录 scanned")
ANSWER_DOC = sha("信访处理意见书")


def documented_case(world: World) -> str:
    """A case taken to 'answered' with an opinion document, plus an attached scan."""
    c = drive(world, "in_handling")
    world.ok(
        "officer",
        c.case_id,
        "documents",
        {"file_name": "询问笔录.pdf", "media_type": "application/pdf", "sha256": DOC},
    )
    world.ok(
        "officer",
        c.case_id,
        "answer",
        {"outcome": "explain", "delivered_on": c.day, "document_sha256": ANSWER_DOC},
    )
    return c.case_id


def export(world: World, case_id: str, who: str = "inspector") -> dict[str, Any]:
    response = world.client(who).get(f"/api/v1/cases/{case_id}/evidence", params={"purpose": "纪检复查"})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body
