"""The API documentation works on a closed network: no asset comes from outside the service."""

from __future__ import annotations

import re

from tests.conftest import LiveServer


def test_the_docs_page_loads_every_asset_from_the_service_itself(live_server: LiveServer) -> None:
    with live_server.client(token=None) as http:
        page = http.get("/docs")
        assert page.status_code == 200
        sources = re.findall(r'(?:src|href)="([^"]+)"', page.text) + re.findall(r"url: '([^']+)'", page.text)
        assert sources, "the docs page should reference its assets"
        assert all(s.startswith("/") for s in sources), sources
        for source in sources:
            assert http.get(source).status_code == 200, source
