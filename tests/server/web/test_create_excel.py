"""Creating an assessment from an Excel workbook in the pages: the same form as for a file;
stored as the API stores it, or every problem shown with its sheet and cell, and nothing
stored; the versions page links the workbook download."""

from __future__ import annotations

from fastapi.testclient import TestClient
from openpyxl.workbook.workbook import Workbook

from tests.io.excel_books import column, edited, exported
from tests.server.web.demo_world import demo, sign_in, text
from tests.server.web.test_create import count, upload

__all__ = ["demo"]  # the fixture


def test_a_workbook_becomes_an_assessment(demo: TestClient) -> None:
    sign_in(demo, "demo-coordinator")
    assert ".xlsx" in demo.get("/assessments/new").text
    before = count(demo)
    r = upload(demo, "uk.xlsx", exported("uk-nsra"))
    assert r.status_code == 303, text(r.text)  # type: ignore[attr-defined]
    assert r.headers["location"] == f"/a/{before + 1}"  # type: ignore[attr-defined]
    page = demo.get(f"/a/{before + 1}")
    assert "UK-style national security risk assessment" in text(page.text)


def test_a_broken_workbook_shows_each_cell_and_stores_nothing(demo: TestClient) -> None:
    def edit(wb: Workbook) -> None:
        ws = wb["Scenarios"]
        ws.cell(2, column(ws, "domain")).value = "abroad"

    sign_in(demo, "demo-coordinator")
    before = count(demo)
    r = upload(demo, "uk.xlsx", edited(exported("uk-nsra"), edit))
    assert r.status_code == 200  # type: ignore[attr-defined]
    words = text(r.text)  # type: ignore[attr-defined]
    assert "The file was not stored." in words
    assert "Scenarios!" in words and "domain" in words and "abroad" in words
    assert count(demo) == before


def test_the_versions_page_links_the_workbook(demo: TestClient) -> None:
    sign_in(demo, "demo-coordinator")
    page = demo.get("/a/1/versions").text
    assert 'href="/api/assessments/1/export.xlsx"' in page
    assert "Download as an Excel workbook" in text(page)
    r = demo.get("/api/assessments/1/export.xlsx")
    assert r.status_code == 200 and r.content[:2] == b"PK"
