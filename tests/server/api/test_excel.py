"""The Excel round trip on the server (nsra.server.api.excel): any member downloads the
assessment as a workbook; a coordinator uploads a workbook as a new assessment, checked as a
file upload, its problems with sheet and cell; a viewer or an analyst may not; on SQLite and
PostgreSQL."""

from __future__ import annotations

import io

import openpyxl

import nsra
from nsra.io.excel import import_workbook
from nsra.server.api.excel import XLSX
from tests.server.common import UK, UK_LABEL, Callers, is_classified, is_error, snapshot


def _download(w: Callers, who: str) -> bytes:
    r = w.client.get(f"/api/assessments/{w.mine}/export.xlsx", headers=w.auth(who))
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == XLSX
    assert r.headers["Content-Disposition"] == (
        f'attachment; filename="nsra-assessment-{w.mine}.xlsx"'
    )
    assert r.headers["X-Classification"] == UK_LABEL
    about = openpyxl.load_workbook(io.BytesIO(r.content), read_only=True)["About"]
    assert [row[1] for row in about.iter_rows(values_only=True) if row[0] == "classification"] == [
        UK_LABEL
    ]
    return bytes(r.content)


def _upload(w: Callers, who: str, book: bytes) -> object:
    headers = {**w.auth(who), "Content-Type": XLSX}
    return w.client.post("/api/assessments/import.xlsx", headers=headers, content=book)


def test_every_member_downloads_the_assessment_as_a_workbook(callers: Callers) -> None:
    expected = nsra.read(str(UK)).assessment
    for who in ("admin", "coordinator", "analyst", "viewer"):
        book = _download(callers, who)
        assert import_workbook(book, "book.xlsx").loaded.assessment == expected
    is_error(
        callers.client.get(
            f"/api/assessments/{callers.mine}/export.xlsx", headers=callers.auth("outsider")
        ),
        404,
    )


def test_a_coordinator_uploads_the_workbook_as_a_new_assessment(callers: Callers) -> None:
    w = callers
    book = _download(w, "coordinator")
    r = _upload(w, "coordinator", book)
    assert r.status_code == 201, r.text  # type: ignore[attr-defined]
    new = r.json()["id"]  # type: ignore[attr-defined]
    assert new != w.mine and r.json()["role"] == "coordinator"  # type: ignore[attr-defined]
    is_classified(r, UK_LABEL)
    again = w.client.get(f"/api/assessments/{new}/export.xlsx", headers=w.auth("coordinator"))
    assert import_workbook(again.content, "b.xlsx").loaded.assessment == (
        nsra.read(str(UK)).assessment
    )


def test_viewers_and_analysts_may_not_upload_and_nothing_is_stored(callers: Callers) -> None:
    w = callers
    book = _download(w, "coordinator")
    before = snapshot(w.engine)
    for who in ("viewer", "analyst"):
        body = is_error(_upload(w, who, book), 403)
        assert "coordinator" in body["error"]
    is_error(_upload(w, "nobody", book), 401)
    assert snapshot(w.engine) == before


def test_a_workbook_with_problems_is_422_with_each_cell_and_nothing_is_stored(
    callers: Callers,
) -> None:
    w = callers
    wb = openpyxl.load_workbook(io.BytesIO(_download(w, "coordinator")))
    ws = wb["Estimates"]
    ws["E2"] = "Z"
    ws["G3"] = "a lot"
    out = io.BytesIO()
    wb.save(out)
    before = snapshot(w.engine)
    body = is_error(_upload(w, "coordinator", out.getvalue()), 422)
    files = [p["file"] for p in body["problems"] if p["severity"] == "error"]
    assert sorted(files) == ["Estimates!E2", "Estimates!G3"]
    assert "expected a number; found 'a lot'" in str(body["problems"])
    assert snapshot(w.engine) == before


def test_a_file_that_is_no_workbook_is_422(callers: Callers) -> None:
    body = is_error(_upload(callers, "coordinator", b"title: not a workbook\n"), 422)
    assert "not an Excel workbook" in body["error"]
