"""Body limits (issue 12, F1): every write route refuses a body over its limit with 413 before
reading it and before any work (no token is even checked); a chunked body is cut off at the
limit; text fields have the lengths of their columns (422 with the field)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from starlette.routing import compile_path
from starlette.types import Message

from nsra.server import settings
from nsra.server.api import create_app, limits
from nsra.server.api.limits import WRITE_METHODS, BodySizes
from tests.server.common import UK, Callers, is_error, snapshot, upload_body

SMALL = 2_000  # the write size of these tests
BIG = 200_000  # their upload size (the UK example is about 60 kB as JSON)


@pytest.fixture
def small(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(settings.WRITE_ENV, str(SMALL))
    monkeypatch.setenv(settings.UPLOAD_ENV, str(BIG))


def _concrete(path: str) -> str:
    """A path of the route with every parameter filled (ids are numbers, keys are words)."""
    _, _, params = compile_path(path)
    for name in params:
        path = path.replace("{" + name + "}", "1" if name.endswith("id") else "x")
    return path


def _write_routes(app: FastAPI) -> list[tuple[str, str, bool]]:
    found = [
        (method, path, limits.is_upload(path, route))
        for path, methods, route in limits.routes(app)
        for method in sorted(methods & WRITE_METHODS)
    ]
    assert len(found) > 60  # the API's and the pages' writes
    return found


def test_every_write_route_refuses_a_body_over_its_limit_before_anything(
    callers: Callers, small: None
) -> None:
    before = snapshot(callers.engine)
    client = TestClient(create_app(callers.engine))
    for method, path, upload in _write_routes(client.app):  # type: ignore[arg-type]
        size = (BIG if upload else SMALL) + 1
        r = client.request(method, _concrete(path), content=b"{" + b" " * (size - 2) + b"}")
        body = is_error(r, 413)  # not 401: refused before the token is looked at
        assert f"{size - 1:,} bytes" in body["error"], (method, path)
        assert r.headers["x-content-type-options"] == "nosniff"  # the usual headers
    assert snapshot(callers.engine) == before


def test_uploads_are_the_marked_routes_and_the_import_paths(callers: Callers) -> None:
    uploads = {(m, p) for m, p, up in _write_routes(callers.app) if up}
    assert ("POST", "/api/assessments") in uploads
    assert not any("estimates" in p for _, p in uploads)
    assert limits.UPLOAD_PATHS.search("/api/assessments/{assessment_id}/import")
    assert limits.UPLOAD_PATHS.search("/a/{assessment_id}/upload/workbook")
    assert not limits.UPLOAD_PATHS.search("/api/assessments/{assessment_id}/important")


def test_an_upload_may_be_larger_than_a_write(callers: Callers, small: None) -> None:
    client = TestClient(create_app(callers.engine))
    r = client.post("/api/assessments", json=upload_body(UK), headers=callers.auth("admin"))
    assert r.status_code == 201, r.text
    r = client.post("/api/assessments/1/organisations", json={"x": "y" * SMALL})
    is_error(r, 413)


def _run(app: Any, method: str, path: str, chunks: list[bytes]) -> tuple[list[Message], int]:
    """Send a chunked request (no Content-Length) to the ASGI app; the messages answered and how
    many chunks the app pulled."""
    pulled = 0
    sent: list[Message] = []

    async def receive() -> Message:
        nonlocal pulled
        if pulled < len(chunks):
            pulled += 1
            return {"type": "http.request", "body": chunks[pulled - 1], "more_body": True}
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: Message) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"testserver"), (b"content-type", b"application/json")],
        "client": ("127.0.0.1", 5000),
        "server": ("testserver", 80),
    }
    asyncio.run(app(scope, receive, send))
    return sent, pulled


def test_a_chunked_body_is_cut_off_at_the_limit(callers: Callers, small: None) -> None:
    app = create_app(callers.engine)
    chunks = [b" " * 1000] * 100  # 100 kB in chunks of 1 kB, no length given
    sent, pulled = _run(app, "PUT", "/api/assessments/1/scenarios/x", chunks)
    assert sent[0]["status"] == 413
    assert pulled == SMALL // 1000 + 1  # not one chunk more than needed to pass the limit
    small_ok, _ = _run(app, "PUT", "/api/assessments/1/scenarios/x", [b"{}"])
    assert small_ok[0]["status"] == 401  # under the limit: on to the sign-in check


def test_a_content_length_that_is_no_number_is_a_400(callers: Callers) -> None:
    r = callers.client.post("/api/session", content=b"{}", headers={"content-length": "x"})
    is_error(r, 400)


def test_the_sizes_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    assert BodySizes.from_environment() == BodySizes()
    monkeypatch.setenv(settings.WRITE_ENV, "1234")
    monkeypatch.setenv(settings.UPLOAD_ENV, "nonsense")
    assert BodySizes.from_environment() == BodySizes(1234, settings.UPLOAD_SIZE)


# -- the F1 reproduction and the field lengths ------------------------------------------------

ESTIMATE = (
    "/api/assessments/{id}/scenarios/terrorist-attack-crowded-places"
    "/estimates/co-analyst/likelihood"
)


def test_a_huge_rationale_is_refused_and_nothing_is_stored(callers: Callers) -> None:
    w = callers
    before = snapshot(w.engine)
    huge = {"estimate": "4", "rationale": "x" * 3_000_000}
    r = w.call("admin", "PUT", ESTIMATE.format(id=w.ids["mine"]), json=huge)
    is_error(r, 413)
    long = {"estimate": "4", "rationale": "x" * (limits.TEXT + 1)}  # fits the body, not the field
    r = w.call("admin", "PUT", ESTIMATE.format(id=w.ids["mine"]), json=long)
    assert is_error(r, 422)["field"] == "body.rationale"
    assert snapshot(w.engine) == before


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/api/assessments/{id}/members", {"user": "u" * 121, "role": "viewer"}, "body.user"),
        ("/api/assessments/{id}/organisations", {"id": "o" * 65, "name": "x"}, "body.id"),
        ("/api/assessments/{id}/rounds", {"note": "n" * (limits.TEXT + 1)}, "body.note"),
        ("/api/assessments/{id}/versions", {"label": "l" * 201}, "body.label"),
    ],
)
def test_text_fields_have_the_lengths_of_their_columns(
    callers: Callers, path: str, body: dict[str, Any], field: str
) -> None:
    before = snapshot(callers.engine)
    r = callers.call("admin", "POST", path.format(id=callers.mine), json=body)
    assert is_error(r, 422)["field"] == field
    assert snapshot(callers.engine) == before
