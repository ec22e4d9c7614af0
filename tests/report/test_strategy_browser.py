"""The strategy section in a real browser (Debian's Chromium through Playwright): no serious
accessibility violation (axe-core, WCAG 2.1 A and AA) at a desktop's and a phone's width, text
in its pictures at least 11 px at 1280 px wide, every label of the network inside its box, and
nothing wider than the phone outside a scrolling region."""

from __future__ import annotations

from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe  # type: ignore[import-untyped]
from playwright.sync_api import Browser, Page

from tests.report.browser import smallest_text, sticking_out
from tests.report.test_strategy import page
from tests.server.web.browser import RULES


@pytest.fixture(scope="module", params=["en", "nl"])
def report_file(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("report") / f"report-{request.param}.html"
    path.write_text(page(request.param), encoding="utf-8")
    return path


def _open(browser: Browser, path: Path, width: int) -> Page:
    tab = browser.new_page(viewport={"width": width, "height": 900})
    tab.goto(path.as_uri())
    return tab


@pytest.mark.parametrize("width", [390, 1280])
def test_no_serious_accessibility_violations(
    browser: Browser, report_file: Path, width: int
) -> None:
    tab = _open(browser, report_file, width)
    options = {**RULES}
    found = Axe().run(tab, context="#strategy", options=options).response
    serious = [
        f"{v['id']}: {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in found["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert serious == []
    tab.close()


def test_picture_text_is_large_enough_and_labels_stay_in_their_boxes(
    browser: Browser, report_file: Path
) -> None:
    tab = _open(browser, report_file, 1280)
    assert smallest_text(tab, "#strategy svg[role=img] text") >= 11 - 1e-6
    outside = tab.evaluate(
        """() => {
          const out = [];
          for (const g of document.querySelectorAll('svg.strategy-network g.node')) {
            const r = g.querySelector('rect').getBBox();
            for (const t of g.querySelectorAll('text')) {
              const b = t.getBBox();
              if (b.x < r.x || b.x + b.width > r.x + r.width || b.y < r.y
                  || b.y + b.height > r.y + r.height) out.push(t.textContent);
            }
          }
          return out;
        }"""
    )
    assert outside == []
    tab.close()


def test_nothing_overflows_a_phone(browser: Browser, report_file: Path) -> None:
    tab = _open(browser, report_file, 390)
    assert sticking_out(tab, "#strategy", ".st-scroll") == []
    tab.close()
