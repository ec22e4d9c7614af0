"""The whole report of every example in a real browser (Debian's Chromium through Playwright):
no horizontal page scroll on a phone (390 px), no serious accessibility violation (axe-core,
WCAG 2.1 A and AA) at a phone's and a desktop's width, the risk diagram's text readable on a
phone, and the printed page free of the on-screen classification bands (the page margins carry
the classification on every page)."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page

from tests.helpers import EXAMPLES
from tests.report import common
from tests.report.browser import open_at, smallest_text, sticking_out
from tests.server.web.browser import serious

CASES = [(p, lang) for p in EXAMPLES for lang in ("en", "nl")]


@pytest.fixture(scope="module", params=CASES, ids=lambda c: f"{c[0].stem}-{c[1]}")
def report_file(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path, lang = request.param
    target = tmp_path_factory.mktemp("report") / f"{path.stem}-{lang}.html"
    target.write_text(common.full_report(str(path), lang), encoding="utf-8")
    return target


def _open(browser: Browser, path: Path, width: int) -> Page:
    return open_at(browser, path, width)


def test_a_phone_never_scrolls_the_page_sideways(browser: Browser, report_file: Path) -> None:
    tab = _open(browser, report_file, 390)
    assert tab.evaluate("document.documentElement.scrollWidth") <= 390
    assert sticking_out(tab, "body", ".table-scroll, .fig-scroll, .st-scroll") == []
    tab.close()


def test_diagram_text_stays_readable_on_a_phone(browser: Browser, report_file: Path) -> None:
    tab = _open(browser, report_file, 390)
    smallest = smallest_text(tab, "#diagram svg.risk-diagram text")
    assert smallest >= 9.5  # it was about 5 px: the figure scrolls inside itself instead
    tab.close()


@pytest.mark.parametrize("width", [390, 1280])
def test_no_serious_accessibility_violations(
    browser: Browser, report_file: Path, width: int
) -> None:
    tab = _open(browser, report_file, width)
    assert serious(tab) == []
    tab.close()


def _contrast(tab: Page, selector: str) -> list[float]:
    return list(
        tab.evaluate(
            """(sel) => {
              const lum = (c) => {
                const v = c.match(/[\\d.]+/g).slice(0, 3).map(Number).map(x => x / 255)
                  .map(x => x <= 0.04045 ? x / 12.92 : ((x + 0.055) / 1.055) ** 2.4);
                return 0.2126 * v[0] + 0.7152 * v[1] + 0.0722 * v[2];
              };
              return [...document.querySelectorAll(sel)].map(e => {
                const s = getComputedStyle(e);
                const [a, b] = [lum(s.color), lum(s.backgroundColor)].sort((x, y) => y - x);
                return (a + 0.05) / (b + 0.05);
              });
            }""",
            selector,
        )
    )


def test_inactive_phase_chips_are_readable(browser: Browser, report_file: Path) -> None:
    tab = _open(browser, report_file, 1280)
    ratios = _contrast(tab, ".phases b:not(.on)")
    assert ratios, "the examples have measures"
    assert min(ratios) >= 4.5  # was 2.1:1
    tab.close()


def test_print_shows_the_classification_once_per_page(browser: Browser, report_file: Path) -> None:
    tab = _open(browser, report_file, 1280)
    tab.emulate_media(media="print")
    shown = tab.evaluate(
        """() => [...document.querySelectorAll('body > .classification')]
             .filter(e => getComputedStyle(e).display !== 'none').length"""
    )
    assert shown == 0  # the @page header and footer carry it on every page
    forced = tab.evaluate(
        """() => [...document.querySelectorAll('section.scenario, section.major')]
             .filter(e => getComputedStyle(e).breakBefore === 'page').map(e => e.id)"""
    )
    assert forced in ([], ["diagram"])  # no near-empty pages before each section or scenario
    tab.close()
