"""Swagger UI works offline (issue #15: /api/v1/docs was blank without the CDN, /docs 404):
Chromium loads it with every request off this machine refused, and it lists the API."""

from __future__ import annotations

from urllib.parse import urlparse

import requests

from tests.fixtures.central import Central
from tests.fleet.conftest import SHOTS


def test_swagger_ui_renders_from_the_package_with_no_way_out(
    sqlite_central: Central, chromium
) -> None:
    base = sqlite_central.url
    outside: list[str] = []

    def only_local(route) -> None:
        host = urlparse(route.request.url).hostname
        if host in ("127.0.0.1", "localhost"):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    page = chromium.new_page()
    page.route("**/*", only_local)
    page.goto(base + "/docs")
    assert urlparse(page.url).path == "/api/v1/docs"
    page.wait_for_selector(".opblock-summary-path")
    paths = page.locator(".opblock-summary-path").all_inner_texts()
    assert any("/api/v1/heartbeat" in p for p in paths), paths
    assert outside == []
    page.screenshot(path=str(SHOTS / "api-docs.png"), full_page=False)


def test_the_docs_page_names_only_local_files(sqlite_central: Central) -> None:
    html = requests.get(sqlite_central.url + "/api/v1/docs", timeout=30).text
    assert "cdn.jsdelivr.net" not in html and "/api/v1/docs/static/swagger-ui-bundle.js" in html
    js = requests.get(sqlite_central.url + "/api/v1/docs/static/swagger-ui-bundle.js", timeout=30)
    assert js.status_code == 200 and len(js.content) > 500_000
