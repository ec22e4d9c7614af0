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

import base64
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
"""Above this many scenarios, the PDF is the large assessment's edition: the ranking lists
every scenario in one compact table, the other lists of scenarios (the chapter of scenarios in
detail, the diagram's legend, the bars, the coherence table, ...) their first
:data:`PDF_LIST_MAX` by rank, each with a note saying so. The full detail of a large assessment
runs to hundreds of pages that WeasyPrint lays out at about a page a second; all of it is in the
HTML and Word reports."""

PDF_LIST_MAX = 30
"""Entries a list of scenarios keeps in the large assessment's edition of the PDF."""

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
    return _print_root(parse(page), lang)


def _print_root(root: HtmlElement, lang: str | None) -> str:
    """:func:`print_page` of the parsed page ``root`` (changed in place)."""
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
    _shared_icons(root, style)
    for details in root.iter("details"):
        details.set("open", "open")
    for table in root.iter("table"):
        if len(table.findall(".//tr")) <= SMALL_TABLE_ROWS:
            table.set("class", " ".join(sorted(classes(table) | {"pdf-keep"})))
    out: str = lxml_html.tostring(root, encoding="unicode", doctype="<!DOCTYPE html>")
    return out


def _shared_icons(root: HtmlElement, style: HtmlElement) -> None:
    """The small inline SVG icons (``svg.icon``: a scenario's domain, one per row of many
    lists) as an empty ``span`` whose class names one of the few distinct icons, drawn by the
    stylesheet as an image of a ``data:`` URL (in place; the rules are added to ``style``).
    WeasyPrint reads each inline SVG on its own, but an image once per distinct URL; the page
    it reads is also shorter. Still vector."""
    names: dict[str, str] = {}
    rules: list[str] = []
    for svg in [el for el in root.iter("svg") if "icon" in classes(el)]:
        source = lxml_html.tostring(svg, encoding="unicode", with_tail=False)
        name = names.get(source)
        if name is None:
            name = names[source] = f"pdf-icon-{len(names) + 1}"
            xml = source.replace(" viewbox=", " viewBox=")  # the HTML parser lowercased it
            if "xmlns=" not in xml:
                xml = xml.replace("<svg", '<svg xmlns="http://www.w3.org/2000/svg"', 1)
            url = "data:image/svg+xml;base64," + base64.b64encode(xml.encode()).decode("ascii")
            size = f"width: {svg.get('width', '14')}px; height: {svg.get('height', '14')}px;"
            rules.append(f'span.{name}::before {{ content: url("{url}"); {size} }}')
        span = lxml_html.Element("span", {"class": f"pdf-icon {name}"})
        span.tail = svg.tail
        svg.getparent().replace(svg, span)
    style.text = (style.text or "") + "\n".join(rules) + "\n"


def _condense_scenarios(root: HtmlElement, lang: str) -> None:
    """Above :data:`PDF_DETAIL_MAX` scenarios, the large assessment's edition (in place): the
    page is marked ``pdf-large`` for the stylesheet's plainer, fixed layout of the ranking; the
    chapter of scenarios in detail keeps the first :data:`PDF_LIST_MAX` scenarios (by rank) with
    their heading and key facts (``.facts``) only, the other lists of scenarios their first
    :data:`PDF_LIST_MAX` entries (:func:`_shorten_lists`); a note after the contents, and one
    where each list is shortened, says what was left out and where it is."""
    scenarios = [s for s in root.iter("section") if "scenario" in classes(s)]
    if len(scenarios) <= PDF_DETAIL_MAX:
        return
    ranking = _ranking_link(root)
    count, shown = i18n.number(len(scenarios), lang), i18n.number(PDF_LIST_MAX, lang)
    for section in scenarios[PDF_LIST_MAX:]:
        section.getparent().remove(section)
    for section in scenarios[:PDF_LIST_MAX]:
        for child in list(section):
            if child.tag != "h3" and "facts" not in classes(child):
                section.remove(child)
    root.set("class", " ".join(sorted(classes(root) | {"pdf-large"})))
    note = _note(
        "pdf-condensed",
        i18n.t("pdf_scenarios_first", lang, n=count, shown=shown, ranking="{ranking}"),
        ranking,
    )
    scenarios[0].addprevious(note)
    _shorten_lists(root, lang, ranking)
    front = _note(
        "pdf-large-note",
        i18n.t("pdf_large_edition", lang, n=count, shown=shown, ranking="{ranking}"),
        ranking,
    )
    toc = next(iter(root.find_class("pdf-toc")), None)
    if toc is not None:
        toc.addnext(front)
    else:
        note.addprevious(front)


