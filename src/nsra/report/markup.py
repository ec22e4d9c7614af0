"""The rendered HTML report read back as a tree: what the PDF and Word outputs build on.

Both outputs work on the report's structure only (headings, paragraphs, lists, tables,
figures), never on one section's specifics, so they follow the HTML report as it changes.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from lxml import html as lxml_html
from lxml.html import HtmlElement

HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")
_SPACE = re.compile(r"\s+")


def parse(page: str) -> HtmlElement:
    """The document element of an HTML page."""
    return lxml_html.document_fromstring(page)


def classes(el: HtmlElement) -> set[str]:
    return set((el.get("class") or "").split())


def squash(text: str) -> str:
    """Runs of white space as one space, trimmed."""
    return _SPACE.sub(" ", text).strip()


def text_of(el: HtmlElement) -> str:
    """The text a reader sees in ``el``: its pieces joined with a space where child elements
    touch (``<span class="num">2</span>Risk diagram`` reads "2 Risk diagram")."""
    parts: list[str] = []

    def walk(node: HtmlElement) -> None:
        if node.text:
            parts.append(node.text)
        for child in node:
            if isinstance(child.tag, str) and child.tag not in ("script", "style", "title"):
                parts.append(" ")
                walk(child)
                parts.append(" ")
            if child.tail:
                parts.append(child.tail)

    walk(el)
    return squash("".join(parts))


def headings(root: HtmlElement, levels: tuple[str, ...] = HEADINGS) -> Iterator[HtmlElement]:
    """The headings of the page's body in document order."""
    yield from root.iter(*levels)


def classification(root: HtmlElement) -> str:
    """The classification label as the report's band shows it (its first ``.classification``
    element), or "" for a page without one."""
    for el in root.find_class("classification"):
        return text_of(el)
    return ""


def title(root: HtmlElement) -> str:
    """The report's title: its first ``h1``, else the page ``<title>``."""
    for el in root.iter("h1"):
        return text_of(el)
    found = root.find(".//title")
    return text_of(found) if found is not None else ""
