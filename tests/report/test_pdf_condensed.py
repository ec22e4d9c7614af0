"""The PDF of a large assessment (nsra.report.pdf): the ranking whole, the other lists of
scenarios and the chapter of scenarios in detail shortened to their first entries, each with a
note saying what is left out; the domain icons drawn from shared images."""

from __future__ import annotations

import base64
import re
import xml.etree.ElementTree as ET

import pytest
from lxml.html import HtmlElement

from nsra.i18n import number, t
from nsra.report.markup import classes, parse, text_of
from nsra.report.pdf import PDF_DETAIL_MAX, PDF_LIST_MAX, print_page

ICON = (
    '<svg class="icon" xmlns="http://www.w3.org/2000/svg" width="14" height="14" '
    'viewBox="0 0 14 14" aria-hidden="true"><circle cx="7" cy="7" r="{r}"></circle></svg>'
)


def _page(n: int, lang: str = "nl", listed: int | None = None) -> str:
    """A report page with ``n`` scenarios: the ranking, a legend, bars, a coherence table, a
    list of ``listed`` (default ``n``) entries without scenario links, and the scenarios."""
    listed = n if listed is None else listed
    link = '<a class="sc" href="#sc-{k}">S{k}</a>'
    rows = "".join(f"<tr><td>{k}</td><td>{ICON.format(r=4)} {link.format(k=k)}</td></tr>"
                   for k in range(1, n + 1))  # fmt: skip
    legend = "".join(f"<li>{ICON.format(r=3)}{link.format(k=k)}</li>" for k in range(1, n + 1))
    bars = "".join(f'<div class="bar-row">{link.format(k=k)}</div>' for k in range(1, n + 1))
    coh = "".join(f"<tr><td>{link.format(k=k)}</td></tr>" for k in range(1, n + 1))
    plain = "".join(f"<li>class {k}</li>" for k in range(1, listed + 1))
    sections = "".join(
        f'<section class="scenario" id="sc-{k}"><h3><span class="rk">{k}.</span> S{k}</h3>'
        f'<div class="facts"><div><span class="k">Theme</span>t{k}</div></div>'
        f"<table><tr><td>estimate {k}</td></tr></table><p>rationale {k}</p></section>"
        for k in range(1, n + 1)
    )
    return (
        f'<!DOCTYPE html><html lang="{lang}"><head><title>r</title></head><body>'
        '<section id="diagram" class="major"><h2>Diagram</h2>'
        f'<ul class="legend-list">{legend}</ul></section>'
        '<section id="interests" class="major"><h2>Interests</h2>'
        f'<div class="bars">{bars}</div></section>'
        '<section id="ranking" class="major"><h2><span class="num">4</span>Ranking</h2>'
        f'<div class="table-scroll"><table class="ranking"><tbody>{rows}</tbody></table></div>'
        "</section>"
        f'<section id="scenarios" class="major"><h2>Scenarios</h2>{sections}</section>'
        '<section id="coherence" class="major"><h2>Coherence</h2>'
        f'<div class="table-scroll"><table class="coh"><tbody>{coh}</tbody></table></div>'
        f'<ul class="classes">{plain}</ul></section>'
        "</body></html>"
    )


def _with_link(note: HtmlElement, text: str) -> None:
    """``note`` reads ``text`` with "{ranking}" as a link to the ranking chapter."""
    assert text_of(note) == " ".join(text.replace("{ranking}", " 4 Ranking ").split())
    (a,) = note.findall("a")
    assert a.get("href") == "#ranking"
    assert text_of(a) == "4 Ranking"


