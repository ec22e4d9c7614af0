"""The PDF report (nsra.report.pdf), read back with poppler-utils as a reader's viewer would:
every page carries the classification in its header and footer (and nowhere as a band),
"page x of y" is right, the table of contents lists the chapters with the pages they start on,
the bookmarks are the headings, every page renders, none is nearly empty, the fonts are
embedded and nothing is fetched."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from nsra.report.pdf import OfflineFetcher, render_pdf
from tests.report.common import full_report
from tests.report.publishing import (
    A4_H,
    BAND,
    EXAMPLES,
    body,
    chapter_titles,
    label_of,
    nearly_empty_pages,
    needs_poppler,
    pages,
    pdf_file,
    region,
    run,
)

pytestmark = needs_poppler
CASES = [(p, "en") for p in EXAMPLES] + [(EXAMPLES[-1], "nl")]
PAGE_OF = {"en": "Page {i} of {n}", "nl": "Pagina {i} van {n}", "fr": "Page {i} sur {n}"}


@pytest.fixture(scope="module")
def tmp(tmp_path_factory: pytest.TempPathFactory) -> str:
    return str(tmp_path_factory.mktemp("pdf"))


@pytest.mark.parametrize(("path", "lang"), CASES)
def test_every_page_carries_the_classification_in_header_and_footer(
    path: str, lang: str, tmp: str
) -> None:
    pdf = pdf_file(path, lang, tmp)
    n = pages(pdf)
    label = label_of(full_report(path, lang)).upper()
    assert label
    heads = region(pdf, 0, BAND)
    feet = region(pdf, A4_H - BAND, BAND)
    assert len(heads) == len(feet) == n
    for i, (head, foot) in enumerate(zip(heads, feet, strict=True), start=1):
        assert head == label, f"page {i}"
        assert label in foot, f"page {i}"
        assert PAGE_OF[lang].format(i=i, n=n) in foot, f"page {i}: {foot}"
    # never again as a band inside the page: only the cover's list of particulars names it
    for i, text in enumerate(body(pdf), start=1):
        assert " ".join(text.split()).count(label) <= (1 if i == 1 else 0), f"page {i}"


@pytest.mark.parametrize(("path", "lang"), CASES)
def test_the_contents_list_the_chapters_with_the_pages_they_start_on(
    path: str, lang: str, tmp: str
) -> None:
    pdf = pdf_file(path, lang, tmp)
    texts = body(pdf)
    entry = re.compile(r"^\s*(\S.*?)\s*\.{4,}\s*(\d+)\s*$")
    toc = [(m.group(1), int(m.group(2))) for line in "\n".join(texts[:3]).splitlines()
           if (m := entry.match(line))]  # fmt: skip
    titles = chapter_titles(full_report(path, lang))
    assert [t for t, _ in toc] == titles
    assert len(titles) >= 5
    dests = {}
    for line in run("pdfinfo", "-dests", str(pdf)).splitlines()[1:]:
        m = re.match(r"\s*(\d+)\s.*\"(.+)\"$", line)
        if m:
            dests[m.group(2)] = int(m.group(1))
    outline = _outline(pdf)
    for title, page in toc:
        flat = " ".join(texts[page - 1].split())
        assert title in flat, f"{title!r} is not on page {page}"
        assert outline[title] == page  # the bookmark goes to the same page
    assert sorted(p for _, p in toc) == [p for _, p in toc]
    assert toc[0][1] <= 2  # the first chapter follows the cover and the contents
    assert set(dests.values()) <= set(range(1, pages(pdf) + 1))


def _outline(pdf: Path) -> dict[str, int]:
    xml = run("pdftohtml", "-xml", "-i", "-stdout", "-q", str(pdf))
    items = re.findall(r'<item page="(\d+)">(.*?)</item>', xml)
    return {re.sub(r"&amp;", "&", t): int(p) for p, t in items}


@pytest.mark.parametrize(("path", "lang"), CASES[:1])
def test_bookmarks_are_the_title_chapters_and_sections(path: str, lang: str, tmp: str) -> None:
    from nsra.report.markup import parse, text_of

    pdf = pdf_file(path, lang, tmp)
    root = parse(full_report(path, lang))
    wanted = [
        text_of(h)
        for h in root.iter("h1", "h2", "h3")
        if not any(a.tag == "nav" for a in h.iterancestors())  # the page's own contents
    ]
    assert list(_outline(pdf)) == wanted


@pytest.mark.parametrize(("path", "lang"), CASES)
def test_pages_render_and_none_is_nearly_empty(
    path: str, lang: str, tmp: str, tmp_path: Path
) -> None:
    pdf = pdf_file(path, lang, tmp)
    assert nearly_empty_pages(pdf, tmp_path) == []


@pytest.mark.parametrize(("path", "lang"), CASES[:1])
def test_fonts_are_embedded_from_the_font_packages_and_figures_stay_vector(
    path: str, lang: str, tmp: str
) -> None:
    pdf = pdf_file(path, lang, tmp)
    rows = run("pdffonts", str(pdf)).splitlines()[2:]
    assert rows
    for row in rows:
        cols = row.split()
        assert cols[-5] == "yes", row  # embedded
        assert re.search(r"Liberation|DejaVu", cols[0]), row
    assert run("pdfimages", "-list", str(pdf)).splitlines()[2:] == []  # no raster picture
    info = run("pdfinfo", str(pdf))
    assert "Page size:       595.276 x 841.89 pts (A4)" in info
    assert re.search(r"^Title:\s+UK-style national", info, re.M) or "Title:" in info


def test_nothing_is_fetched() -> None:
    page = (
        full_report(EXAMPLES[0], "en")
        .replace(
            "</body>",
            '<img src="http://example.invalid/logo.png" alt="">'
            '<link rel="stylesheet" href="file:///etc/hostname"></body>',
        )
        .replace("<style>", '<style>@import url("https://fonts.example.invalid/x.css");', 1)
    )
    fetcher = OfflineFetcher()
    pdf = render_pdf(page, fetcher=fetcher)
    assert pdf.startswith(b"%PDF")
    assert sorted(fetcher.refused) == [
        "file:///etc/hostname",
        "http://example.invalid/logo.png",
        "https://fonts.example.invalid/x.css",
    ]


def test_examples_ask_for_nothing() -> None:
    fetcher = OfflineFetcher()
    render_pdf(full_report(EXAMPLES[0], "en"), fetcher=fetcher)
    assert fetcher.refused == []


def test_details_open_and_controls_hidden() -> None:
    from nsra.report.pdf import print_page

    page = (
        '<!DOCTYPE html><html lang="fr"><head><title>t</title></head><body>'
        '<div class="classification">Restreint</div><h1>Titre</h1>'
        "<details><summary>Plus</summary><p>caché</p></details><button>Filtrer</button>"
        "<h2>Un</h2><p>a</p><h2>Deux</h2><p>b</p></body></html>"
    )
    ready = print_page(page)
    assert "<details open" in ready
    assert 'class="pdf-toc"' in ready
    pdf = render_pdf(page)
    text = _text(pdf)
    assert "caché" in text
    assert "Filtrer" not in text
    assert "RESTREINT" in text and "Page 1 sur 1" in text


def _text(pdf: bytes) -> str:
    out = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True)
    return out.stdout.decode("utf-8")
