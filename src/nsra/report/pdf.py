"""The PDF report: the HTML report laid out on A4 pages by WeasyPrint.

:func:`render_pdf` takes the rendered HTML report (:func:`nsra.report.html.render_report`) and
adds, from its structure alone: a table of contents of the chapters (``h2``) with their page
numbers, PDF bookmarks for the title, chapters and sections (``h1``-``h3``), the
classification label (as the report's band shows it) in the header and footer of every page,
"page x of y" in the report's language, open ``<details>`` and no interactive controls. The
PDF-only styles are in ``templates/pdf.css``. The figures are the report's inline SVG and stay
vector. Fonts come from the system's font packages; nothing is fetched (only ``data:`` URLs
are read).
"""

from __future__ import annotations

import copy
import functools
import re
from importlib import resources
from typing import Any

from lxml import html as lxml_html
from lxml.html import HtmlElement
from weasyprint.urls import URLFetcher

from nsra import i18n
from nsra.model.text import DEFAULT_LANG
from nsra.report.html import css_string
from nsra.report.markup import classes, classification, parse, text_of

SMALL_TABLE_ROWS = 14
"""Tables with at most this many rows are kept on one page; longer ones break between rows,
with their header row repeated."""

PDF_DETAIL_MAX = 60
"""Above this many scenarios, the PDF condenses the chapter of scenarios in detail to each
scenario's heading and key facts (with a note saying so): the full detail of a large
assessment runs to hundreds of pages that WeasyPrint lays out in minutes, and it is in the
HTML and Word reports."""

_SLUG = re.compile(r"[^a-z0-9]+")


class OfflineFetcher(URLFetcher):  # type: ignore[misc]
    """WeasyPrint's URL fetcher for the report: ``data:`` URLs only; any other (``http:``,
    ``file:``) is refused and remembered in :attr:`refused`."""

    def __init__(self) -> None:
        super().__init__(allowed_protocols={"data"})
        self.refused: list[str] = []

    def fetch(self, url: str, headers: Any = None) -> Any:
        if not url.startswith("data:"):
            self.refused.append(url)
            raise ValueError(f"the PDF report reads nothing from outside: {url[:80]}")
        return super().fetch(url, headers)


@functools.lru_cache(maxsize=1)
def _stylesheet() -> str:
    return (resources.files("nsra.report") / "templates" / "pdf.css").read_text("utf-8")


def _page_css(label: str, lang: str) -> str:
    """The page header and footer: the classification centred in both, "page x of y" at the
    bottom right, in ``lang``."""
    words = i18n.t("pdf_page_of", lang, page="\0page\0", pages="\0pages\0")
    tokens = []
    for piece in words.split("\0"):
        if piece in ("page", "pages"):
            tokens.append(f"counter({piece})")
        elif piece:
            tokens.append(str(css_string(piece)))
    marking = (
        "font: 700 7.5pt 'Liberation Sans', 'DejaVu Sans', sans-serif; "
        "text-transform: uppercase; color: #1B2430; letter-spacing: normal;"
    )
    small = "font: 7.5pt 'Liberation Sans', 'DejaVu Sans', sans-serif; color: #5A6472;"
    label_css = str(css_string(label)) if label else '""'
    return (
        "@page {\n"
        f"  @top-center {{ content: {label_css}; {marking} }}\n"
        f"  @bottom-center {{ content: {label_css}; {marking} }}\n"
        f"  @bottom-right {{ content: {' '.join(tokens)}; {small} }}\n"
        "  @bottom-left { content: none; }\n"
        "}\n"
    )


def _slug(text: str, taken: set[str]) -> str:
    base = _SLUG.sub("-", text.lower()).strip("-") or "section"
    slug, n = f"pdf-{base}", 1
    while slug in taken:
        n += 1
        slug = f"pdf-{base}-{n}"
    taken.add(slug)
    return slug


def _in_nav(el: HtmlElement) -> bool:
    """Whether ``el`` sits inside a ``nav`` (the HTML page's own contents has a heading)."""
    return any(a.tag == "nav" for a in el.iterancestors())


