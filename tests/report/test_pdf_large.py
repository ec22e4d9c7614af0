"""A large generated assessment (the generator of the benchmarks) end to end: the diagram's
caption names its first serious risks and counts the others; the PDF (the large assessment's
edition) lists every scenario in the ranking, says what it leaves out, and stays short."""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path

import pytest

import nsra
from nsra.i18n import number, t
from nsra.io.validate import Loaded
from nsra.model.text import tr
from nsra.report.markup import parse, text_of
from nsra.report.panels import CAPTION_MAX
from nsra.report.pdf import PDF_LIST_MAX, render_pdf
from tests.helpers import ROOT
from tests.report.publishing import nearly_empty_pages, needs_poppler, pages, run

N = 90


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> tuple[Loaded, str]:
    spec = importlib.util.spec_from_file_location("bench_core", ROOT / "benchmarks/bench_core.py")
    assert spec is not None and spec.loader is not None
    bench_core = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("bench_core", bench_core)  # its dataclasses look their module up
    spec.loader.exec_module(bench_core)
    text, _ = bench_core.generate(N, 7)
    path = Path(tmp_path_factory.mktemp("large")) / "large.yaml"
    path.write_text(text, encoding="utf-8")
    loaded = nsra.read(str(path))
    return loaded, nsra.report_html(loaded, nsra.compute(loaded), None, "en")


def test_the_caption_names_the_first_serious_risks_and_counts_the_others(
    report: tuple[Loaded, str],
) -> None:
    _, page = report
    root = parse(page)
    ranking = root.get_element_by_id("ranking")
    serious = [
        text_of(tr_.find("td")) + " " + text_of(tr_.find_class("sc")[0])
        for tr_ in ranking.iter("tr")
        if tr_.find_class("serious")
    ]
    assert len(serious) > CAPTION_MAX  # the generator's risks are mostly serious
    caption = text_of(root.get_element_by_id("diagram").find(".//figcaption"))
    listed = re.search(r"or higher\): (.*?)\.", caption)
    assert listed is not None
    more = t("and_more", "en", n=number(len(serious) - CAPTION_MAX, "en"))
    assert listed.group(1) == "; ".join(serious[:CAPTION_MAX]) + " " + more


@needs_poppler
def test_the_pdf_lists_every_scenario_and_says_what_it_leaves_out(
    report: tuple[Loaded, str], tmp_path: Path
) -> None:
    loaded, page = report
    pdf = tmp_path / "large.pdf"
    pdf.write_bytes(render_pdf(page))
    text = " ".join(run("pdftotext", str(pdf), "-").split())
    for sc in loaded.assessment.scenarios:  # the ranking: every scenario
        assert tr(sc.title, "en") in text
    shown, n = number(PDF_LIST_MAX, "en"), number(N, "en")
    front = t("pdf_large_edition", "en", n=n, shown=shown, ranking="4 Ranking")
    assert " ".join(front.split()) in text
    note = t("pdf_list_first", "en", shown=shown, n=n, ranking="4 Ranking")
    assert text.count(note) >= 3  # the legend, the bars, the coherence table at least
    assert pages(pdf) < 30
    assert nearly_empty_pages(pdf, tmp_path) == []
