"""The HTML report: renders for every example, stays self-contained, speaks English and Dutch.

No golden file on purpose: dates and versions change. Run from the repository root.
"""

from __future__ import annotations

import functools
import html
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import pytest

from nsra.engine.compute import compute
from nsra.io.results import results_document
from nsra.io.validate import Loaded, parse_assessment, read_assessment
from nsra.model.text import tr
from nsra.report.html import css_string, file_name, render_report
from nsra.report.i18n import LABELS, check_complete, euros, percent

EXAMPLES = sorted(Path("examples").glob("*.yaml"))
SVG_NS = "{http://www.w3.org/2000/svg}"


@functools.cache
def _loaded(path: str) -> Loaded:
    return read_assessment(path)


@functools.cache
def _report(path: str, lang: str = "en") -> str:
    loaded = _loaded(path)
    return render_report(loaded, compute(loaded.inputs, loaded.method), lang)


def _doc(path: str) -> dict[str, object]:
    loaded = _loaded(path)
    return results_document(loaded, compute(loaded.inputs, loaded.method), "en")


class _Tags(HTMLParser):
    """Every start tag with its attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def _tags(page: str) -> list[tuple[str, dict[str, str | None]]]:
    parser = _Tags()
    parser.feed(page)
    return parser.tags


def _diagrams(page: str) -> list[ET.Element]:
    svgs = re.findall(r'<svg class="risk-diagram".*?</svg>', page, flags=re.S)
    return [ET.fromstring(svg) for svg in svgs]


def _markers(svg: ET.Element) -> list[ET.Element]:
    return [g for g in svg.iter(f"{SVG_NS}g") if g.get("class") == "marker"]


def test_there_are_examples() -> None:
    assert EXAMPLES, "run the tests from the repository root (examples/ not found)"


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_report_renders(path: Path) -> None:
    page = _report(str(path))
    assert page.startswith("<!DOCTYPE html>")
    assert page.rstrip().endswith("</html>")
    for section in ("summary", "diagram", "interests", "ranking", "scenarios", "coherence"):
        assert f'id="{section}"' in page


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_report_is_self_contained(path: Path) -> None:
    page = _report(str(path))
    for tag, attrs in _tags(page):
        for name in ("src", "href", "xlink:href", "action", "poster", "data"):
            value = (attrs.get(name) or "").strip().lower()
            assert not value.startswith(("http:", "https:", "//", "ftp:")), (tag, name, value)
        if tag == "script":
            assert "src" not in attrs, "no external scripts"
        if tag == "link":
            assert (attrs.get("rel") or "").lower() != "stylesheet", "no external style sheets"
        if tag in ("img", "iframe", "object", "embed"):
            raise AssertionError(f"unexpected <{tag}> in a self-contained report")
    assert "@import" not in page
    assert not re.search(r"url\(\s*['\"]?(https?:)?//", page), "no external url() in CSS"
    assert "<script" not in page, "the report needs no JavaScript"


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_classification_shown_top_and_bottom(path: Path) -> None:
    page = _report(str(path))
    label = _loaded(str(path)).assessment.classification
    body = page.split("<body>", 1)[1]
    assert body.count(label) >= 2
    assert body.index(label) < body.index('id="summary"')
    assert body.rindex(label) > body.index("<footer>")


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_all_scenario_titles_appear(path: Path) -> None:
    for lang in ("en", "nl"):
        text = html.unescape(_report(str(path), lang))
        for sc in _loaded(str(path)).assessment.scenarios:
            assert tr(sc.title, lang) in text, (lang, sc.id)


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_diagram_is_xml_with_one_marker_per_ranked_scenario(path: Path) -> None:
    page = _report(str(path))
    svgs = _diagrams(page)
    assert svgs, "no risk diagram"
    doc = _doc(str(path))
    scenarios = doc["scenarios"]
    assert isinstance(scenarios, list)
    ranked = {
        s["id"]
        for s in scenarios
        if s["rank"] is not None and s["diagram"]["x"] is not None and s["diagram"]["y"] is not None
    }
    markers = [m for svg in svgs for m in _markers(svg)]
    assert len(markers) == len(ranked)
    assert {m.get("data-id") for m in markers} == ranked
    for m in markers:  # the rank is written in the marker
        text = m.find(f"{SVG_NS}text")
        assert text is not None and text.text == m.get("data-rank")


def test_bnra_diagram_has_a_panel_per_likelihood_scale() -> None:
    path = Path("examples/be-bnra.yaml")
    if not path.exists():
        pytest.skip("no BNRA example")
    svgs = _diagrams(_report(str(path)))
    assert len(svgs) == 2  # DP (non-malicious) and M (malicious) have other classes


def test_levels_table_for_methods_with_intensity_levels() -> None:
    path = Path("examples/be-bnra.yaml")
    if not path.exists():
        pytest.skip("no BNRA example")
    page = _report(str(path))
    assert page.count('<table class="levels">') == len(_loaded(str(path)).assessment.scenarios)
    for word in ("Considerable", "Major", "Extreme", "Indirect probability", "€ "):
        assert word in page


def test_dutch_labels() -> None:
    path = Path("examples/nl-integrated.yaml")
    page = _report(str(path), "nl")
    assert '<html lang="nl">' in page
    for word in (
        "Samenvatting",
        "Risicodiagram",
        "Rangschikking",
        "Waarschijnlijkheid",
        "Samenhang van strategieën en maatregelen",
        "Waar de nationale en de internationale strategie elkaar raken",
        "moedwillig",
        "maart",
    ):
        assert word in page, word
    for english in ("Summary", "Risk diagram", "Ranking", "Where the national"):
        assert english not in page, english
    svg = _diagrams(page)[0]
    texts = {t.text for t in svg.iter(f"{SVG_NS}text")}
    assert "zeer waarschijnlijk" in texts and "catastrofaal" in texts


def test_every_label_exists_in_both_languages() -> None:
    assert check_complete() == []
    for key, texts in LABELS.items():
        assert set(texts) == {"en", "nl"}, key


def test_numbers_are_written_for_people() -> None:
    assert euros(1.2e9, "en") == "€ 1.2 bn"
    assert euros(1.2e9, "nl") == "€ 1,2 mld."
    assert euros(4.5e8, "en") == "€ 450 m"
    assert percent(0.071, "en") == "7.1%"
    assert percent(0.071, "nl") == "7,1%"
    assert percent(0.0003, "en") == "0.03%"


def test_no_absolute_paths() -> None:
    assert file_name("/home/analyst/secret/assessment.yaml") == "assessment.yaml"
    assert file_name("C:\\Users\\analyst\\assessment.yaml") == "assessment.yaml"
    page = _report(str(Path("examples/nl-integrated.yaml").resolve()))
    assert str(Path.cwd()) not in page


def test_text_from_the_file_is_escaped() -> None:
    path = Path("examples/nl-integrated.yaml")
    text = path.read_text(encoding="utf-8")
    hostile = '<script>alert(1)</script> & "quotes" </style>'
    text = re.sub(
        r"^classification: .*$", f"classification: '{hostile}'", text, count=1, flags=re.M
    )
    text = text.replace(
        "en: Jihadist attack on public transport",
        'en: "Jihadist <img src=x onerror=alert(1)> attack"',
        1,
    )
    loaded = parse_assessment(text, "hostile.yaml", base_path=str(path))
    page = render_report(loaded, compute(loaded.inputs, loaded.method), "en")
    assert "<script>" not in page
    assert "<img" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "Jihadist &lt;img src=x onerror=alert(1)&gt; attack" in page
    style = page.split("<style>", 1)[1].split("</style>", 1)[0]
    assert "<" not in style and "</style" not in style
    _diagrams(page)  # still parses as XML


def test_css_string_is_safe() -> None:
    out = str(css_string('A "b" </style> \\ é'))
    assert out.startswith('"') and out.endswith('"')
    assert "<" not in out and '"' not in out[1:-1] and "\\00005C" in out


def test_cli_report_and_lang(tmp_path: Path) -> None:
    target = tmp_path / "r.html"
    run = subprocess.run(
        [sys.executable, "-m", "nsra.cli", "report", "examples/nl-integrated.yaml",
         "-o", str(target), "--lang", "nl"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    page = target.read_text(encoding="utf-8")
    assert "Samenvatting" in page and "Risicodiagram" in page
