"""``/api/docs`` works offline: the page and everything it loads come from the server."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from fastapi.testclient import TestClient


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []
        self.inline_scripts = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        for key in ("src", "href"):
            if found.get(key):
                self.urls.append(str(found[key]))
        if tag == "script" and not found.get("src"):
            self.inline_scripts += 1


def test_the_docs_page_loads_only_from_this_server(client: TestClient) -> None:
    page = client.get("/api/docs")
    assert page.status_code == 200
    links = _Links()
    links.feed(page.text)
    assert links.inline_scripts == 0  # the policy forbids them
    assert links.urls, "the page loads its assets"
    for url in links.urls:
        assert url.startswith("/static/"), url  # never another host
        asset = client.get(url)
        assert asset.status_code == 200, url
        assert len(asset.content) > 100
    assert 'data-openapi="/api/openapi.json"' in page.text
    assert client.get("/api/openapi.json").status_code == 200


def test_vendored_assets_name_no_other_host(client: TestClient) -> None:
    """No source map or import of another host is left in the vendored files."""
    css = client.get("/static/vendor/swagger-ui/swagger-ui.css").text
    assert "sourceMappingURL" not in css
    assert not re.search(r"@import\s+url\(\s*['\"]?https?:", css)
    licence = client.get("/static/vendor/swagger-ui/LICENSE")
    assert licence.status_code == 200 and "Apache License" in licence.text


def test_the_docs_page_is_not_in_the_api_document(client: TestClient) -> None:
    paths = client.get("/api/openapi.json").json()["paths"]
    assert "/api/docs" not in paths and not any(p.startswith("/static") for p in paths)
