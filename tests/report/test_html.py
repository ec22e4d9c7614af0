"""The HTML report: renders for every example, stays self-contained, speaks each language of
nsra (English, Dutch, French).

No golden file on purpose: dates and versions change. Run from the repository root.
"""

from __future__ import annotations

import functools
import html
import math
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any, cast

import pytest
import yaml

from nsra import i18n
from nsra.analysis.pipeline import AnalysisOptions, analyse
from nsra.engine.compute import Results, compute
from nsra.i18n import check_complete, euros, percent, period, t
from nsra.io.analysis_results import analysis_document
from nsra.io.contract import AnalysisDoc, ResultsDoc
from nsra.io.results import results_document
from nsra.io.validate import Loaded, parse_assessment, read_assessment
from nsra.model.method import ClassScale, Method
from nsra.model.text import tr
from nsra.report.analyses import robustness_state
from nsra.report.html import css_string, file_name, render_report
from nsra.report.panels import CAPTION_MAX
from tests.helpers import EXAMPLES as REPORT_EXAMPLES
from tests.helpers import METHODS_DIR, NL_BASE, ROOT, example_id, parse, run_cli
from tests.report import common
from tests.report.common import Element, header_texts, seen, table_rows, tree

EXAMPLES = sorted(Path("examples").glob("*.yaml"))
SVG_NS = "{http://www.w3.org/2000/svg}"


@functools.cache
def _loaded(path: str) -> Loaded:
    return read_assessment(path)


@functools.cache
def _report(path: str, lang: str = "en") -> str:
    loaded = _loaded(path)
    return render_report(loaded, compute(loaded.inputs, loaded.method), lang)


def _doc(path: str) -> ResultsDoc:
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
    for lang in i18n.LANGS:
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


def test_every_label_is_translated() -> None:
    assert check_complete() == []


def test_numbers_are_written_for_people() -> None:
    assert euros(1.2e9, "en") == "€ 1.2 bn"
    assert euros(1.2e9, "nl") == "€ 1,2 mld."
    assert euros(4.5e8, "en") == "€ 450 m"
    assert percent(0.071, "en") == "7.1%"
    assert percent(0.071, "nl") == "7,1%"
    assert percent(0.0003, "en") == "0.03%"
    # French: CLDR's no-break space before "%" and narrow no-break space between thousands
    assert euros(1.2e9, "fr") == "€ 1,2 Md"
    assert euros(1.5e12, "fr") == "€ 1\u202f500 Md"
    assert percent(0.071, "fr") == "7,1\u00a0%"
    assert percent(0.0, "fr") == "0\u00a0%" and percent(1e-6, "fr") == "<0,01\u00a0%"


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


# -- the analyses in the report ----------------------------------------------------------------
SMALL = AnalysisOptions(seed=1, samples=500, years=500)
ANALYSIS_SECTIONS = {
    "uncertainty": "robustness",
    "sensitivity": "drivers",
    "network": "network",
    "cascades": "cascades",
}


def run_analyses(loaded: Loaded, results: Results, options: AnalysisOptions) -> AnalysisDoc:
    """The analysis document of an assessment, as ``nsra analyse`` writes it."""
    return analysis_document(loaded, results, analyse(loaded, results, options))


@functools.cache
def _analysis(path: str) -> AnalysisDoc:
    loaded = _loaded(path)
    return run_analyses(loaded, compute(loaded.inputs, loaded.method), SMALL)


@functools.cache
def _full_report(path: str, lang: str = "en") -> str:
    loaded = _loaded(path)
    return render_report(loaded, compute(loaded.inputs, loaded.method), lang, _analysis(path))


def _svgs(page: str) -> list[ET.Element]:
    """Every inline SVG of the page, parsed as XML (none is nested in another)."""
    return [ET.fromstring(svg) for svg in re.findall(r"<svg\b.*?</svg>", page, flags=re.S)]


def _svg_class(page: str, cls: str) -> list[ET.Element]:
    return [svg for svg in _svgs(page) if svg.get("class") == cls]


