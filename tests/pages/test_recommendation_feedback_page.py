"""The recommended unit's written feedback from the /recommendations page (第四十条, issue 21): given
through the API's own command, refused in Chinese with what was typed kept, and offered to nobody
else (the issuing supervisor, the next township), who cannot post it either."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import BrowserContext, expect

from tests.api.helpers import World, world_fixture  # noqa: F401 - the `world` fixture
from tests.api.test_practices_http import feedback, recommend
from tests.pages.conftest import screenshot
from tests.pages.scene import csrf_of, http_login, log_in

pytestmark = pytest.mark.browser
NewContext = Callable[[], BrowserContext]
STORES = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


def _item(w: World, rid: str) -> dict[str, Any]:
    response = w.client("inspector").get("/api/v1/recommendations", params={"min_position": w.position()})
    assert response.status_code == 200, response.text
    (item,) = [i for i in response.json()["items"] if i["recommendation_id"] == rid]
    return item


@pytest.mark.parametrize("store_url", STORES, indirect=True)
def test_the_recommended_unit_gives_its_written_feedback_from_the_page(
    world: World, new_context: NewContext
) -> None:
    base = world.server.url
    adopted = recommend(world, "improve", text="建议规范受理告知")
    raced = recommend(world, "policy", text="建议完善征地补偿政策")
    _item(world, raced)  # the view has both
    leader = log_in(new_context(), base, world.tokens["leader"])
    leader.goto(f"{base}/recommendations")
    row = leader.locator(f"#rec-{adopted}")
    form = row.locator("form.feedback-form")
    expect(form).to_have_count(1)
    expect(form).to_contain_text("是否采纳")
    form.locator("input[name=adopted][value='1']").check()
    form.locator("textarea[name=text]").fill("已采纳，已修订受理告知书格式")
    form.locator("button[type=submit]").click()
    expect(leader.locator("#feedback-done")).to_be_visible()
    item = _item(world, adopted)
    assert (item["state"], item["adopted"], item["feedback_text"]) == (
        "adopted",
        True,
        "已采纳，已修订受理告知书格式",
    )
    assert item["feedback_by"] == world.users["leader"]
    row = leader.locator(f"#rec-{adopted}")
    expect(row).to_contain_text("已采纳")
    expect(row).to_contain_text("已修订受理告知书格式")
    expect(row.locator("form")).to_have_count(0)  # answered once: no form any more

    # the page was open while a colleague answered over the API: refused in Chinese, text kept
    form = leader.locator(f"#rec-{raced} form.feedback-form")
    form.locator("input[name=adopted][value='0']").check()
    form.locator("textarea[name=text]").fill("现行政策已覆盖，暂不采纳")
    assert feedback(world, "officer", raced, {"adopted": True, "text": "采纳"}).status_code == 200
    position = world.position()
    form.locator("button[type=submit]").click()
    expect(leader.locator("#feedback-refused")).to_contain_text("未予记录")
    expect(leader.locator("#feedback-refused")).to_contain_text("此建议已有书面反馈")
    assert world.position() == position
    assert _item(world, raced)["feedback_text"] == "采纳"
    screenshot(leader, "leader-recommendation-feedback-refused")


@pytest.mark.parametrize("store_url", STORES, indirect=True)
def test_a_refused_form_keeps_the_text_and_nobody_else_gets_or_posts_the_form(world: World) -> None:
    base = world.server.url
    rid = recommend(world, "improve", text="建议规范受理告知")
    _item(world, rid)
    officer = http_login(base, world.tokens["officer"])
    html = officer.get("/recommendations").text
    assert f'action="/recommendations/{rid}/feedback"' in html
    csrf = csrf_of(html)
    position = world.position()
    url = f"/recommendations/{rid}/feedback"

    # garbage: no choice, a made-up choice, blank text: 422 in Chinese, the text kept, nothing written
    for body, said in (
        ({"text": "正在研究"}, "“是否采纳”必须选择"),
        ({"adopted": "maybe", "text": "正在研究"}, "“是否采纳”取值无效"),
        ({"adopted": "1", "text": "   "}, "“书面反馈”不能为空"),
        ({"adopted": "1", "text": "正在\x00研究"}, "“书面反馈”"),
    ):
        response = officer.post(url, data={**body, "csrf": csrf})
        assert response.status_code == 422, (body, response.text[:300])
        assert said in response.text and "未予记录" in response.text
        if body["text"].strip() and "\x00" not in body["text"]:
            assert f">{body['text']}</textarea>" in response.text  # what was typed is kept
    # no CSRF token, or another session's: refused before anything is read
    assert officer.post(url, data={"adopted": "1", "text": "采纳"}).status_code == 403
    assert world.position() == position

    # the issuing supervisor reads it but answers not for the unit: no form, and 403 if posted
    supervisor = http_login(base, world.tokens["supervisor"])
    html = supervisor.get("/recommendations").text
    assert "建议规范受理告知" in html and "feedback-form" not in html
    response = supervisor.post(url, data={"adopted": "1", "text": "采纳", "csrf": csrf_of(html)})
    assert response.status_code == 403 and "只有被建议单位的人员" in response.text
    # the next township neither sees it nor may post it: 404, as for no recommendation at all
    other = http_login(base, world.tokens["officer_b"])
    html = other.get("/recommendations").text
    assert "建议规范受理告知" not in html and "feedback-form" not in html
    for target in (url, "/recommendations/00000000-0000-4000-8000-000000000000/feedback",
                   "/recommendations/not-a-uuid/feedback"):  # fmt: skip
        response = other.post(target, data={"adopted": "1", "text": "采纳", "csrf": csrf_of(html)})
        assert response.status_code == 404, response.text[:300]
        assert "没有找到这条改进建议" in response.text and "建议规范受理告知" not in response.text
    assert world.position() == position
    assert _item(world, rid)["state"] == "awaiting"

    # the unit's officer answers from the page
    response = officer.post(url, data={"adopted": "0", "text": "现行做法已规范，暂不采纳", "csrf": csrf})
    assert response.status_code == 303 and response.headers["location"].startswith("/recommendations?done=1")
    item = _item(world, rid)
    assert (item["adopted"], item["feedback_text"], item["feedback_by"]) == (
        False, "现行做法已规范，暂不采纳", world.users["officer"],
    )  # fmt: skip
