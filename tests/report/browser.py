"""What the report's browser tests share: opening a report file at a width, what sticks out
of a phone's screen, and the contrast of text."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Browser, Page


def open_at(browser: Browser, path: Path, width: int) -> Page:
    """A tab showing the report file ``path`` in a window ``width`` px wide."""
    tab = browser.new_page(viewport={"width": width, "height": 900})
    tab.goto(path.as_uri())
    return tab


def sticking_out(tab: Page, scope: str, scrollers: str) -> list[str]:
    """The elements under ``scope`` (a CSS selector) that reach past the window's right edge,
    except inside the scrolling regions ``scrollers`` (a CSS selector)."""
    return list(
        tab.evaluate(
            """([scope, scrollers]) => {
              const w = document.documentElement.clientWidth, out = [];
              for (const e of document.querySelectorAll(scope + ' *')) {
                if (e.closest(scrollers)) continue;
                const right = e.getBoundingClientRect().right;
                if (right > w + 1) out.push(e.tagName + '.' + e.className);
              }
              return out;
            }""",
            [scope, scrollers],
        )
    )


def smallest_text(tab: Page, selector: str) -> float:
    """The smallest font size on screen (px) of the SVG text elements ``selector`` picks, as
    drawn: the font size times the picture's scale (rotated text too)."""
    return float(
        tab.evaluate(
            """(sel) => Math.min(...[...document.querySelectorAll(sel)].map(t => {
                 const m = t.getScreenCTM();  // rotated text too: the scale is |(a, b)|
                 return parseFloat(getComputedStyle(t).fontSize) * Math.hypot(m.a, m.b);
               }))""",
            selector,
        )
    )