def _smaa_for(path: str) -> dict[str, Any]:
    """A hand-made SMAA section: scenario k mostly at rank k, one never first."""
    loaded = _loaded(path)
    ids = [sc.id for sc in loaded.assessment.scenarios]
    doc = _doc(path)
    scenarios = doc["scenarios"]
    assert isinstance(scenarios, list)
    rank = {s["id"]: s["rank"] or 0 for s in scenarios}
    s = len(ids)
    entries = []
    for sid in ids:
        r = rank[sid] - 1
        b = [0.0] * s
        b[r] = 0.9
        b[(r + 1) % s] = 0.07
        b[(r + 2) % s] = 0.03  # below 5%: shaded, but no number
        entries.append(
            {
                "id": sid,
                "rank_acceptability": b,
                "rank_acceptability_se": [0.001] * s,
                "central_weights": None if r else {"x": 1.0},
                "confidence": 0.875 if r == 0 else None,
                "confidence_se": 0.01 if r == 0 else None,
                "holistic": 0.5,
                "holistic_se": 0.01,
            }
        )
    return {
        "samples": 1000,
        "seed": 7,
        "weights": "uniform",
        "criteria": [c.id for c in loaded.method.criteria],
        "scenarios": entries,
        "pairwise_winning": [[0.5] * s for _ in range(s)],
    }


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_analysis_sections_render(path: Path) -> None:
    analysis = _analysis(str(path))
    page = _full_report(str(path))
    for part, section in ANALYSIS_SECTIONS.items():
        assert (f'id="{section}"' in page) == (part in analysis), (part, section)
    assert ('id="smaa"' in page) == ("smaa" in analysis)  # the heat map only with SMAA
    for section in ("summary", "diagram", "interests", "ranking", "scenarios", "coherence"):
        assert f'id="{section}"' in page
    # sections are numbered in order, whichever are present
    numbers = [int(n) for n in re.findall(r'<h2><span class="num">(\d+)</span>', page)]
    assert numbers == list(range(1, len(numbers) + 1))
    assert "Monte Carlo with 500 draws" in page


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_analysis_svgs_parse_and_show_every_scenario(path: Path) -> None:
    page = _full_report(str(path))
    svgs = _svgs(page)  # every SVG of the page is well-formed XML
    assert len(svgs) > 10
    doc = _doc(str(path))
    scenarios = doc["scenarios"]
    assert isinstance(scenarios, list)
    ranked = {s["id"] for s in scenarios if s["rank"] is not None}
    # the uncertainty diagram: one box per ranked scenario, markers as in the risk diagram
    boxes = [
        rect.get("data-id")
        for svg in _svg_class(page, "risk-diagram")
        for rect in svg.iter(f"{SVG_NS}rect")
        if rect.get("class") == "box"
    ]
    assert set(boxes) == ranked and len(boxes) == len(ranked)
    assert len(_svg_class(page, "mini-diagram")) == len(ranked)
    # one rank strip per ranked scenario
    assert len(_svg_class(page, "strip")) == len(ranked)
    analysis = _analysis(str(path))
    if "network" in analysis:
        (net,) = _svg_class(page, "network")
        nodes = [g for g in net.iter(f"{SVG_NS}g") if "node" in (g.get("class") or "").split()]
        assert {g.get("data-id") for g in nodes} == {n["id"] for n in analysis["network"]["nodes"]}
        links = [g for g in net.iter(f"{SVG_NS}g") if "link" in (g.get("class") or "").split()]
        assert len(links) == len(analysis["network"]["edges"])
        hubs = analysis["network"]["summary"]["hubs"]
        ringed = {g.get("data-id") for g in nodes if "hub" in (g.get("class") or "").split()}
        assert ringed == set(hubs["out_strength"]) | set(hubs["betweenness"])
        crossing = [g for g in links if "crossing" in (g.get("class") or "").split()]
        assert len(crossing) == analysis["network"]["summary"]["crossing_links"]


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_report_with_analyses_is_self_contained(path: Path) -> None:
    page = _full_report(str(path))
    assert "<script" not in page
    for tag, attrs in _tags(page):
        for name in ("src", "href", "xlink:href"):
            value = (attrs.get(name) or "").strip().lower()
            assert not value.startswith(("http:", "https:", "//")), (tag, name, value)
        assert tag not in ("img", "iframe", "object", "embed")


def test_sensitivity_labels_use_criterion_names() -> None:
    path = "examples/nl-integrated.yaml"
    page = html.unescape(_full_report(path))
    drivers = page.split('id="drivers"', 1)[1].split("</section>", 1)[0]
    assert "Likelihood estimate" in drivers
    assert "Estimate: Fatalities" in drivers or "Weight: Fatalities" in drivers
    assert "score 2.1" not in drivers and "weight 2.1" not in drivers
    assert "Its place in the ranking" in drivers


def test_profiles_table_marks_changes() -> None:
    path = "examples/nl-integrated.yaml"
    analysis = _analysis(path)
    page = _full_report(path)
    block = page.split('id="profiles"', 1)[1].split("</table>", 1)[0]
    assert len(re.findall(r'<th scope="col" class="c', block)) >= len(
        analysis["profiles"]["profiles"]
    )
    if analysis["profiles"]["changes_rank"]:
        assert "▲" in block or "▼" in block


