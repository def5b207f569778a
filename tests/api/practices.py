"""HTTP helpers for the practices of issue 21: campaigns and receptions."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from tests.api.helpers import World, today, uid


def open_campaign(w: World, who: str = "supervisor", **overrides: Any) -> str:
    """A backlog campaign (积案化解专项) from 30 days ago, due in 30 days; returns its id."""
    body = {"campaign_id": uid("jaan-"), "name": "积案化解专项行动",
            "starts_on": (today() - timedelta(days=30)).isoformat(),
            "due_on": (today() + timedelta(days=30)).isoformat(), **overrides}  # fmt: skip
    response = w.client(who).post("/api/v1/campaigns", json=body)
    assert response.status_code == 201, response.text
    return str(body["campaign_id"])


def reception_body(w: World, **overrides: Any) -> dict[str, Any]:
    """Town A's head receives petitioners today (the world's leaders took their posts today)."""
    return {"leader_id": w.leader_a, "held_on": today().isoformat(), "place": "甲镇综治中心接待室",
            "kind": "leader_day", **overrides}  # fmt: skip


def record_reception(w: World, who: str = "supervisor", **overrides: Any) -> str:
    response = w.client(who).post("/api/v1/receptions", json=reception_body(w, **overrides))
    assert response.status_code == 201, response.text
    return str(response.json()["reception_id"])
