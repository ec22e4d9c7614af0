"""Security headers on every response (nsra.server.web.headers)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from nsra.server.api import create_app
from nsra.server.api.hosts import allowed, host_name
from nsra.server.db import make_engine
from nsra.server.settings import HOSTS_ENV
from nsra.server.web.headers import HSTS, PERMISSIONS, POLICY, policy_for


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
    html = r.headers["content-type"].startswith("text/html")
    assert r.headers["referrer-policy"] == ("same-origin" if html else "no-referrer")
    assert r.headers["permissions-policy"] == PERMISSIONS
    if path.startswith("/static/"):
        assert "cache-control" not in r.headers  # vendored assets: no assessment content
    else:
        assert r.headers["cache-control"] == "no-store"
    assert "strict-transport-security" not in r.headers  # plain http


def _concrete(path: str) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: "1" if m.group(1).endswith("id") else "x", path)


def test_every_operation_of_the_openapi_document_carries_the_headers(
    client: TestClient,
) -> None:
    """Every path and method the API documents, answered whatever the answer (401, 404, 422):
    the security headers and no-store are on each."""
    paths = client.get("/api/openapi.json").json()["paths"]
    count = 0
    for path, operations in paths.items():
        for method in operations:
            r = client.request(method.upper(), _concrete(path), json={})
            for name in ("content-security-policy", "x-content-type-options", "x-frame-options"):
                assert name in r.headers, (method, path)
            assert r.headers["referrer-policy"] == "no-referrer", (method, path)
            assert r.headers["cache-control"] == "no-store", (method, path)
            assert "frame-ancestors 'none'" in r.headers["content-security-policy"]
            count += 1
    assert count > 50


def test_over_tls_the_answers_ask_for_tls_always(template_db: Path, tmp_path: Path) -> None:
    path = tmp_path / "nsra.db"
    path.write_bytes(template_db.read_bytes())
    engine = make_engine(f"sqlite:///{path}")
    with TestClient(create_app(engine), base_url="https://nsra.example.org") as c:
        assert c.get("/sign-in").headers["strict-transport-security"] == HSTS
        assert c.get("/api/methods").headers["strict-transport-security"] == HSTS
    engine.dispose()


def test_only_the_allowed_host_names_are_answered(
    template_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "nsra.db"
    path.write_bytes(template_db.read_bytes())
    engine = make_engine(f"sqlite:///{path}")
    monkeypatch.setenv(HOSTS_ENV, "nsra.example.org,*.gov.example")
    with TestClient(create_app(engine)) as c:
        for host, status in [
            ("nsra.example.org", 200),
            ("NSRA.example.org:8443", 200),
            ("risk.gov.example", 200),
            ("gov.example", 400),
            ("evil.example.org", 400),
            ("nsra.example.org.evil.example", 400),
        ]:
            r = c.get("/sign-in", headers={"Host": host})
            assert r.status_code == status, host
        r = c.get("/api/methods", headers={"Host": "127.0.0.1"})
        assert r.json() == {
            "error": "this server does not answer to that host name",
            "field": "Host",
        }
        assert r.headers["x-frame-options"] == "DENY"  # the refusal has the headers too
    engine.dispose()


def test_host_names_without_ports_and_brackets() -> None:
    assert host_name("Example.org:80") == "example.org"
    assert host_name("[::1]:8000") == "::1"
    assert host_name("::1") == "::1"
    assert not allowed("example.org", ())
    assert allowed("anything", ("*",))
