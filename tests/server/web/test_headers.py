"""Security headers on every response (nsra.server.web.headers)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from nsra.server.web.headers import POLICY, policy_for


def _directives(policy: str) -> dict[str, list[str]]:
    out = {}
    for part in policy.split(";"):
        words = part.split()
        if words:
            out[words[0]] = words[1:]
    return out


def test_the_policy_allows_scripts_from_this_server_only() -> None:
    d = _directives(POLICY)
    assert d["default-src"] == ["'self'"]
    assert d["script-src"] == ["'self'"]  # no 'unsafe-inline', no 'unsafe-eval', no host
    assert d["frame-ancestors"] == ["'none'"] and d["object-src"] == ["'none'"]
    assert d["form-action"] == ["'self'"]
    assert "'unsafe-inline'" not in d["style-src"]


def test_only_the_docs_page_allows_inline_styles_and_never_inline_scripts() -> None:
    docs = _directives(policy_for("/api/docs"))
    assert "'unsafe-inline'" in docs["style-src"]
    assert docs["script-src"] == ["'self'"]
    assert policy_for("/") == POLICY and policy_for("/api/docs/x") == POLICY


@pytest.mark.parametrize(
    "path", ["/api/docs", "/api/openapi.json", "/api/methods", "/static/js/api-docs.js", "/nope"]
)
def test_every_response_carries_the_headers(client: TestClient, path: str) -> None:
    r = client.get(path)
    assert r.headers["content-security-policy"] == policy_for(path)
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["x-frame-options"] == "DENY"
    assert r.headers["referrer-policy"] == "same-origin"
