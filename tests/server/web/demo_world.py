"""The demo world for the page tests (the data of ``nsra serve --demo``, users signed in with
the form) and a small reader of forms as a browser would post them."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Any

import pytest
from fastapi.testclient import TestClient

from nsra.server.demo import _fill

PASSWORD = "demo password for the tests"


class Form(HTMLParser):
    """Every input, select and checked radio of a page, as a browser would post them."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.values: dict[str, str] = {}
        self.radios: dict[str, list[str]] = {}
        self._select: str | None = None
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        name = a.get("name", "")
        if tag == "input" and a.get("type") == "radio":
            self.radios.setdefault(name, []).append(a.get("value", ""))
            if "checked" in a:
                self.values[name] = a.get("value", "")
        elif tag == "input" and name:
            self.values[name] = a.get("value", "")
        elif tag == "select":
            self._select = name
            self.values.setdefault(name, "")
        elif tag == "option" and self._select and "selected" in a:
            self.values[self._select] = a.get("value", "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None


def text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


@pytest.fixture
def demo(client: TestClient) -> TestClient:
    _, users = _fill(client.app.state.engine, PASSWORD)  # type: ignore[attr-defined]
    client.tokens = {u.name: u.token for u in users}
    return client


def sign_in(c: TestClient, user: str) -> None:
    c.cookies.clear()
    r = c.post("/sign-in", data={"user": user, "password": PASSWORD}, follow_redirects=False)
    assert r.status_code == 303, r.text


def api(c: TestClient, user: str, method: str, path: str, **kw: Any) -> Any:
    token = c.tokens[user]
    saved = dict(c.cookies)
    c.cookies.clear()
    try:
        r = c.request(method, path, headers={"Authorization": f"Bearer {token}"}, **kw)
    finally:
        for k, v in saved.items():
            c.cookies.set(k, v)
    return r
