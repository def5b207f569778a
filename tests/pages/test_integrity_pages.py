"""A tampered event shows on the pages: the timeline names the event where its chain breaks,
and the verification page reports the failure (the same checks as the API)."""

from __future__ import annotations

import re
from uuid import UUID

import pytest

from tests.api.helpers import World, drive, world_fixture  # noqa: F401 - the `world` fixture
from tests.integrity.support import Attacker, edited_state
from tests.pages.scene import csrf_of, http_login


@pytest.mark.parametrize("store_url", ["sqlite"], indirect=True)
def test_a_tampered_event_shows_as_a_broken_chain(world: World, store_url: str) -> None:
    case = drive(world, "answered")
    client = http_login(world.server.url, world.tokens["inspector"])
    intact = client.get(f"/cases/{case.case_id}/timeline")
    assert intact.status_code == 200 and "哈希链校验：已验证" in intact.text
    row = next(r for r in world.server.ledger.case_rows(UUID(case.case_id)) if r.version == 2)
    Attacker(store_url).set_state(UUID(case.case_id), 2, edited_state(row.state, accepting_unit="forged"))
    broken = client.get(f"/cases/{case.case_id}/timeline")
    assert broken.status_code == 200
    api = world.timeline(case.case_id)  # the page says what the API says
    assert api["chain_ok"] is False and api["first_bad_version"] in (2, 3)
    assert f"在第 {api['first_bad_version']} 条事件处断裂" in broken.text and "已验证" not in broken.text
    # the problem in Chinese (the check's own English words only on hover)
    said = re.search(r'id="chain-status">(.*?)</p>', broken.text, re.S)
    assert said and ("哈希不相连" in said.group(1) or "被改写" in said.group(1)), said
    assert not re.search(r">[^<]*\b(event|does|link|stored)\b[^<]*<", said.group(1)), said.group(1)
    verify_page = client.get("/verify")
    report = client.post("/verify", data={"csrf": csrf_of(verify_page.text)})
    assert report.status_code == 200 and "校验失败" in report.text
    result = re.search(r'id="verify-result"[^>]*>(.*?)</div>', report.text, re.S)
    assert result and "第一处：第" in result.group(1) and "原文见悬停说明" not in result.group(1), result
    assert not re.search(r">[^<]*\b(prev_hash|event|version)\b[^<]*<", result.group(1)), result.group(1)
    client.close()
