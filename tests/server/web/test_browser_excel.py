"""The Excel box in a real browser on ``nsra serve --demo``: the coordinator downloads the
workbook (openpyxl reads it), edits one estimate in it, uploads it and lands on the new
version; a broken one shows its cells; no console errors (strict CSP), no request to another
host, no serious accessibility violation."""

from __future__ import annotations

import io
from pathlib import Path
from urllib.parse import urlsplit

import openpyxl

from tests.io.excel_books import column, edited, find_row
from tests.server.web.browser import serious
from tests.server.web.browser import sign_in_page as sign_in
from tests.server.web.conftest import LiveServer, Visit

SCENARIO = "jihadist-attack-public-transport"


def test_the_coordinator_downloads_edits_and_imports_a_workbook(
    live_server: LiveServer, visit: Visit, tmp_path: Path
) -> None:
    page = visit.page
    sign_in(live_server, page, "demo-coordinator")
    page.goto(f"{live_server.url}/a/1")
    box = page.locator("section.excel-box")
    assert box.locator("h2").inner_text() == "Excel"
    assert serious(visit) == []
    with page.expect_download() as info:
        box.get_by_role("link", name="Download the workbook").click()
    book = Path(info.value.path()).read_bytes()
    wb = openpyxl.load_workbook(io.BytesIO(book), read_only=True)
    assert "Estimates" in wb.sheetnames

    def edit(w: openpyxl.Workbook) -> None:
        ws = w["Estimates"]
        n = find_row(ws, scenario=SCENARIO, analyst="nctv-analyst", estimate_of="likelihood")
        ws.cell(n, column(ws, "class")).value = "C"

    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(edited(book, lambda w: w["Estimates"].__setitem__("E2", "Q")))
    page.set_input_files("#workbook", str(broken))
    box.get_by_role("button", name="Import as a new version", exact=True).click()
    alert = page.locator("#excel-problems")
    assert "nothing changed" in alert.inner_text()
    assert "Estimates!E2" in alert.inner_text()

    good = tmp_path / "risks 2026.xlsx"
    good.write_bytes(edited(book, edit))
    page.set_input_files("#workbook", str(good))
    page.locator("section.excel-box button[type=submit]").click()
    page.wait_for_url(f"{live_server.url}/a/1/versions?published=1")
    assert "Imported from workbook risks 2026.xlsx" in page.locator("main").inner_text()
    # the refused workbook's page is a 422, which the console notes; nothing else (no script
    # or style the strict CSP refused)
    assert [m for m in visit.console if "status of 422" not in m] == []
    assert visit.hosts == {urlsplit(live_server.url).netloc}
