"""The Word report (nsra.report.word), opened again with python-docx: its headings are Word
heading styles at the HTML's levels, its tables real tables with repeating header rows, its
figures embedded pictures with alt text, the classification in every header and footer."""

from __future__ import annotations

import functools
import io

import docx
import pytest
from docx.oxml.ns import qn

from nsra.report.markup import parse, text_of
from nsra.report.word import render_docx
from tests.report.common import full_report
from tests.report.publishing import EXAMPLES

CASES = [(p, "en") for p in EXAMPLES] + [(EXAMPLES[-1], "nl")]


@functools.cache
def document(path: str, lang: str) -> docx.document.Document:
    return docx.Document(io.BytesIO(render_docx(full_report(path, lang))))


def _printed(el: object) -> bool:
    return not any(a.tag == "nav" for a in el.iterancestors())  # type: ignore[attr-defined]


@pytest.mark.parametrize(("path", "lang"), CASES)
def test_headings_are_word_headings_at_the_html_levels(path: str, lang: str) -> None:
    root = parse(full_report(path, lang))
    wanted = [(int(h.tag[1]), text_of(h)) for h in root.iter("h1", "h2", "h3", "h4", "h5", "h6")
              if _printed(h) and text_of(h)]  # fmt: skip
    got = [(int(p.style.name.split()[-1]), p.text) for p in document(path, lang).paragraphs
           if p.style is not None and p.style.name.startswith("Heading ")]  # fmt: skip
    assert got == wanted


@pytest.mark.parametrize(("path", "lang"), CASES)
def test_tables_are_word_tables_with_repeating_header_rows(path: str, lang: str) -> None:
    root = parse(full_report(path, lang))
    html_tables = [t for t in root.iter("table") if _printed(t)]
    doc = document(path, lang)
    tables = list(doc.tables)
    assert len(tables) == len(html_tables)
    for html_t, word_t in zip(html_tables, tables, strict=True):
        head = html_t.find("thead")
        rows = word_t._tbl.tr_lst
        assert len(rows) == len(html_t.findall(".//tr"))
        if head is not None:
            n = len(head.findall("tr"))
            for tr in rows[:n]:
                assert tr.find(qn("w:trPr") + "/" + qn("w:tblHeader")) is not None
            first = [text_of(c) for c in head.iter("th", "td")
                     if c.find(".//svg") is None][:1]  # fmt: skip
            cells = [" ".join(c.text.split()) for c in word_t.rows[0].cells]
            for text in first:
                assert text in cells


@pytest.mark.parametrize(("path", "lang"), CASES)
def test_figures_are_embedded_pictures_with_alt_text(path: str, lang: str) -> None:
    root = parse(full_report(path, lang))
    figures = [s for s in root.iter("svg") if s.get("aria-hidden") != "true"
               and "icon" not in (s.get("class") or "")]  # fmt: skip
    doc = document(path, lang)
    body = doc.element.body
    pictures = list(body.iter(qn("wp:docPr")))
    assert len(pictures) >= len([f for f in figures if f.getparent().tag == "figure"]) > 0
    assert all(p.get("descr") for p in pictures)
    blips = list(body.iter(qn("a:blip")))
    assert len(blips) == len(pictures)
    for blip in blips[:3]:
        part = doc.part.related_parts[blip.get(qn("r:embed"))]
        assert part.blob.startswith(b"\x89PNG")


@pytest.mark.parametrize(("path", "lang"), CASES)
def test_classification_in_every_header_and_footer_with_page_numbers(path: str, lang: str) -> None:
    from tests.report.publishing import label_of

    label = label_of(full_report(path, lang)).upper()
    doc = document(path, lang)
    for section in doc.sections:
        assert section.header.paragraphs[0].text == label
        foot = [p.text for p in section.footer.paragraphs]
        assert foot[0] == label
        codes = [t.text.strip() for t in section.footer._element.iter(qn("w:instrText"))]
        assert codes == ["PAGE", "NUMPAGES"]
        assert section.page_width is not None and section.page_height is not None
        assert round(section.page_width.mm) == 210 and round(section.page_height.mm) == 297
    assert doc.core_properties.language == lang
    assert doc.core_properties.title == text_of(next(parse(full_report(path, lang)).iter("h1")))
    assert doc.paragraphs[0].text or doc.paragraphs[1].text
    assert not any(label == p.text for p in doc.paragraphs)  # no band in the text