def test_cascade_table_with_levels() -> None:
    path = "examples/be-bnra.yaml"
    page = _full_report(path)
    block = page.split('id="cascades"', 1)[1].split("</section>", 1)[0]
    for word in ("Considerable", "Extreme", "One-step estimate", "€ "):
        assert word in block, word


def test_smaa_heat_map_from_a_hand_made_section() -> None:
    path = "examples/uk-nsra.yaml"
    loaded = _loaded(path)
    analysis = cast(AnalysisDoc, {**_analysis(path), "smaa": _smaa_for(path)})
    page = render_report(loaded, compute(loaded.inputs, loaded.method), "en", analysis)
    assert 'id="smaa"' in page
    table = page.split('<table class="heat', 1)[1].split("</table>", 1)[0]
    rows = re.findall(r"<tr>\s*<td class=\"num\"><strong>(\d+)</strong>(.*?)</tr>", table, re.S)
    s = len(loaded.assessment.scenarios)
    assert [int(r) for r, _ in rows] == list(range(1, s + 1))  # by central rank
    for rank, row in rows:
        cells = re.findall(r'<td class="hm( central)?" style="background:(#[0-9A-F]{6});[^"]*"'
                           r'[^>]*>(\d*)</td>', row)  # fmt: skip
        assert len(cells) == s
        texts = [text for _, _, text in cells]
        assert sorted(t for t in texts if t) == ["7", "90"]  # 3% is shaded but not written
        central = [n for n, (c, _, _) in enumerate(cells) if c]
        assert central == [int(rank) - 1]
        assert cells[int(rank) - 1][1] != "#FFFFFF"  # 90%: a dark cell
        blank = [bg for _, bg, text in cells if not text]
        assert "#FFFFFF" in blank  # 0: white
    assert "87.5%" in table or "88%" in table  # confidence factor of the first
    assert table.count('<td class="num">–</td>') == s - 1  # never first: no confidence
    assert "50%" in table  # holistic acceptability


def test_no_analysis_leaves_the_sections_out() -> None:
    page = _report("examples/nl-integrated.yaml")
    for section in ("robustness", "drivers", "network", "cascades"):
        assert f'id="{section}"' not in page
    assert "not run" in page


def test_dutch_analysis_labels() -> None:
    page = html.unescape(_full_report("examples/nl-integrated.yaml", "nl"))
    for word in (
        "Hoe robuust is de rangschikking?",
        "Risicodiagram met onzekerheid",
        "Hoe ver elk scenario in de rangschikking kan verschuiven",
        "Wat elk risico bepaalt",
        "Dreigingsnetwerk",
        "Cascades: hoe vaak dreigingen elkaar opvolgen",
        "Inschatting waarschijnlijkheid",
        "Knooppunten",
        "Interne dreigingen",
        "trekkingen",
    ):
        assert word in page, word
    for english in ("How robust", "What drives", "Threat network", "Likelihood estimate", "Hubs"):
        assert english not in page, english


def test_robustness_states() -> None:
    assert robustness_state(3, 5, 20) == "firm"
    assert robustness_state(3, 8, 20) == "moderate"
    assert robustness_state(1, 15, 20) == "uncertain"
    assert robustness_state(1, 1, 1) == "firm"


def test_hostile_titles_are_escaped_in_the_analyses() -> None:
    path = Path("examples/nl-integrated.yaml")
    text = path.read_text(encoding="utf-8").replace(
        "en: Armed conflict on NATO's eastern border",
        'en: "Armed <b>conflict</b> & \\"war\\""',
        1,
    )
    loaded = parse_assessment(text, "hostile.yaml", base_path=str(path))
    results = compute(loaded.inputs, loaded.method)
    options = AnalysisOptions(seed=1, samples=200, years=200, sensitivity=False)
    page = render_report(loaded, results, "en", run_analyses(loaded, results, options))
    assert "<b>conflict</b>" not in page
    assert "Armed &lt;b&gt;conflict&lt;/b&gt;" in page
    _svgs(page)  # every SVG still parses


