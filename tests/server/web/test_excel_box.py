"""The Excel box of the assessment page: coordinators and administrators download the workbook
and import an edited one as a new version (shown on the versions page, compared with the one
before); a broken workbook shows each problem at its sheet and cell and changes nothing; an
open round says so and refuses; other members see no box and may not post."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from openpyxl.workbook.workbook import Workbook

from tests.io.excel_books import column, edited, find_row
from tests.server.common import snapshot
from tests.server.web.demo_world import Form, api, demo, sign_in, text

__all__ = ["demo"]  # the fixture
SCENARIO = "jihadist-attack-public-transport"


def likelihood_c(wb: Workbook) -> None:
    """The NCTV analyst's likelihood of the jihadist attack: D -> C."""
    ws = wb["Estimates"]
    n = find_row(ws, scenario=SCENARIO, analyst="nctv-analyst", estimate_of="likelihood")
    assert ws.cell(n, column(ws, "class")).value == "D"
    ws.cell(n, column(ws, "class")).value = "C"


def download(c: TestClient) -> bytes:
    page = c.get("/a/1").text
    assert 'href="/api/assessments/1/export.xlsx"' in page
    r = c.get("/api/assessments/1/export.xlsx")
    assert r.status_code == 200 and r.content[:2] == b"PK"
    return bytes(r.content)


def upload(c: TestClient, name: str, content: bytes) -> Any:
    token = Form(c.get("/a/1").text).values["csrf_token"]
    return c.post(
        "/a/1/excel",
        data={"csrf_token": token},
        files={"file": (name, content, "application/octet-stream")},
        follow_redirects=False,
    )


def stored(c: TestClient) -> Any:
    path = f"/api/assessments/1/scenarios/{SCENARIO}/estimates/nctv-analyst/likelihood"
    return api(c, "demo-coordinator", "GET", path).json()


def test_an_edited_workbook_becomes_the_next_version(demo: TestClient) -> None:
    sign_in(demo, "demo-coordinator")
    words = text(demo.get("/a/1").text)
    assert "Excel" in words and "Import as a new version" in words
    before = stored(demo)
    r = upload(demo, "risks.xlsx", edited(download(demo), likelihood_c))
    assert r.status_code == 303, text(r.text)
    assert r.headers["location"] == "/a/1/versions?published=1"
    page = text(demo.get(r.headers["location"]).text)
    assert "Imported from workbook risks.xlsx" in page
    after = stored(demo)
    assert after["version"] == before["version"] + 1
    assert (
        after["estimate"]["class"] if isinstance(after["estimate"], dict) else after["estimate"]
    ) == "C"
    # a second import is compared with the first on the page it leads to
    r = upload(demo, "again.xlsx", edited(download(demo), lambda wb: None))
    assert r.headers["location"] == "/a/1/versions?published=2&compare_from=1&compare_to=2"


def test_a_broken_workbook_shows_each_cell_and_changes_nothing(demo: TestClient) -> None:
    def edit(wb: Workbook) -> None:
        likelihood_c(wb)
        ws = wb["Scenarios"]
        ws.cell(2, column(ws, "domain")).value = "abroad"

    sign_in(demo, "demo-coordinator")
    book = edited(download(demo), edit)
    engine = demo.app.state.engine  # type: ignore[attr-defined]
    before = snapshot(engine)
    r = upload(demo, "broken.xlsx", book)
    assert r.status_code == 422
    words = text(r.text)
    assert "The workbook was not imported; nothing changed." in words
    assert "Scenarios!F2" in words and "abroad" in words
    assert 'aria-invalid="true"' in r.text
    after = snapshot(engine)
    assert {k: v for k, v in after.items() if k not in ("sessions", "login_attempts")} == {
        k: v for k, v in before.items() if k not in ("sessions", "login_attempts")
    }


def test_an_open_round_is_said_and_refused(demo: TestClient) -> None:
    sign_in(demo, "demo-coordinator")
    book = download(demo)
    r = api(demo, "demo-coordinator", "POST", "/api/assessments/1/rounds", json={"note": ""})
    assert r.status_code == 201
    words = text(demo.get("/a/1").text)
    assert "Round 1 is open: a workbook can be imported once it is closed" in words
    token = Form(demo.get("/a/1/versions").text).values["csrf_token"]
    r = demo.post(
        "/a/1/excel",
        data={"csrf_token": token},
        files={"file": ("b.xlsx", book, "application/octet-stream")},
    )
    assert r.status_code == 409
    assert "round 1 is open" in text(r.text)


def test_other_members_see_no_box_and_may_not_post(demo: TestClient) -> None:
    for who in ("demo-viewer", "nctv-analyst"):
        sign_in(demo, who)
        page = demo.get("/a/1").text
        assert 'action="/a/1/excel"' not in page
        token = Form(page).values["csrf_token"]  # the sign-out form's: a valid token
        assert token
        r = demo.post(
            "/a/1/excel",
            data={"csrf_token": token},
            files={"file": ("b.xlsx", b"PK", "application/octet-stream")},
        )
        assert r.status_code == 403
        assert "does not allow this" in text(r.text)