def _ranking_link(root: HtmlElement) -> HtmlElement | None:
    """A link to the ranking chapter (the one table of every scenario), named by its heading;
    None for a page without it."""
    for h in root.iter("h2"):
        section = h.getparent()
        if section is not None and section.get("id") == "ranking" and not _in_nav(h):
            link = lxml_html.Element("a", {"href": "#ranking"})
            link.text = text_of(h)
            return link
    return None


def _note(cls: str, text: str, ranking: HtmlElement | None) -> HtmlElement:
    """A paragraph ``text`` whose ``{ranking}`` names the ranking chapter (a link)."""
    note = lxml_html.Element("p", {"class": cls})
    before, named, after = text.partition("{ranking}")
    note.text = before
    if named and ranking is None:
        note.text = before + after
    elif named and ranking is not None:
        link = copy.deepcopy(ranking)
        link.tail = after
        note.append(link)
    return note


def _lists_of_scenarios(root: HtmlElement) -> list[HtmlElement]:
    """The lists (``ul``, ``ol``, a table's ``tbody``, a ``div`` of rows) with more than
    :data:`PDF_LIST_MAX` entries that link a scenario each, outside the ranking's tables,
    outermost first."""
    found: list[HtmlElement] = []
    for el in root.iter("ul", "ol", "tbody", "div"):
        entries = [c for c in el if isinstance(c.tag, str)]
        if len(entries) <= PDF_LIST_MAX:
            continue
        linked = sum(1 for c in entries if c.find_class("sc"))
        if linked <= PDF_LIST_MAX or linked < len(entries) // 2:
            continue
        table = next((a for a in el.iterancestors("table")), None)
        if table is not None and "ranking" in classes(table):
            continue
        if any(a in found for a in el.iterancestors()):
            continue
        found.append(el)
    return found


def _shorten_lists(root: HtmlElement, lang: str, ranking: HtmlElement | None) -> None:
    """Each list of scenarios (:func:`_lists_of_scenarios`) keeps its first
    :data:`PDF_LIST_MAX` entries, followed by a note of how many there are and where all are."""
    lists = _lists_of_scenarios(root)
    for el in lists:
        entries = [c for c in el if isinstance(c.tag, str)]
        for c in entries[PDF_LIST_MAX:]:
            el.remove(c)
        note = _note(
            "pdf-shortened",
            i18n.t(
                "pdf_list_first",
                lang,
                shown=i18n.number(PDF_LIST_MAX, lang),
                n=i18n.number(len(entries), lang),
                ranking="{ranking}",
            ),
            ranking,
        )
        after = el
        if el.tag == "tbody":
            after = next(el.iterancestors("table"))
            wrapper = after.getparent()
            if wrapper is not None and "table-scroll" in classes(wrapper):
                after = wrapper
        after.addnext(note)


def render_pdf(page: str, lang: str | None = None, fetcher: OfflineFetcher | None = None) -> bytes:
    """The PDF of the rendered HTML report ``page`` (A4, contents, bookmarks, classification in
    every page's header and footer, page x of y in ``lang``, by default the page's language).
    ``fetcher``: the URL fetcher, to see what was refused (nothing is ever fetched)."""
    from weasyprint import HTML

    root = parse(page)
    lang = lang or root.get("lang") or DEFAULT_LANG
    ready = _print_root(root, lang)
    fetch = fetcher if fetcher is not None else OfflineFetcher()
    document = HTML(string=ready, url_fetcher=fetch, base_url=None).render()
    document.metadata.lang = lang
    pdf: bytes = document.write_pdf()
    return pdf