def test_cli_report_runs_the_analyses_unless_told_not_to(tmp_path: Path) -> None:
    base = [sys.executable, "-m", "nsra.cli", "report", "examples/uk-nsra.yaml"]
    with_analyses, without = tmp_path / "a.html", tmp_path / "b.html"
    run = subprocess.run(
        [*base, "-o", str(with_analyses), "--samples", "200", "--years", "100", "--seed", "3"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    page = with_analyses.read_text(encoding="utf-8")
    assert 'id="robustness"' in page and 'id="drivers"' in page
    assert "Monte Carlo with 200 draws (seed 3)" in page
    run = subprocess.run(
        [*base, "-o", str(without), "--no-analysis"], capture_output=True, text=True, check=False
    )
    assert run.returncode == 0, run.stderr
    page = without.read_text(encoding="utf-8")
    assert 'id="robustness"' not in page and 'id="drivers"' not in page


# -- the report's numbers, against the engine's results ----------------------------------------
# Every number is read from the page (the output) and compared with the engine's arrays,
# written with the number formats of nsra.i18n; classes and the serious-risk rule are worked
# out in tests/report/common.py from the positions, not taken from the report's data.
LANGS = i18n.LANGS


def _label(scale: ClassScale, code: str, lang: str) -> str:
    """The label of a class code in ``lang`` ("" for none)."""
    cls = next(c for c in scale.classes if c.code == code)
    return tr(cls.label, lang) if cls.label else ""


def _level_label(method: Method, n: int, lang: str) -> str:
    return tr(method.intensity_levels[n].label, lang) if method.intensity_levels else ""


def _own_months(method: Method, malicious: bool) -> float:
    """The period a likelihood scale's probabilities are about: its own for a probability
    scale, the time basis for a return period."""
    spec = method.likelihood.scale_for(malicious)
    if spec.quantity == "probability" and spec.period_months is not None:
        return spec.period_months
    return method.likelihood.time_basis_months


def _columns(table: Element, method: Method, lang: str, malicious: bool = False) -> dict[str, int]:
    """Column index of every column of a ranking table (of malicious threats or not), found by
    its heading."""
    basis = method.likelihood.time_basis_months
    monetised = method.aggregation.kind == "monetised"
    unit = method.aggregation.total_unit
    if monetised:
        total = t("col_total_eur", lang)
        risk = t("col_risk_eur", lang, period=period(basis, lang, bare=True))
    else:
        total = (
            t("col_total_unit", lang, unit=tr(unit, lang)) if unit else t("col_total_score", lang)
        )
        risk = t("col_risk_score", lang)
    wanted = {
        "rank": t("col_rank", lang),
        "likelihood": t("col_likelihood", lang),
        "probability": t(
            "col_probability", lang, period=period(_own_months(method, malicious), lang)
        ),
        "impact_class": t("col_impact_class", lang),
        "total": total,
        "risk": risk,
        "analysts": t("col_analysts", lang),
        "malicious": t("col_malicious", lang),
    }
    if method.intensity_levels:
        wanted["level"] = t("col_level_shown", lang)
    heads = header_texts(table)
    out = {key: heads.index(text) for key, text in wanted.items()}
    out["scenario"] = next(n for n, h in enumerate(heads) if h.startswith(t("col_scenario", lang)))
    return out


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("path", REPORT_EXAMPLES, ids=example_id)
def test_ranking_table_rows_are_the_computed_results(path: Path, lang: str) -> None:
    _check_ranking(common.report(str(path), lang), str(path), lang)


def test_cli_report_ranks_under_the_profile_asked_for(tmp_path: Path) -> None:
    path = ROOT / "examples" / "nl-integrated.yaml"
    profile = "physical-first"
    assert [e.rank for e in common.expected(str(path), profile)] != [
        e.rank for e in common.expected(str(path))
    ], "the profile should change the ranking"
    target = tmp_path / "r.html"
    run = run_cli("report", str(path), "-o", str(target), "--no-analysis", "--lang", "nl",
                  "--profile", profile)  # fmt: skip
    assert run.returncode == 0, run.stderr
    _check_ranking(target.read_text(encoding="utf-8"), str(path), "nl", profile)


def _check_ranking(page: str, p: str, lang: str, profile: str | None = None) -> None:
    """Every row of the ranking table against the results computed under ``profile``."""
    a = common.loaded(p)
    m = a.method
    scenarios = a.assessment.scenarios
    tables = tree(page).by_id("ranking").all("table", "ranking")
    # chronic risks have their own section, not a row of the ranking
    want = [
        e
        for e in common.by_rank(common.expected(p, profile))
        if scenarios[e.index].kind != "chronic"
    ]
    # one table per likelihood scale the method uses (non-malicious first), each in rank order
    by_table = _by_scale(want, m, scenarios)
    for table, group in zip(tables, by_table, strict=True):
        _check_table(table, group, m, scenarios, lang)


def _by_scale(items: list[common.Expected], m: Method, scenarios: Any) -> list[list[Any]]:
    """``items`` in one group, or, when malicious and non-malicious threats use different
    likelihood scales, non-malicious then malicious (each kept in order)."""
    scales = {m.likelihood.scale_for(sc.malicious).scale for sc in scenarios}
    if len(scales) == 1:
        return [items]
    split = [[e for e in items if scenarios[e.index].malicious == flag] for flag in (False, True)]
    return [g for g in split if g]


def _check_table(
    table: Element, want: list[common.Expected], m: Method, scenarios: Any, lang: str
) -> None:
    rows = table_rows(table)
    assert len(rows) == len(want)
    malicious = scenarios[want[0].index].malicious
    col = _columns(table, m, lang, malicious)
    basis = m.likelihood.time_basis_months
    for row, e in zip(rows, want, strict=True):
        sc = scenarios[e.index]
        cell = [c.text() for c in row]
        assert cell[col["rank"]] == ("–" if e.rank is None else str(e.rank)), e.id
        link = row[col["scenario"]].one("a", "sc")
        assert link.text() == tr(sc.title, lang)
        assert link.attrs["href"] == f"#sc-{sc.id}"
        badges = row[col["scenario"]].all("span", "serious")
        assert len(badges) == int(e.serious), (e.id, "serious badge")
        assert cell[col["malicious"]] == t("yes" if sc.malicious else "no", lang)
        if "level" in col:
            assert cell[col["level"]] == _level_label(m, e.level, lang), e.id
        lik = common.lik_scale(m, sc.malicious)
        lo, hi = common.class_code(e.x_low, lik), common.class_code(e.x_high, lik)
        spread = lo if lo == hi else f"{lo}–{hi}"
        assert cell[col["likelihood"]] == f"{common.class_code(e.x, lik)} ({spread})", e.id
        # the probability over the period of the scenario's own likelihood scale (Poisson)
        own = _own_months(m, sc.malicious)
        p_own = (
            e.probability if math.isnan(e.probability) else 1 - (1 - e.probability) ** (own / basis)
        )
        assert cell[col["probability"]] == common.prob(p_own, lang), e.id
        assert cell[col["impact_class"]] == common.class_code(e.y, common.imp_scale(m)), e.id
        assert cell[col["total"]] == common.money(m, e.total, lang), (e.id, "total impact")
        assert cell[col["risk"]] == common.money(m, e.risk, lang), (e.id, "risk")
        assert row[col["risk"]].one("strong").text() == cell[col["risk"]]  # the risk stands out
        assert cell[col["analysts"]] == str(len({x.analyst for x in sc.estimates}))


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("path", REPORT_EXAMPLES, ids=example_id)
def test_summary_counts_and_top_five(path: Path, lang: str) -> None:
    p = str(path)
    a = common.loaded(p)
    m = a.method
    scenarios = a.assessment.scenarios
    want = common.expected(p)
    summary = tree(common.report(p, lang)).by_id("summary")
    kpis = {k.one("div", "l").text(): k.one("div", "v").text() for k in summary.all("div", "kpi")}
    domains = [sc.domain for sc in scenarios]
    assert kpis[t("kpi_scenarios", lang)] == str(len(scenarios))
    assert kpis[t("kpi_internal", lang)] == str(domains.count("internal"))
    assert kpis[t("kpi_external", lang)] == str(domains.count("external"))
    assert kpis[t("kpi_both", lang)] == str(domains.count("both"))
    n_serious = sum(e.serious for e in want)
    assert kpis[t("kpi_serious", lang)] == str(n_serious)
    # the sentence under the figures says the same number
    key = {0: "summary_serious_none", 1: "summary_serious_one"}.get(n_serious, "summary_serious")
    imp = common.imp_scale(m)
    code = imp.codes[math.ceil(m.diagram.serious_from) - imp.first_index]
    sentence = t(key, lang, n=n_serious, code=code, label=_label(imp, code, lang))
    assert sentence in summary.text()

    # the headline lists: one per likelihood scale (non-malicious first), serious risks first,
    # then by rank; at most five each
    lists = summary.all("ol", "top")
    ranked = [e for e in common.by_rank(want) if e.rank is not None]
    groups = _by_scale(ranked, m, scenarios)
    assert len(lists) == len(groups)
    for ol, group in zip(lists, groups, strict=True):
        top = ol.all("li")
        chosen = sorted(group, key=lambda e: (not e.serious, e.rank))[:5]
        assert [li.one("span", "rk").text() for li in top] == [str(e.rank) for e in chosen]
        for li, e in zip(top, chosen, strict=True):
            sc = scenarios[e.index]
            assert li.one("a", "sc").text() == tr(sc.title, lang)
            assert len(li.all("span", "serious")) == int(e.serious), e.id
            lik = common.lik_scale(m, sc.malicious)
            lik_code, imp_code = common.class_code(e.x, lik), common.class_code(e.y, imp)
            lik_text = f"{_label(lik, lik_code, lang)} ({lik_code})"
            imp_text = f"{_label(imp, imp_code, lang)} ({imp_code})"
            line = t("top_line", lang, lik=lik_text, imp=imp_text)
            if m.intensity_levels:
                line += "; " + t("at_level", lang, level=_level_label(m, e.level, lang).lower())
            assert seen(line) in li.one("div", "d").text(), e.id
    # and the report says what the order means
    assert seen(t("top_order", lang, code=code)) in summary.text()


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("path", REPORT_EXAMPLES, ids=example_id)
def test_scenario_sections_show_the_computed_results(path: Path, lang: str) -> None:
    p = str(path)
    a = common.loaded(p)
    m = a.method
    r = common.results(p)
    page = tree(common.report(p, lang))
    sections = page.by_id("scenarios").all("section", "scenario")
    want = common.by_rank(common.expected(p))
    assert [s.attrs["id"] for s in sections] == [f"sc-{e.id}" for e in want]
    for section, e in zip(sections, want, strict=True):
        sc = a.assessment.scenarios[e.index]
        h3 = section.one("h3")
        assert h3.one("span", "rk").text() == f"{'–' if e.rank is None else e.rank}."
        assert len(h3.all("span", "serious")) == int(e.serious), e.id
        facts = {
            f.one("span", "k").text(): f.text().removeprefix(f.one("span", "k").text()).strip()
            for f in section.one("div", "facts").child_elements("div")
        }
        risk = common.money(m, e.risk, lang)
        if m.intensity_levels:
            risk += f" ({_level_label(m, e.level, lang).lower()})"
        assert facts[t("risk", lang)] == risk, e.id
        assert facts[t("lv_i_total", lang)] == common.money(m, e.total, lang), e.id
        if sc.kind == "chronic":  # assessed on its impact over time: no likelihood to show
            assert facts[t("likelihood", lang)] == "– · –", e.id
        else:
            lik = common.lik_scale(m, sc.malicious)
            assert facts[t("likelihood", lang)].startswith(common.class_code(e.x, lik) + " ")
            own = _own_months(m, sc.malicious)
            p_own = 1 - (1 - e.probability) ** (own / m.likelihood.time_basis_months)
            over = t("over_period", lang, period=period(own, lang))
            assert facts[t("likelihood", lang)].endswith(
                " · " + common.prob(p_own, lang) + " " + seen(over)
            ), e.id
        assert facts[t("col_impact_class", lang)].split()[0] == common.class_code(
            e.y, common.imp_scale(m)
        )
        levels = section.all("table", "levels")
        if not m.intensity_levels:
            assert levels == []
            continue
        # per intensity level: direct, indirect and total probability and impact, and risk
        (table,) = levels
        rows = table_rows(table)
        assert len(rows) == len(m.intensity_levels)
        s = e.index
        for n, row in enumerate(rows):
            cell = [c.text() for c in row]
            shown = f"{_level_label(m, n, lang)} ({t('lv_shown', lang)})"
            assert cell[0] == (shown if n == e.level else _level_label(m, n, lang)), (e.id, n)
            x, y = float(r.likelihood_position[s, n]), float(r.impact_position[s, n])
            assert cell[1] == common.class_code(x, lik), (e.id, n)
            assert cell[2:5] == [
                common.prob(float(r.direct_probability[s, n]), lang),
                common.prob(float(r.indirect_probability[s, n]), lang),
                common.prob(float(r.total_probability[s, n]), lang),
            ], (e.id, n, "probabilities")
            assert cell[5:8] == [
                common.money(m, float(r.direct_impact[s, n]), lang),
                common.money(m, float(r.indirect_impact[s, n]), lang),
                common.money(m, float(r.total_impact[s, n]), lang),
            ], (e.id, n, "impacts")
            assert cell[8] == common.class_code(y, common.imp_scale(m)), (e.id, n)
            assert cell[9] == common.money(m, float(r.level_risk[s, n]), lang), (e.id, n)


@pytest.mark.parametrize("path", REPORT_EXAMPLES, ids=example_id)
def test_impact_bars_split_each_scenarios_impact_by_interest(path: Path) -> None:
    p = str(path)
    a = common.loaded(p)
    m = a.method
    r = common.results(p)
    counted = m.cascades is not None and m.cascades.include_in_risk
    rows = tree(common.report(p)).by_id("interests").all("div", "bar-row")
    want = common.by_rank(common.expected(p))
    assert len(rows) == len(want)
    labels = [tr(i.label, "en") for i in m.interests]
    for row, e in zip(rows, want, strict=True):
        assert row.one("a", "sc").attrs["href"] == f"#sc-{e.id}"
        parts = [
            (label, float(v))
            for label, v in zip(labels, r.interest_impact[e.index, e.level], strict=True)
            if v > 0
        ]
        indirect = float(r.indirect_impact[e.index, e.level]) if counted else 0.0
        if indirect > 0:
            parts.append((t("indirect_part", "en"), indirect))
        whole = sum(v for _, v in parts)
        segments = row.one("div", "bar").all("span")
        assert [s.attrs["title"].split(":")[0] for s in segments] == [x for x, _ in parts]
        for s, (_, v) in zip(segments, parts, strict=True):
            width = float(re.search(r"width:([\d.]+)%", s.attrs["style"]).group(1))  # type: ignore[union-attr]
            assert width == pytest.approx(100 * v / whole, abs=0.006), e.id
        if whole > 0:
            assert row.one("span", "tot").text() == common.money(m, e.total, "en")


def test_a_scenario_nobody_assessed_is_shown_unranked() -> None:
    base, cascades = NL_BASE.split("cascades:")
    quiet = (
        "  - id: quiet\n    title: Quiet threat\n    theme: other\n    domain: external\n"
        "    malicious: false\n    owner: jenv\n"
    )
    loaded = parse(base + quiet + "cascades:" + cascades)
    results = compute(loaded.inputs, loaded.method)
    assert results.rank.tolist()[2] == 0
    page = render_report(loaded, results, "en")
    root = tree(page)
    table = root.by_id("ranking").one("table", "ranking")
    col = _columns(table, loaded.method, "en")
    rows = table_rows(table)
    assert [r[col["scenario"]].one("a", "sc").text() for r in rows][-1] == "Quiet threat"
    last = [c.text() for c in rows[-1]]
    for key in ("rank", "probability", "impact_class", "total", "risk"):
        assert last[col[key]] == "–", key
    assert last[col["likelihood"]] == "– (–)"
    assert [r[col["rank"]].text() for r in rows[:2]] == ["1", "2"]
    markers = [g.get("data-id", "") for svg in _diagrams(page) for g in _markers(svg)]
    assert sorted(markers) == ["attack", "flood"]
    assert "Quiet threat" in root.by_id("summary").text().split(t("not_ranked", "en"), 1)[1]
    assert root.by_id("sc-quiet").one("h3").one("span", "rk").text() == "–."
    assert "Quiet threat" not in root.by_id("summary").one("ol", "top").text()


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("path", REPORT_EXAMPLES, ids=example_id)
def test_diagram_key_and_caption(path: Path, lang: str) -> None:
    """Under the diagram: every ranked scenario with its classes, and the serious ones named."""
    p = str(path)
    a = common.loaded(p)
    m = a.method
    section = tree(common.report(p, lang)).by_id("diagram")
    ranked = [e for e in common.by_rank(common.expected(p)) if e.rank is not None]
    items = section.one("ul", "legend-list").all("li")
    assert len(items) == len(ranked)
    imp = common.imp_scale(m)
    for li, e in zip(items, ranked, strict=True):
        sc = a.assessment.scenarios[e.index]
        assert li.one("span", "rk").text() == str(e.rank)
        assert li.one("a", "sc").text() == tr(sc.title, lang)
        lik = common.class_code(e.x, common.lik_scale(m, sc.malicious))
        classes = f"{lik} / {common.class_code(e.y, imp)}"
        if m.intensity_levels:
            classes += f", {_level_label(m, e.level, lang).lower()}"
        assert li.one("span", "muted").text() == f"({classes})", e.id
    # serious by impact (class at least serious_from) and, below it, by the red zone: the
    # caption never lists a zone risk under "impact class C or higher"
    floor = math.ceil(m.diagram.serious_from)

    def named(es: list[common.Expected]) -> str:
        shown = "; ".join(
            f"{e.rank} {tr(a.assessment.scenarios[e.index].title, lang)}" for e in es[:CAPTION_MAX]
        )
        more = len(es) - CAPTION_MAX
        return shown if more <= 0 else f"{shown} {t('and_more', lang, n=i18n.number(more, lang))}"

    by_impact = [e for e in ranked if e.serious and math.floor(e.y + 0.5) >= floor]
    by_zone = [e for e in ranked if e.serious and math.floor(e.y + 0.5) < floor]
    code = imp.codes[floor - imp.first_index]
    caption = section.one("figcaption").text()
    head = t("diagram_serious", lang, code=code, list="").split(":")[0]
    if by_impact:
        assert t("diagram_serious", lang, code=code, list=named(by_impact)) in caption
    else:
        assert head not in caption
    if by_zone:
        assert t("diagram_serious_zone", lang, code=code, list=named(by_zone)) in caption
    for e in by_zone:  # the impact list does not name them
        title = tr(a.assessment.scenarios[e.index].title, lang)
        assert f"{e.rank} {title}" not in caption.split(head, 1)[-1].split(".")[0]


def test_a_label_not_yet_translated_reads_in_english(monkeypatch: pytest.MonkeyPatch) -> None:
    """A language added to nsra before every label is translated shows English for the rest."""
    monkeypatch.setattr(i18n, "LANGS", (*i18n.LANGS, "xx"))
    real = i18n.translated
    monkeypatch.setattr(
        i18n, "translated", lambda lang: {"methods": "Methodes"} if lang == "xx" else real(lang)
    )
    i18n.labels.cache_clear()
    try:
        assert i18n.t("methods", "xx") == "Methodes"
        assert i18n.t("and", "xx") == "and"
        assert i18n.labels("xx")["method"] == "Method"
        assert i18n.t("methods", "nl") == "Methoden"
        assert i18n.t("methods", "de") == "Methods"  # not a language of nsra: English
    finally:
        i18n.labels.cache_clear()


# -- French: the Belgian example as a French-speaking analyst reads it --------------------------
BE_EXAMPLE = "examples/be-bnra.yaml"
BELGIAN_FILES = [METHODS_DIR / "be-bnra-2023.yaml", ROOT / BE_EXAMPLE]


def test_the_belgian_report_in_french_speaks_french() -> None:
    """nsra's own words from the French catalogue, the method's and the assessment's texts in
    their French, dates and numbers the French way; none of the method's English left."""
    a = common.loaded(BE_EXAMPLE)
    m = a.method
    page = common.full_report(BE_EXAMPLE, "fr")
    doc = tree(page)
    text = doc.one("body").text()
    assert '<html lang="fr">' in page
    # nsra's words: French, not the English they fall back to
    assert doc.by_id("summary").one("h2").text() == "1" + t("sec_summary", "fr") == "1Résumé"
    for key in ("sec_diagram", "sec_ranking", "sec_robust", "sec_network", "sec_coherence"):
        assert t(key, "fr") != t(key, "en") and seen(t(key, "fr")) in text, key
    # the method's words, exactly as the method file gives them in French
    dp = next(s for s in m.scales if s.id == "dp")
    assert tr(dp.classes[1].label, "fr") == "une fois tous les 300 à 3\u202f000 ans"
    assert seen(tr(dp.classes[1].label, "fr")) in text
    assert [tr(i.label, "fr") for i in m.interests] == [
        "Humain",
        "Sociétal",
        "Environnemental",
        "Financier",
    ]
    levels = [tr(lv.label, "fr") for lv in m.intensity_levels]
    assert levels == ["Considérable", "Majeur", "Extrême"]
    for label in [*levels, *(tr(i.label, "fr") for i in m.interests)]:
        assert label in text, label
    for c in m.criteria:
        assert tr(c.label, "fr") in text, c.id
        assert tr(c.label, "en") not in text, c.id
    assert tr(m.name, "fr") in text and tr(m.name, "en") not in text
    # the assessment's words
    for sc in a.assessment.scenarios:
        assert tr(sc.title, "fr") in text and tr(sc.title, "en") not in text, sc.id
    # CLDR: French month, French numbers
    assert "16 mars 2026" in text
    # (the example's Hb value of 3500 for the chemical accident, in the method's French unit)
    assert "3\u202f500 personnes (pondérées selon la gravité)" in page
    assert t("lv_p_total", "fr") in text and re.search(r"\d,\d\u00a0%", page)


@pytest.mark.parametrize("path", BELGIAN_FILES, ids=lambda p: p.name)
def test_every_dutch_text_of_the_belgian_files_is_also_in_french(path: Path) -> None:
    """Belgian users work in Dutch and in French: a text given in Dutch is given in French too."""

    def texts(node: object, where: str) -> Iterator[tuple[str, dict[str, object]]]:
        if isinstance(node, dict):
            if "en" in node or "nl" in node:
                yield where, node
            for key, value in node.items():
                yield from texts(value, f"{where}.{key}")
        elif isinstance(node, list):
            for n, value in enumerate(node):
                yield from texts(value, f"{where}[{n}]")

    found = list(texts(yaml.safe_load(path.read_text(encoding="utf-8")), path.name))
    dutch = [(where, text) for where, text in found if "nl" in text]
    assert len(dutch) >= 30, "the walk found the texts"
    missing = [where for where, text in dutch if not str(text.get("fr") or "").strip()]
    assert missing == []
