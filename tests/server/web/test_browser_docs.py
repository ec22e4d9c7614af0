"""``/api/docs`` in a real browser: Swagger UI runs under the strict Content-Security-Policy,
says nothing in the console, and asks no host but the server."""

from __future__ import annotations

from tests.server.web.conftest import LiveServer, Visit


def test_api_docs_render_offline(live_server: LiveServer, visit: Visit) -> None:
    visit.page.goto(f"{live_server.url}/api/docs")
    visit.page.wait_for_selector(".opblock", timeout=20_000)
    assert visit.page.locator(".opblock").count() >= 40  # every operation is listed
    assert visit.console == []
    assert visit.failed == []
    assert visit.hosts == {live_server.url.removeprefix("http://")}
