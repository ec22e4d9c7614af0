"""Shared helpers of the PDF and Word tests: the published reports of the examples (cached)
and what poppler-utils reads back from a PDF."""

from __future__ import annotations

import functools
import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from nsra.report.markup import classification, parse, text_of
from tests.report.common import full_report

EXAMPLES = sorted(str(p) for p in Path("examples").glob("*.yaml"))
A4_H = 841.89  # points
BAND = 48.0  # points: the page margin's header and footer boxes (17-18 mm)

needs_poppler = pytest.mark.skipif(
    shutil.which("pdftotext") is None, reason="poppler-utils (pdftotext, pdftoppm) not installed"
)


def run(*args: str) -> str:
    return subprocess.run(args, check=True, capture_output=True, text=True).stdout


@functools.cache
def pdf_file(path: str, lang: str, tmp: str) -> Path:
    from nsra.report.pdf import render_pdf

    target = Path(tmp) / f"{Path(path).stem}-{lang}.pdf"
    target.write_bytes(render_pdf(full_report(path, lang)))
    return target


def pages(pdf: Path) -> int:
    m = re.search(r"^Pages:\s+(\d+)", run("pdfinfo", str(pdf)), re.M)
    assert m is not None
    return int(m.group(1))


def region(pdf: Path, y: float, h: float) -> list[str]:
    """The text of a horizontal band of every page (points from the top), one entry a page."""
    text = run("pdftotext", "-layout", "-x", "0", "-y", str(int(y)), "-W", "600", "-H",
               str(int(h)), str(pdf), "-")  # fmt: skip
    return [" ".join(p.split()) for p in text.split("\f")[:-1]]


def body(pdf: Path) -> list[str]:
    """Each page's text between its header and footer, layout kept (one line a line)."""
    text = run("pdftotext", "-layout", "-x", "0", "-y", str(int(BAND)), "-W", "600", "-H",
               str(int(A4_H - 2 * BAND)), str(pdf), "-")  # fmt: skip
    return text.split("\f")[:-1]


def label_of(page: str) -> str:
    return classification(parse(page))


def chapter_titles(page: str) -> list[str]:
    """The chapters (``h2``), not the heading of the page's own contents list."""
    return [
        text_of(h)
        for h in parse(page).iter("h2")
        if not any(a.tag == "nav" for a in h.iterancestors())
    ]


def nearly_empty_pages(pdf: Path, tmp: Path) -> list[str]:
    """The pages (but the last, which may end where the report ends) whose ink between header
    and footer spans less than 30% of the page and which carry at most 800 characters: "page
    i of n (filled %)" each."""
    n = pages(pdf)
    subprocess.run(["pdftoppm", "-r", "20", "-gray", "-png", str(pdf), str(tmp / "p")],
                   check=True)  # fmt: skip
    pngs = sorted(tmp.glob("p-*.png"))
    assert len(pngs) == n
    texts = body(pdf)
    empty = []
    for i, png in enumerate(pngs[:-1], start=1):
        with Image.open(png) as im:
            w, h = im.size
            top, bottom = int(h * BAND / A4_H), int(h * (1 - BAND / A4_H))
            inner = im.convert("L").crop((0, top, w, bottom))
            ink = np.nonzero(np.asarray(inner).min(axis=1) < 200)[0]
        filled = float(ink[-1] - ink[0]) / inner.height if len(ink) else 0.0
        chars = len("".join(texts[i - 1].split()))
        if not (filled > 0.3 or chars > 800):
            empty.append(f"page {i} of {n} ({filled:.0%})")
    return empty
