"""The report's new content: chronic risks in their own section and not in the risk diagram or
the ranking, the Dutch report without English where the file has Dutch, and golden files of the
key messages and the methodological annex (nsra.report.key_messages, .chronic, .annex)."""

from __future__ import annotations

import functools
import html
import os
import re
from typing import Any

import yaml

from nsra.engine.compute import compute
from nsra.io.validate import read_assessment
from nsra.report.html import render_report
from tests.helpers import GOLDEN_DIR, ROOT, parse
from tests.report.test_key_messages import HAND

NL_EXAMPLE = ROOT / "examples" / "nl-integrated.yaml"
GOLDEN = GOLDEN_DIR / "report"


@functools.cache
def _hand(lang: str) -> str:
    loaded = parse(HAND)
    return render_report(loaded, compute(loaded.inputs, loaded.method), lang)


@functools.cache
def _example(lang: str) -> str:
    loaded = read_assessment(str(NL_EXAMPLE))
    return render_report(loaded, compute(loaded.inputs, loaded.method), lang)


def _section(page: str, section_id: str) -> str:
    start = page.index(f'<section id="{section_id}"')
    return page[start : page.index("</section>", start) + len("</section>")]


def _visible(page: str) -> str:
    """The text a reader sees: no style, no tags, entities decoded, spaces collapsed."""
    page = re.sub(r"<style.*?</style>", " ", page, flags=re.S)
    page = re.sub(r"<[^>]+>", " ", page)
    return " ".join(html.unescape(page).split())


# -- chronic risks --------------------------------------------------------------------------
def test_chronic_risks_are_not_in_the_diagram_nor_the_ranking() -> None:
    page = _hand("en")
    diagram, ranking = _section(page, "diagram"), _section(page, "ranking")
    for sid in ("attack", "flood", "outage"):
        assert f'href="#sc-{sid}"' in diagram and f'href="#sc-{sid}"' in ranking
    assert "sc-ageing" not in diagram and "sc-ageing" not in ranking
    assert "Ageing" not in _visible(diagram)


def test_chronic_risks_have_their_own_section() -> None:
    section = _section(_hand("nl"), "chronic")
    body = section[section.index("<tbody>") :]
    rows = re.findall(r"<tr>(.*?)</tr>", body, flags=re.S)
    assert len(rows) == 1
    cells = [_visible(c) for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", rows[0], flags=re.S)]
    # title and owner, theme, trend, horizon, impact class (2.2 = C: 9 / 12 = 0.75, class X
    # ... read on the impact classes: 0.75 is between X (0) and A (1): position 0.75, class A)
    assert cells[0] == "Vergrijzing Justice"
    assert cells[1:6] == ["Demografie", "↗ stijgend", "2040", "A beperkt", "0,75"]
    # the bar: all of it physical security (2.2 is under it)
    assert 'aria-label="Fysieke veiligheid: 0,75 (100%)"' in section
    assert "Chronische risico&#39;s" in section


def test_the_dutch_example_has_chronic_risks_in_their_section_only() -> None:
    page = _example("nl")
    chronic = _section(page, "chronic")
    assert "Klimaatverandering op lange termijn" in chronic and "2050" in chronic
    assert "sc-climate-change-long-term" not in _section(page, "diagram")
    assert "sc-climate-change-long-term" not in _section(page, "ranking")


# -- no English in the Dutch report ---------------------------------------------------------
ENGLISH_WORDS = {
    "the", "and", "with", "which", "would", "should", "from", "this", "these", "their", "there",
    "where", "when", "what", "been", "have", "has", "were", "will", "illustrative", "fictitious",
    "analyst", "likelihood", "threat", "threats", "attack", "risk", "risks", "rising", "damage",
    "deaths", "people", "days", "years", "to", "for", "on", "by", "at", "it", "its", "not", "no",
    "version", "serious", "impact of", "weighted",
}  # fmt: skip
"""Everyday English words that are no Dutch words."""

ALLOWED = ("host nation support", "Five Eyes", "Monte Carlo", "IT-")
"""Proper names and terms Dutch texts use in English."""


def _translated_pairs(node: Any) -> list[tuple[str, str]]:
    """Every (English, Dutch) pair of the file's texts given in both."""
    if isinstance(node, list):
        return [p for x in node for p in _translated_pairs(x)]
    if not isinstance(node, dict):
        return []
    here = []
    if {"en", "nl"} <= set(node) and all(isinstance(node[k], str) for k in ("en", "nl")):
        here.append((node["en"], node["nl"]))
    return here + [p for v in node.values() for p in _translated_pairs(v)]


def test_the_dutch_report_shows_no_english_where_the_file_has_dutch() -> None:
    text = _visible(_example("nl"))
    pairs = _translated_pairs(yaml.safe_load(NL_EXAMPLE.read_text(encoding="utf-8")))
    assert len(pairs) > 300  # titles, descriptions, rationales, names, themes ...
    leaked = [en for en, nl in pairs if en != nl and len(en) > 12 and en in text]
    assert leaked == []


def test_the_dutch_report_has_no_english_words() -> None:
    text = _visible(_example("nl"))
    for name in ALLOWED:
        text = text.replace(name, " ")
    words = re.findall(r"[A-Za-z]+(?: of)?", text)
    found = sorted({w for w in words if w.lower() in ENGLISH_WORDS})
    assert found == []
    assert "2019-illustrative" not in text and "illustrative" not in text.lower()


def test_the_leak_test_finds_english() -> None:
    """The test above can fail: an English rationale shows up."""
    page = _example("nl").replace("Tientallen doden", "Tens of deaths")
    text = _visible(page)
    for name in ALLOWED:
        text = text.replace(name, " ")
    assert {w for w in re.findall(r"[A-Za-z]+", text) if w.lower() in ENGLISH_WORDS} == {"deaths"}


# -- golden files ---------------------------------------------------------------------------
def _golden(name: str, got: str) -> None:
    path = GOLDEN / name
    if os.environ.get("NSRA_UPDATE_GOLDEN") == "1":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(got, encoding="utf-8")
    assert got == path.read_text(encoding="utf-8"), f"differs from {path.name}"


def _block(page: str, start: str, end: str) -> str:
    i = page.index(start)
    return page[i : page.index(end, i) + len(end)] + "\n"


def test_golden_key_messages() -> None:
    for lang in ("en", "nl"):
        got = _block(_hand(lang), '<div class="key-messages">', "</table>")
        _golden(f"key-messages-{lang}.html", got)


def test_golden_annex() -> None:
    for lang in ("en", "nl"):
        page = _hand(lang)
        _golden(f"annex-{lang}.html", _section(page, "method") + "\n" + _section(page, "annex"))


def test_the_body_has_no_file_syntax_but_the_annex_keeps_it_for_designers() -> None:
    page = _example("en")
    body = page[: page.index('<section id="annex"')]
    for syntax in ("aggregation.scores", "my-method.yaml", "nsra validate", "X=0, A=1"):
        assert syntax not in body
    assert "aggregation.scores" in _section(page, "annex")


def test_units_are_written_with_class_labels() -> None:
    page = _example("en")
    scenarios = _visible(_section(page, "scenarios"))
    assert "≤ 10 persons" in scenarios or "persons" in scenarios
    annex = _visible(_section(page, "annex"))
    assert "2.1 Fatalities" in annex and "persons" in annex
