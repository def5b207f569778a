"""Every GET the API has, generated from its OpenAPI document, as every user on the accused side
(the accused town's officer, supervisor and registrar, a village below it, the accused leader's
logins), for an accusation naming a unit and one naming only a leader, each with free text that
names the accuser (notes, instruction, supervision, an unmask purpose, a corrected subject): no
response (body or headers, success or error) carries the accuser's name, id number, phone or the
accusation's text; no case route answers 2xx and no listing shows the case. Extends tests/api/test_confidentiality.py (case, timeline,
commands) to lists and search, counts, replay, delays, evidence, the dossier, ledger and metrics,
the Excel exports (`?format=xlsx`, read cell by cell) and a backlog campaign's board that holds
both cases. The pages have their own sweep (tests/pages/test_pages.py).
"""

from __future__ import annotations

import io
import re
from urllib.parse import quote, unquote
from uuid import uuid4

import httpx
import pytest
from openpyxl import load_workbook

from tests.api.helpers import World, drive, today, world_fixture
from tests.api.practices import open_campaign
from tests.api.test_confidentiality import CONTENT, ID_NUMBER, NAME, PHONE, SECRETS, _accusation

__all__ = ["world_fixture"]

ACCUSED_USERS = ("officer_b", "leader_b", "registrar_b", "accused_supervisor", "officer_vb", "supervisor_b")
# Query variants that try to pull the secret out: search, unmasking, history, and echo in errors.
VARIANTS = ("", f"?q={quote(NAME)}", f"?q={ID_NUMBER}", "?unmask=true&purpose=check", "?version=1",
            f"?unit={quote(NAME)}", f"?leader={PHONE}", "?group_by=leader", "?min_position=1",
            "?format=xlsx")  # fmt: skip
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _gets(w: World) -> list[str]:
    document = w.server.app.openapi()
    return sorted(
        path for path, item in document["paths"].items() if "get" in item and path.startswith("/api/")
    )


def _fill(path: str, w: World, case_id: str, campaign_id: str) -> str:
    values = {"case_id": case_id, "leader_id": w.leader_b, "unit_code": w.town_b, "campaign_id": campaign_id}
    return re.sub(r"\{(\w+)\}", lambda m: values.get(m.group(1), "x"), path)


def _text(response: httpx.Response) -> str:
    """What a reader of the response sees: an Excel export's every sheet name, cell and comment
    (the file itself is compressed, so its bytes would hide a name from a plain search)."""
    if not response.headers.get("content-type", "").startswith(XLSX):
        return response.content.decode("utf-8", "replace")
    book = load_workbook(io.BytesIO(response.content))
    seen = []
    for sheet in book.worksheets:
        seen.append(sheet.title)
        for row in sheet.iter_rows():
            seen += [f"{c.value} {c.comment.text if c.comment else ''}" for c in row if c.value or c.comment]
    return "\n".join(seen)


def _leaks(response: httpx.Response, query: str) -> list[str]:
    """Secrets in the response, except one the client itself sent (an error may echo its input)."""
    raw = _text(response) + str(response.headers)
    sent = unquote(query) + query
    return [s for s in SECRETS if s in raw and s not in sent]


def _free_text_naming_the_accuser(w: World, case_id: str) -> None:
    """Free text is part of the material (第三十条): a note, an instruction, a supervision letter,
    an unmask purpose and a correction of the subject that name the accuser."""
    w.ok("officer", case_id, "notes", {"text": f"已电话联系举报人{NAME}"})
    w.ok("leader", case_id, "instruct", {"text": f"请核实{NAME}反映的情况"})
    w.ok("supervisor", case_id, "supervise", {"reply_by": today().isoformat(), "text": f"督办{NAME}举报事项"})
    w.ok("registrar", case_id, "corrections",
         {"target_version": 1, "field": "subject", "new_value": f"{NAME}举报乙镇", "reason": f"据{NAME}补充"})  # fmt: skip
    viewed = w.client("registrar").get(
        f"/api/v1/cases/{case_id}", params={"unmask": "true", "purpose": f"核实{NAME}"}
    )
    assert viewed.status_code == 200, viewed.text


@pytest.fixture
def accused(world: World) -> tuple[World, list[str], str]:
    world.add_user("registrar_b", "registrar", world.town_b)
    world.add_user("supervisor_b", "supervisor", world.town_b)
    # In scope (the county received the case) and the accused leader's own login.
    world.add_user("accused_supervisor", "supervisor", world.county, world.leader_b)
    village_b = f"VB{uuid4().hex[:8]}"
    made = world.client("admin").post(
        "/api/v1/units", json={"code": village_b, "name": "乙村", "parent_code": world.town_b}
    )
    assert made.status_code == 201, made.text
    world.add_user("officer_vb", "officer", village_b)  # a village below the accused town
    a = _accusation(world)
    # an accusation naming only town B's head: town B and everything below it is his side
    leader_only = drive(world, "in_handling", kind="accusation", petitioners=[{"name": NAME, "id_number": ID_NUMBER,
                        "phone": PHONE}], content=CONTENT, accused_leader=world.leader_b).case_id  # fmt: skip
    campaign = open_campaign(world)  # a backlog campaign whose board holds both accusations
    for case_id in (a.case_id, leader_only):
        _free_text_naming_the_accuser(world, case_id)
        world.ok("supervisor", case_id, "backlog", {"campaign_id": campaign})
    return world, [a.case_id, leader_only], campaign


def test_no_response_to_an_accused_party_carries_the_accuser(accused: tuple[World, list[str], str]) -> None:
    w, case_ids, campaign = accused
    paths = _gets(w)
    assert "/api/v1/cases/{case_id}/replay" in paths and "/api/v1/cases/{case_id}/evidence" in paths
    assert (
        "/api/v1/cases" in paths and "/api/v1/figures" in paths and "/api/v1/campaigns/{campaign_id}" in paths
    )
    position = w.position()
    seen = 0
    for case_id in case_ids:
        for who in ACCUSED_USERS:
            for path in paths:
                for variant in VARIANTS:
                    query = variant.replace("min_position=1", f"min_position={position}")
                    response = w.client(who).get(_fill(path, w, case_id, campaign) + query)
                    label = (who, path, variant, response.status_code, response.text[:300])
                    assert response.status_code < 500, label
                    assert not _leaks(response, query), (*label, _leaks(response, query))
                    if "{case_id}" in path:  # for the accused side the case does not exist
                        assert response.status_code in (403, 404, 422), label
                    else:  # and no listing, search or count shows it
                        assert case_id not in response.text, label
                    seen += 1
    # The sweep is not vacuous: the same reads as the holding officer do show the accuser.
    for case_id in case_ids:
        holder = w.client("officer").get(f"/api/v1/cases/{case_id}/timeline")
        assert holder.status_code == 200 and NAME in holder.text
        exported = w.client("officer").get(f"/api/v1/cases/{case_id}/timeline?format=xlsx")
        assert exported.headers["content-type"].startswith(XLSX) and NAME in _text(exported)
        assert case_id in w.client("inspector").get(f"/api/v1/cases?min_position={position}").text
        board = w.client("inspector").get(f"/api/v1/campaigns/{campaign}?min_position={position}")
        assert case_id in board.text, board.text
    assert seen == len(case_ids) * len(ACCUSED_USERS) * len(paths) * len(VARIANTS)