def _toc(root: HtmlElement, lang: str) -> HtmlElement | None:
    """The table of contents of the chapters (``h2``), each a link whose page number the
    stylesheet fills in (``target-counter``); None for a page without chapters."""
    chapters = [h for h in root.iter("h2") if not _in_nav(h)]
    if not chapters:
        return None
    taken = {el.get("id") for el in root.iter() if el.get("id")}
    nav = lxml_html.Element("nav", {"class": "pdf-toc", "aria-label": i18n.t("contents", lang)})
    head = lxml_html.Element("p", {"class": "pdf-toc-title"})
    head.text = i18n.t("contents", lang)
    nav.append(head)
    ol = lxml_html.Element("ol")
    nav.append(ol)
    for h in chapters:
        anchor = h.get("id")
        if not anchor:
            anchor = _slug(text_of(h), {t for t in taken if t})
            h.set("id", anchor)
        li = lxml_html.Element("li", {"class": "pdf-toc-2"})
        link = lxml_html.Element("a", {"href": f"#{anchor}"})
        link.text = h.text
        for child in h:
            link.append(copy.deepcopy(child))
        li.append(link)
        ol.append(li)
    return nav


def _place_toc(root: HtmlElement, nav: HtmlElement) -> None:
    """In place of the HTML page's own contents (its first ``nav``), else before the first
    chapter."""
    old = next(iter(root.iter("nav")), None)
    if old is not None:
        old.getparent().replace(old, nav)
        return
    first = next(iter(root.iter("h2")))
    anchor = first
    parent = first.getparent()
    while parent is not None and parent.tag == "section":
        anchor, parent = parent, parent.getparent()
    anchor.addprevious(nav)


def print_page(page: str, lang: str | None = None) -> str:
    """The HTML report made ready for paper: the PDF stylesheet after the page's own (so it
    wins where they differ), the page header and footer, the table of contents, open details,
    small tables kept whole."""
    root = parse(page)
    lang = lang or root.get("lang") or DEFAULT_LANG
    head = root.find("head")
    if head is None:
        head = lxml_html.Element("head")
        root.insert(0, head)
    style = lxml_html.Element("style", {"id": "nsra-pdf"})
    style.text = _stylesheet() + _page_css(classification(root), lang)
    head.append(style)
    nav = _toc(root, lang)
    if nav is not None:
        _place_toc(root, nav)
    for h in root.iter("h1", "h2", "h3", "h4", "h5", "h6"):
        for child in h:  # "<span>1</span>Summary" reads "1 Summary" in bookmarks and text
            if not (child.tail or " ")[0].isspace() or (
                child.tail is None and child.getnext() is not None
            ):
                child.tail = " " + (child.tail or "")
    _condense_scenarios(root, lang)
    for details in root.iter("details"):
        details.set("open", "open")
    for table in root.iter("table"):
        if len(table.findall(".//tr")) <= SMALL_TABLE_ROWS:
            table.set("class", " ".join(sorted(classes(table) | {"pdf-keep"})))
    out: str = lxml_html.tostring(root, encoding="unicode", doctype="<!DOCTYPE html>")
    return out


def _condense_scenarios(root: HtmlElement, lang: str) -> None:
    """Above :data:`PDF_DETAIL_MAX` scenarios, keep of each scenario's section its heading and
    key facts (``.facts``) only, with a note after the chapter's heading, and mark the page
    ``pdf-large`` for the stylesheet's plainer layout of long lists (in place)."""
    scenarios = [s for s in root.iter("section") if "scenario" in classes(s)]
    if len(scenarios) <= PDF_DETAIL_MAX:
        return
    for section in scenarios:
        for child in list(section):
            if child.tag != "h3" and "facts" not in classes(child):
                section.remove(child)
    root.set("class", " ".join(sorted(classes(root) | {"pdf-large"})))
    note = lxml_html.Element("p", {"class": "pdf-condensed"})
    note.text = i18n.t("pdf_condensed", lang, n=str(len(scenarios)))
    scenarios[0].addprevious(note)


def render_pdf(page: str, lang: str | None = None, fetcher: OfflineFetcher | None = None) -> bytes:
    """The PDF of the rendered HTML report ``page`` (A4, contents, bookmarks, classification in
    every page's header and footer, page x of y in ``lang``, by default the page's language).
    ``fetcher``: the URL fetcher, to see what was refused (nothing is ever fetched)."""
    from weasyprint import HTML

    lang = lang or parse(page).get("lang") or DEFAULT_LANG
    ready = print_page(page, lang)
    fetch = fetcher if fetcher is not None else OfflineFetcher()
    document = HTML(string=ready, url_fetcher=fetch, base_url=None).render()
    document.metadata.lang = lang
    pdf: bytes = document.write_pdf()
    return pdf
