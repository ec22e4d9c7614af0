"""Creating an assessment from its file in the pages: stored as the API stores it, or every
problem of the file shown with its line, and nothing stored."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from nsra.server.db.models import AssessmentRow
from tests.server.common import UK
from tests.server.web.demo_world import Form, demo, sign_in, text

__all__ = ["demo"]  # the fixture


def count(c: TestClient) -> int:
    with Session(c.app.state.engine) as s:  # type: ignore[attr-defined]
        return s.scalar(select(func.count()).select_from(AssessmentRow)) or 0


def upload(c: TestClient, name: str, content: bytes) -> object:
    token = Form(c.get("/assessments/new").text).values["csrf_token"]
    return c.post(
        "/assessments/new",
        data={"csrf_token": token},
        files={"file": (name, content, "application/yaml")},
        follow_redirects=False,
    )


def test_a_coordinator_creates_an_assessment_from_its_file(demo: TestClient) -> None:
    sign_in(demo, "demo-coordinator")
    assert "Create an assessment from a file" in text(demo.get("/").text)
    before = count(demo)
    r = upload(demo, "uk.yaml", UK.read_bytes())
    assert r.status_code == 303, text(r.text)  # type: ignore[attr-defined]
    new_id = before + 1
    assert r.headers["location"] == f"/a/{new_id}"  # type: ignore[attr-defined]
    page = demo.get(f"/a/{new_id}")
    assert "UK-style national security risk assessment" in text(page.text)
    assert "your role: coordinator" in text(page.text)


def test_a_broken_file_shows_its_line_and_stores_nothing(demo: TestClient) -> None:
    sign_in(demo, "demo-coordinator")
    broken = UK.read_text(encoding="utf-8").replace("domain: external", "domain: abroad", 1)
    before = count(demo)
    r = upload(demo, "uk-broken.yaml", broken.encode())
    assert r.status_code == 200  # type: ignore[attr-defined]
    words = text(r.text)  # type: ignore[attr-defined]
    assert "The file was not stored." in words
    line = next(n for n, row in enumerate(broken.splitlines(), 1) if "domain: abroad" in row)
    assert re.search(rf"uk-broken\.yaml:{line}", words), words
    assert "abroad" in words
    assert count(demo) == before


def test_an_analyst_may_not_create_and_a_post_without_csrf_is_refused(demo: TestClient) -> None:
    sign_in(demo, "nctv-analyst")
    assert "Create an assessment" not in text(demo.get("/").text)
    assert demo.get("/assessments/new").status_code == 403
    sign_in(demo, "demo-coordinator")
    before = count(demo)
    r = demo.post("/assessments/new", files={"file": ("uk.yaml", UK.read_bytes())})
    assert r.status_code == 403 and count(demo) == before
