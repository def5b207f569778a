"""Unmasking personal data on the timeline page: a CSRF-checked form with a purpose, the API's
own rule (allowed roles, never an accused party), and every unmasked read on the ledger."""

from __future__ import annotations

import pytest

from tests.api.helpers import World, drive, world_fixture  # noqa: F401 - the `world` fixture
from tests.api.test_confidentiality import ID_NUMBER, _accusation
from tests.pages.scene import csrf_of, http_login

PETITIONER = {"name": "李四", "id_number": ID_NUMBER, "phone": "13912345678", "address": "某路2号"}
MASKED = ID_NUMBER[:6] + "*" * 8 + ID_NUMBER[-4:]


@pytest.mark.parametrize("store_url", ["sqlite"], indirect=True)
def test_unmasking_needs_a_purpose_an_allowed_role_and_is_recorded(world: World) -> None:
    case = drive(world, "in_handling", petitioners=[PETITIONER])
    officer = http_login(world.server.url, world.tokens["officer"])
    url = f"/cases/{case.case_id}/timeline"
    masked = officer.get(url)
    assert masked.status_code == 200 and MASKED in masked.text and ID_NUMBER not in masked.text
    assert 'id="unmask-form"' in masked.text
    csrf = csrf_of(masked.text)
    forged = officer.post(url, data={"csrf": "forged", "purpose": "核实身份"})
    no_purpose = officer.post(url, data={"csrf": csrf, "purpose": " "})
    for refused in (forged, no_purpose):
        assert refused.status_code == 403 and ID_NUMBER not in refused.text
    shown = officer.post(url, data={"csrf": csrf, "purpose": "核实身份"})
    assert shown.status_code == 200 and ID_NUMBER in shown.text and 'id="unmasked-note"' in shown.text
    viewed = [e for e in world.timeline(case.case_id)["items"] if e["type"] == "PersonalDataViewed"]
    assert len(viewed) == 1 and viewed[0]["fields"]["purpose"] == "核实身份"  # one read, one record
    officer.close()

    supervisor = http_login(world.server.url, world.tokens["supervisor"])  # not a role that unmasks
    page = supervisor.get(url)
    assert 'id="unmask-form"' not in page.text
    assert supervisor.post(url, data={"csrf": csrf_of(page.text), "purpose": "x"}).status_code == 403
    supervisor.close()

    # for the accused unit's registrar (who did not register it) the accusation does not exist
    world.add_user("registrar_b", "registrar", world.town_b)
    accusation = _accusation(world, received_unit=world.town_b)
    accused = http_login(world.server.url, world.tokens["registrar_b"])
    page = accused.get(f"/cases/{accusation.case_id}/timeline")
    assert page.status_code == 404 and 'id="unmask-form"' not in page.text
    csrf = csrf_of(accused.get("/cases").text)
    refused = accused.post(f"/cases/{accusation.case_id}/timeline", data={"csrf": csrf, "purpose": "x"})
    assert refused.status_code == 404 and ID_NUMBER not in refused.text
    accused.close()