@pytest.mark.parametrize("n", [PDF_DETAIL_MAX + 1, 250])
def test_above_the_limit_the_first_scenarios_keep_heading_and_facts(n: int) -> None:
    root = parse(print_page(_page(n)))
    sections = root.find_class("scenario")
    assert len(sections) == PDF_LIST_MAX
    for k, s in enumerate(sections, start=1):
        assert [c.tag for c in s] == ["h3", "div"]
        assert s.find("h3").text_content().strip() == f"{k}. S{k}"
        assert s.find("div").text_content() == f"Themet{k}"
    (note,) = root.find_class("pdf-condensed")
    count, shown = number(n, "nl"), number(PDF_LIST_MAX, "nl")
    _with_link(note, t("pdf_scenarios_first", "nl", n=count, shown=shown, ranking="{ranking}"))
    assert note.getnext() is sections[0]
    assert "pdf-large" in (root.get("class") or "").split()


@pytest.mark.parametrize("lang", ["en", "nl", "fr"])
def test_the_ranking_stays_whole_and_the_other_lists_keep_their_first_entries(lang: str) -> None:
    n = 250
    root = parse(print_page(_page(n, lang)))
    (ranking,) = root.find_class("ranking")
    assert [text_of(tr.find("td")) for tr in ranking.iter("tr")] == [str(k) for k in range(1, 251)]
    shortened = {
        "legend": root.find_class("legend-list")[0],
        "bars": root.find_class("bars")[0],
        "coherence": root.find_class("coh")[0].find("tbody"),
    }
    expected = t("pdf_list_first", lang, shown=number(PDF_LIST_MAX, lang), n=number(n, lang),
                 ranking="{ranking}")  # fmt: skip
    for what, el in shortened.items():
        entries = [c for c in el if isinstance(c.tag, str)]
        assert [text_of(c.find_class("sc")[0]) for c in entries] == [
            f"S{k}" for k in range(1, PDF_LIST_MAX + 1)
        ], what
        after = el if el.tag != "tbody" else el.getparent().getparent()  # past the table-scroll
        note = after.getnext()
        assert "pdf-shortened" in classes(note), what
        _with_link(note, expected)
    assert len(root.find_class("pdf-shortened")) == 3  # not the ranking, not the plain list
    assert len(root.find_class("classes")[0]) == n  # no scenario links: not a list of scenarios
    # said once at the front too, in the report's language
    (front,) = root.find_class("pdf-large-note")
    edition = t("pdf_large_edition", lang, n=number(n, lang), shown=number(PDF_LIST_MAX, lang),
                ranking="{ranking}")  # fmt: skip
    _with_link(front, edition)
    assert "pdf-toc" in classes(front.getprevious())


def test_up_to_the_limit_everything_stays() -> None:
    n = PDF_DETAIL_MAX
    root = parse(print_page(_page(n)))
    assert not root.find_class("pdf-condensed")
    assert not root.find_class("pdf-shortened")
    assert not root.find_class("pdf-large-note")
    assert "pdf-large" not in (root.get("class") or "").split()
    for k, s in enumerate(root.find_class("scenario"), start=1):
        assert [c.tag for c in s] == ["h3", "div", "table", "p"]
        assert s.find("p").text == f"rationale {k}"
    assert len(root.find_class("legend-list")[0]) == n
    assert len(root.find_class("bars")[0]) == n


def test_the_icons_are_drawn_from_one_image_each() -> None:
    root = parse(print_page(_page(40)))
    assert not [svg for svg in root.iter("svg") if "icon" in classes(svg)]
    spans = [s for s in root.iter("span") if "pdf-icon" in classes(s)]
    assert len(spans) == 40 + 40  # the ranking's and the legend's
    names = {c for s in spans for c in classes(s) if c != "pdf-icon"}
    assert len(names) == 2  # two distinct icons (r=4 and r=3), one image each
    style = next(s for s in root.iter("style") if s.get("id") == "nsra-pdf").text
    found = dict(re.findall(r'span\.(pdf-icon-\d+)::before \{ content: url\("([^"]+)"\)', style))
    assert set(found) == names
    radii = set()
    for url in found.values():
        head, data = url.split(",", 1)
        assert head == "data:image/svg+xml;base64"
        svg = ET.fromstring(base64.b64decode(data))  # well-formed XML, as an image must be
        assert svg.get("viewBox") == "0 0 14 14"
        radii.add(svg[0].get("r"))
    assert radii == {"3", "4"}
