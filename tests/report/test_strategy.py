"""The report's strategy section: shown with the Dutch example (and only with strategy data), its
numbers those of the ``nsra-strategy/1`` document, arrows from current to target in the risk
diagram, the network's crossing links, Dutch words in the Dutch report, and accessible markup.

The tests read the page (HTML and SVG) and compare it with the document and the assessment file;
they never call the section's private functions."""

from __future__ import annotations

import functools
import itertools
import math
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from nsra import i18n
from nsra.analysis.strategy.flags import FLAG_KINDS
from nsra.analysis.strategy.run import strategy_analysis
from nsra.engine.compute import compute
from nsra.i18n import t
from nsra.io.strategy_doc import strategy_document
from nsra.io.validate import read_assessment
from nsra.model.text import tr
from nsra.report.html import render_report
from nsra.report.strategy_net import text_width
from tests.report.common import (
    SVG,
    Element,
    loaded,
    money,
    results,
    seen,
    svg_class,
    tree,
)

NL = "examples/nl-integrated.yaml"
UK = "examples/uk-nsra.yaml"
BUDGET = 150e6


@functools.cache
def doc(lang: str, budget: float | None = BUDGET, path: str = NL) -> dict[str, Any]:
    a = loaded(path)
    sa = strategy_analysis(
        a.assessment, a.inputs, a.method, results(path), budget=budget, samples=200, seed=3
    )
    return strategy_document(a, sa, lang)


@functools.cache
def page(lang: str = "en", budget: float | None = BUDGET, path: str = NL) -> str:
    return render_report(loaded(path), results(path), lang, strategy=doc(lang, budget, path))


def section(lang: str = "en", budget: float | None = BUDGET) -> Element:
    return tree(page(lang, budget)).by_id("strategy")


def r(x: float | None, lang: str = "en") -> str:
    """A risk as the section writes it (the method's unit), as read."""
    return "–" if x is None else money(loaded(NL).method, x, lang)


def table(sec: Element, cls: str) -> Element:
    return sec.one("table", cls)


def cells(row: list[Element]) -> list[str]:
    return [c.text() for c in row]


def body_rows(tab: Element) -> list[list[Element]]:
    """Body rows with their row headers (``th``) and cells (``td``) in order."""
    return [
        [c for c in tr.children if isinstance(c, Element) and c.tag in ("th", "td")]
        for tbody in tab.all("tbody")
        for tr in tbody.all("tr")
    ]


# -- shown or not ------------------------------------------------------------------------------
@pytest.mark.parametrize("lang", ["en", "nl"])
def test_the_section_appears_with_the_dutch_example(lang: str) -> None:
    sec = section(lang)
    assert sec.one("h2").text().endswith(t("rep_strategy_title", lang))
    toc = tree(page(lang)).one("nav", "toc")
    assert any(a.attrs.get("href") == "#strategy" for a in toc.all("a"))
    for part in ("states", "developments", "portfolio", "capabilities", "coherence"):
        assert sec.by_id(f"strategy-{part}")


def test_no_section_without_strategy_data() -> None:
    # the UK example has strategies and measures, but no effects, developments or capabilities
    a = loaded(UK).assessment
    assert a.measures and not a.developments and not a.capabilities
    assert not any(m.effects for m in a.measures)
    with_doc = page("en", None, UK)
    assert 'id="strategy"' not in with_doc and 'href="#strategy"' not in with_doc
    # and without a document, not for the Dutch example either
    plain = render_report(loaded(NL), results(NL), "en")
    assert 'id="strategy"' not in plain


def test_no_portfolio_without_a_budget() -> None:
    sec = section("en", None)
    assert not [e for e in sec.iter() if e.attrs.get("id") == "strategy-portfolio"]
    assert not sec.all("table", "st-portfolio")


# -- numbers: exactly those of the document ---------------------------------------------------
@pytest.mark.parametrize("lang", ["en", "nl"])
def test_totals_and_measures_are_the_documents(lang: str) -> None:
    d, sec = doc(lang), section(lang)
    rows = body_rows(table(sec, "st-totals"))
    assert [row[0].text() for row in rows] == [
        t(f"rep_strategy_state_{s}", lang) for s in ("inherent", "current", "target")
    ]
    for row, state in zip(rows, ("inherent", "current", "target"), strict=True):
        assert row[2].text() == r(d["totals"][state], lang)
        assert row[3].text() == str(sum(1 for s in d["scenarios"] if s[state]["serious"]))
    tab = table(sec, "st-measures")
    shown = {tr.attrs["data-id"]: tr for tb in tab.all("tbody") for tr in tb.all("tr")}
    assert set(shown) == {m["id"] for m in d["measures"]}
    owners = {m.id: m.owners for m in loaded(NL).assessment.measures}
    orgs = {o.id: o.name for o in loaded(NL).assessment.organisations}
    for m in d["measures"]:
        tr_ = shown[m["id"]]
        row = [c for c in tr_.children if isinstance(c, Element) and c.tag in ("th", "td")]
        assert row[0].text().startswith(m["title"])
        assert row[1].text() == t(f"rep_strategy_status_{m['status']}", lang)
        lead = m["lead"] or (owners[m["id"]][0] if len(owners[m["id"]]) == 1 else None)
        want = t("rep_strategy_no_lead", lang) if lead is None else orgs[lead]
        assert row[2].text() == tr(want, lang)
        assert row[3].text() == seen(i18n.euros(m["cost"], lang))
        assert cells(row[4:]) == [
            r(m["marginal"], lang),
            r(m["alone"], lang),
            r(m["marginal_per_million"], lang),
            r(m["alone_per_million"], lang),
        ]
    # highest risk removed alone first
    order = [tr.attrs["data-id"] for tb in tab.all("tbody") for tr in tb.all("tr")]
    alone = {m["id"]: m["alone"] for m in d["measures"]}
    assert [alone[i] for i in order] == sorted(alone.values(), reverse=True)


def test_developments_are_the_documents() -> None:
    d, sec = doc("en"), section("en")
    rows = body_rows(table(sec, "st-devs"))
    expected = []
    for dev in d["developments"]:
        raises = sorted(dev["raises"], key=lambda x: (not x["direct"], -x["risk_added"]))
        for k, x in enumerate(raises):
            lead = [dev["title"]] if k == 0 else []
            before, after = x["before"], x["after"]
            expected.append(
                [
                    *lead,
                    t("rep_strategy_direct" if x["direct"] else "rep_strategy_cascade", "en"),
                    f"{before['rank'] or '–'} → {after['rank'] or '–'}",
                    f"{before['likelihood']}/{before['impact']} → "
                    f"{after['likelihood']}/{after['impact']}",
                    r(x["risk_added"]),
                    f"{r(x['risk_added_interval'][0])} – {r(x['risk_added_interval'][-1])}",
                    seen(i18n.percent(x["serious_share"], "en")),
                ]
            )
    assert [cells(row)[-6:] for row in rows] == [e[-6:] for e in expected]
    # the development's name heads its rows
    heads = [row[0].text() for row in rows if row[0].tag == "th"]
    assert [h.split(t("rep_strategy_kind_geopolitical", "en"))[0] for h in heads[:1]] == [
        d["developments"][0]["title"]
    ]
    values = [e.text() for e in sec.all("div", "st-bars")[0].all("span") if "tot" in e.classes]
    totals = sorted((x["risk_added"] for x in d["developments"]), reverse=True)
    assert values == [r(x) for x in totals]


def test_exposure_bars_are_the_documents() -> None:
    d, sec = doc("en"), section("en")
    bars = [b for b in sec.all("span") if "exp" in b.classes]
    exposed = sorted(
        (s for s in d["scenarios"] if s["exposure"] > 0),
        key=lambda s: (-s["exposure"], s["current"]["rank"]),
    )
    assert [b.attrs["aria-label"] for b in bars] == [
        f"{s['title']}: {i18n.percent(s['exposure'], 'en')}" for s in exposed
    ]
    for b, s in zip(bars, exposed, strict=True):
        inner = b.one("span").attrs["style"]
        width = float(re.search(r"width:([\d.]+)%", inner).group(1))  # type: ignore[union-attr]
        assert width == pytest.approx(max(s["exposure"] * 100, 0.8), abs=0.01)


def test_portfolio_is_the_documents() -> None:
    d, sec = doc("en"), section("en")
    p = d["portfolio"]
    rows = body_rows(table(sec, "st-portfolio"))
    titles = {m["id"]: m["title"] for m in d["measures"]}
    share = p["robustness"]["share"]
    by_title = {row[0].text(): row for row in rows}
    assert set(by_title) == {titles[m] for m in p["candidates"]}
    for mid in p["candidates"]:
        row = by_title[titles[mid]]
        yes, no = f"✓ {t('yes', 'en')}", t("no", "en")
        assert row[3].text() == (yes if mid in p["best"]["measures"] else no)
        assert row[4].text() == (yes if mid in p["greedy"]["measures"] else no)
        assert row[5].text() == seen(i18n.percent(share[mid], "en"))
        bar = row[5].one("span", "rob")
        assert bar.attrs["aria-label"] == t(
            "rep_strategy_share_bar", "en", share=i18n.percent(share[mid], "en")
        )
    kpis = [k.one("div", "v").text() for k in sec.all("div", "kpi")]
    assert kpis == [r(p["best"]["risk_removed"]), r(p["greedy"]["risk_removed"])]


def test_capability_gaps_are_the_documents() -> None:
    d, sec = doc("en"), section("en")
    caps = d["capabilities"]
    rows = body_rows(table(sec, "st-gaps"))
    assert [row[-1].text() for row in rows] == [r(g["risk_open"]) for g in caps["gaps"]]
    assert [row[3].text() for row in rows] == [
        t(f"rep_strategy_adequacy_{g['adequacy']}", "en") for g in caps["gaps"]
    ]
    agenda = [b for b in sec.all("span") if "cap" in b.classes]
    titles = {c.id: tr(c.title, "en") for c in loaded(NL).assessment.capabilities}
    assert [b.attrs["aria-label"] for b in agenda] == [
        f"{titles[c['id']]}: {r(c['risk_open'])}" for c in caps["ranking"]
    ]


def test_flags_and_matrix_are_the_documents() -> None:
    d, sec = doc("en"), section("en")
    lists = sec.all("ul", "st-flags")
    shown = [(ul.attrs["data-kind"], li.text()) for ul in lists for li in ul.all("li")]
    assert sorted(shown) == sorted((f["kind"], seen(f["message"])) for f in d["flags"])
    mx = d["matrix"]
    rows = body_rows(table(sec, "by-interest"))
    for row, values in zip(rows, mx["risk_addressed_by_interest"], strict=True):
        assert cells(row[1:]) == [r(x) if x > 0 else "–" for x in values]
    rows = body_rows(table(sec, "by-scenario"))
    ranks = {s["id"]: s["current"]["rank"] for s in d["scenarios"]}
    # unranked scenarios (rank 0: no likelihood, such as chronic risks) come last
    order = sorted(
        range(len(mx["scenarios"])),
        key=lambda j: (ranks[mx["scenarios"][j]] == 0, ranks[mx["scenarios"][j]]),
    )
    for row, j in zip(rows, order, strict=True):
        want = []
        for k in range(len(mx["strategies"])):
            n = mx["measures"][k][j]
            want.append(
                f"{r(mx['risk_removed'][k][j])}{t('rep_strategy_n_measures', 'en', n=n)}"
                if n
                else "–"
            )
        assert cells(row[2:]) == want


# -- the risk diagram with arrows -------------------------------------------------------------
def _svg(sec_html: str, cls: str) -> list[ET.Element]:
    found = re.findall(rf'<svg class="{cls}".*?</svg>', sec_html, flags=re.S)
    return [ET.fromstring(s) for s in found]


def _section_html(lang: str = "en") -> str:
    text = page(lang)
    return text[text.index('<section id="strategy"') :]


def _axis_maps(svg: ET.Element) -> tuple[Any, Any]:
    """Class positions -> pixels, read off the diagram's axis ticks (each class code is written
    at the middle of its class) and the method's scales."""
    m = loaded(NL).method
    lik = m.scale(m.likelihood.scale_for(False).scale)
    imp = m.scale(m.diagram.impact_classes)

    def ticks(cls: str) -> list[tuple[str, float, float]]:
        (g,) = [g for g in svg.iter(f"{SVG}g") if cls in svg_class(g)]
        return [
            (e.text or "", float(e.get("x", "0")), float(e.get("y", "0")))
            for e in g.iter(f"{SVG}text")
            if e.get("font-weight") == "700"
        ]

    xs = [(lik.first_index + lik.codes.index(c), x) for c, x, _ in ticks("x-ticks")]
    ys = [(imp.first_index + imp.codes.index(c), y - 4) for c, _, y in ticks("y-ticks")]
    (i0, x0), (i1, x1) = xs[0], xs[-1]
    (j0, y0), (j1, y1) = ys[0], ys[-1]

    def px(pos: float) -> float:
        return x0 + (pos - i0) * (x1 - x0) / (i1 - i0)

    def py(pos: float) -> float:
        return y0 + (pos - j0) * (y1 - y0) / (j1 - j0)

    return px, py


def _centre(g: ET.Element) -> tuple[float, float]:
    """The centre of a marker group's shape (the last shape; the first is its halo)."""
    marker = [c for c in g if c.tag.removeprefix(SVG) in ("circle", "rect", "polygon")][-1]
    tag = marker.tag.removeprefix(SVG)
    if tag == "circle":
        return float(marker.get("cx", "0")), float(marker.get("cy", "0"))
    if tag == "rect":
        return (
            float(marker.get("x", "0")) + float(marker.get("width", "0")) / 2,
            float(marker.get("y", "0")) + float(marker.get("height", "0")) / 2,
        )
    pts = [tuple(map(float, p.split(","))) for p in (marker.get("points") or "").split()]
    return sum(p[0] for p in pts) / len(pts), sum(p[1] for p in pts) / len(pts)


def test_arrows_go_from_current_to_target() -> None:
    d = doc("en")
    (svg,) = _svg(_section_html(), "risk-diagram")
    by_id = {s["id"]: s for s in d["scenarios"]}
    x_of, y_of = _axis_maps(svg)

    def px(state: dict[str, Any]) -> tuple[float, float]:
        return x_of(state["likelihood_position"]), y_of(state["impact_position"])

    markers = {g.get("data-id"): g for g in svg.iter(f"{SVG}g") if "marker" in svg_class(g)}
    leaders = {
        g.get("data-for"): g
        for lead in svg.iter(f"{SVG}g")
        if "leaders" in svg_class(lead)
        for g in lead
    }
    # markers sit at today's positions (or point there when moved aside), numbered by today's
    # rank
    assert set(markers) == {s["id"] for s in d["scenarios"] if s["current"]["rank"]}
    for sid, g in markers.items():
        assert g.get("data-rank") == str(by_id[sid]["current"]["rank"])
        here = px(by_id[sid]["current"])
        if sid in leaders:
            dot = leaders[sid].find(f"{SVG}circle")
            assert dot is not None
            exact = (float(dot.get("cx", "0")), float(dot.get("cy", "0")))
            assert exact == pytest.approx(here, abs=0.15)
        else:
            assert math.dist(_centre(g), here) <= 2.6, sid

    arrows = {g.get("data-for"): g for g in svg.iter(f"{SVG}g") if "move" in svg_class(g)}
    for sid, s in by_id.items():
        if not s["current"]["rank"]:  # unranked (a chronic risk): not in the diagram
            assert sid not in arrows and sid not in markers
            continue
        (x0, y0), (x1, y1) = px(s["current"]), px(s["target"])
        if math.hypot(x1 - x0, y1 - y0) <= 21.5:
            assert sid not in arrows
            continue
        g = arrows[sid]
        path, head = g.find(f"{SVG}path"), g.find(f"{SVG}polygon")
        assert path is not None and head is not None
        start = [float(v) for v in re.findall(r"-?\d+\.?\d*", path.get("d", ""))[:2]]
        tip = [float(v) for v in (head.get("points") or "").split()[0].split(",")]
        assert tip == pytest.approx([x1, y1], abs=0.15)
        # the arrow leaves the marker on the line from the current position to the target
        ux, uy = (x1 - x0), (y1 - y0)
        norm = math.hypot(ux, uy)
        along = ((start[0] - x0) * ux + (start[1] - y0) * uy) / norm
        across = ((start[0] - x0) * uy - (start[1] - y0) * ux) / norm
        assert along == pytest.approx(15.5, abs=0.2) and abs(across) < 0.2
    assert set(arrows) <= set(by_id)
    assert arrows, "the example has planned measures that move a risk"
    # the inherent position: a faint ring with a dotted line to the marker
    rings = {
        g.get("data-for"): g for b in svg.iter(f"{SVG}g") if "before" in svg_class(b) for g in b
    }
    for sid, g in rings.items():
        ring = g.find(f"{SVG}circle")
        assert ring is not None
        cx, cy = float(ring.get("cx", "0")), float(ring.get("cy", "0"))
        assert (cx, cy) == pytest.approx(px(by_id[sid]["inherent"]), abs=0.15)


# -- the network ----------------------------------------------------------------------------
def test_the_network_marks_the_links_that_cross() -> None:
    a = loaded(NL).assessment
    d = doc("en")
    scope = {s.id: s.scope for s in a.strategies}
    sphere: dict[str, str] = {f"strategy:{s.id}": s.scope for s in a.strategies}
    sphere |= {f"measure:{m.id}": scope[m.strategy] for m in a.measures}
    origin = {"internal": "national", "external": "international", "both": "both"}
    sphere |= {f"scenario:{s.id}": origin[s.domain] for s in a.scenarios}
    sphere |= {f"development:{x.id}": "international" for x in a.developments}
    want = {(f"strategy:{m.strategy}", f"measure:{m.id}") for m in a.measures}
    want |= {(f"measure:{m.id}", f"scenario:{s}") for m in a.measures for s in m.scenarios}
    want |= {
        (f"development:{x['id']}", f"scenario:{y['scenario']}")
        for x in d["developments"]
        for y in x["raises"]
    }
    (svg,) = _svg(_section_html(), "strategy-network")
    links = [g for g in svg.iter(f"{SVG}g") if "link" in svg_class(g)]
    got = {(g.get("data-source"), g.get("data-target")): g for g in links}
    assert set(got) == want and len(links) == len(want)
    crossing = 0
    for (s, t_), g in got.items():
        a_, b_ = sphere[s], sphere[t_]  # type: ignore[index]
        crosses = "both" not in (a_, b_) and a_ != b_
        crossing += crosses
        path = g.find(f"{SVG}path")
        assert path is not None
        assert ("crossing" in svg_class(g)) == crosses
        # its own colour and its own dash pattern: never colour alone
        assert (path.get("stroke-dasharray") is not None) == crosses
        assert (path.get("stroke") == "#B3261E") == crosses
    assert crossing > 0
    legend = " ".join(e.text or "" for e in svg.iter(f"{SVG}text"))
    assert t("rep_strategy_net_link_crosses", "en") in legend
    assert t("rep_strategy_net_link_within", "en") in legend
    desc = svg.find(f"{SVG}desc")
    assert desc is not None
    assert desc.text == t(
        "rep_strategy_net_desc",
        "en",
        strategies=len(a.strategies),
        measures=len(a.measures),
        scenarios=len(a.scenarios),
        developments=len(a.developments),
        links=len(want),
        crossing=crossing,
    )


def test_network_labels_are_whole_and_boxes_do_not_overlap() -> None:
    (svg,) = _svg(_section_html(), "strategy-network")
    nodes = [g for g in svg.iter(f"{SVG}g") if "node" in svg_class(g)]
    boxes = []
    for g in nodes:
        rect = g.find(f"{SVG}rect")
        title = g.find(f"{SVG}title")
        assert rect is not None and title is not None
        x, y = float(rect.get("x", "0")), float(rect.get("y", "0"))
        w, h = float(rect.get("width", "0")), float(rect.get("height", "0"))
        boxes.append((x, y, w, h, g.get("data-column")))
        lines = g.findall(f"{SVG}text")
        assert y + 5 + 13.5 * len(lines) <= y + h + 0.01
        words = "".join(e.text or "" for e in lines)
        # the whole title is in the box (never cut off; lines break at spaces and hyphens)
        label = (title.text or "").split(": ", 1)[1].rsplit(" (", 1)[0]

        def bare(text: str) -> str:  # a long word may be broken with a hyphen added
            return "".join(text.split()).replace("-", "")

        assert bare(words) == bare(label), words
        # and each line fits its box (estimated generously, see text_width)
        for e in lines:
            assert text_width(e.text or "") <= w - 5 - 17 - 5 + 0.01, e.text
    for i, (_, y, _, h, c) in enumerate(boxes):
        for _, y2, _, h2, c2 in boxes[i + 1 :]:
            if c == c2:
                assert y + h <= y2 or y2 + h2 <= y, "boxes overlap"


# -- words -----------------------------------------------------------------------------------
SAME_IN_DUTCH = {
    "rep_strategy_state_inherent",
    "rep_strategy_col_status",
    "rep_strategy_col_interval",
}


def test_every_kind_of_flag_has_a_heading() -> None:
    for kind in FLAG_KINDS:
        assert i18n.has(f"rep_strategy_flags_{kind}"), kind


def test_the_dutch_report_speaks_dutch() -> None:
    keys = [k for k in i18n.english() if k.startswith("rep_strategy_")]
    assert len(keys) > 100
    for k in keys:
        for lang in ("nl", "fr"):
            assert k in i18n.translated(lang), f"{lang}:{k} not translated"
        if k not in SAME_IN_DUTCH:
            assert t(k, "nl") != t(k, "en"), k
    text = section("nl").text()
    for k in keys:
        english = i18n.english()[k]
        if k not in SAME_IN_DUTCH and len(english) > 14 and "{" not in english:
            assert english not in text, f"English {k!r} in the Dutch report"
    sec = section("nl")
    headings = [h.text() for h in sec.all("h3")]
    assert headings == [
        t(k, "nl")
        for k in (
            "rep_strategy_states_title",
            "rep_strategy_dev_title",
            "rep_strategy_pf_title",
            "rep_strategy_cap_title",
            "rep_strategy_coh_title",
        )
    ]


# -- accessibility ----------------------------------------------------------------------------
@pytest.mark.parametrize("lang", ["en", "nl"])
def test_headings_tables_and_pictures_are_accessible(lang: str) -> None:
    sec = section(lang)
    # headings in order: never a level skipped on the way down
    levels = [int(e.tag[1]) for e in sec.iter() if re.fullmatch(r"h[1-6]", e.tag)]
    assert levels[0] == 2
    for a, b in itertools.pairwise(levels):
        assert b <= a + 1, levels
    for tab in sec.all("table"):
        assert tab.one("caption").text(), "a table without a caption"
        for th in tab.one("thead").all("th"):
            assert th.attrs.get("scope") in ("col", "colgroup"), th.text()
        for tb in tab.all("tbody"):
            for th in tb.all("th"):
                assert th.attrs.get("scope") in ("row", "rowgroup"), th.text()
    for region in sec.all("div", "st-scroll"):
        assert region.attrs.get("role") == "region" and region.attrs.get("tabindex") == "0"
        assert region.attrs.get("aria-label")
    for fig in sec.all("figure"):
        assert fig.one("figcaption").text()
    html = _section_html(lang)
    pictures = [ET.fromstring(s) for s in re.findall(r"<svg\b.*?</svg>", html, flags=re.S)]
    pictures = [p for p in pictures if p.get("aria-hidden") != "true"]
    assert {p.get("class") for p in pictures} == {"risk-diagram", "strategy-network"}
    ids = re.findall(r'(?<![-\w])id="([^"]+)"', page(lang))
    assert len(ids) == len(set(ids)), "ids must be unique in the page"
    for p in pictures:
        assert p.get("role") == "img" and p.get("aria-label")
        desc = p.find(f"{SVG}desc")
        assert desc is not None and desc.text
        assert p.get("aria-describedby") == desc.get("id")
        # text at least 11 px at 1280 px wide: the page is 1004 px wide there
        width = float((p.get("viewBox") or "").split()[2])
        scale = 1004 / width
        for e, size in _font_sizes(p, float(p.get("font-size", "16"))):
            assert size * scale >= 11 - 1e-9, (e.text, size)


def _font_sizes(e: ET.Element, inherited: float) -> list[tuple[ET.Element, float]]:
    size = float(e.get("font-size", inherited))
    out = [(e, size)] if e.tag == f"{SVG}text" else []
    for c in e:
        out += _font_sizes(c, size)
    return out


# -- the command -------------------------------------------------------------------------------
def test_cli_report_has_the_strategy_section(tmp_path: Path) -> None:
    target = tmp_path / "r.html"
    run = subprocess.run(
        [sys.executable, "-m", "nsra.cli", "report", NL, "-o", str(target), "--lang", "nl",
         "--no-analysis", "--budget", "150M", "--strategy-samples", "100"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    html = target.read_text(encoding="utf-8")
    sec = tree(html).by_id("strategy")
    assert sec.by_id("strategy-portfolio")
    assert t("rep_strategy_pf_intro", "nl").split("{")[0] in sec.text()
    bad = tmp_path / "bad.html"
    run = subprocess.run(
        [sys.executable, "-m", "nsra.cli", "report", NL, "-o", str(bad), "--budget", "lots"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert run.returncode != 0 and not bad.exists()
    assert "amount in euros" in run.stdout + run.stderr
    uk = tmp_path / "uk.html"
    run = subprocess.run(
        [sys.executable, "-m", "nsra.cli", "report", UK, "-o", str(uk), "--no-analysis"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    assert 'id="strategy"' not in uk.read_text(encoding="utf-8")


def test_text_from_the_file_is_escaped(tmp_path: Path) -> None:
    hostile = '<script>alert(1)</script> & \\"quoted\\"'
    text = Path(NL).read_text(encoding="utf-8")
    text = text.replace(
        "en: Further escalation between Russia and NATO", f'en: "{hostile} development"'
    ).replace("en: Social resilience and dialogue programme", f'en: "{hostile} measure"')
    path = tmp_path / "hostile.yaml"
    path.write_text(text, encoding="utf-8")
    a = read_assessment(str(path))
    res = compute(a.inputs, a.method)
    sa = strategy_analysis(a.assessment, a.inputs, a.method, res, budget=BUDGET, samples=0)
    html = render_report(a, res, "en", strategy=strategy_document(a, sa, "en"))
    assert "<script>" not in html
    sec = tree(html).by_id("strategy")
    plain = '<script>alert(1)</script> & "quoted"'
    assert f"{plain} development" in sec.text() and f"{plain} measure" in sec.text()
    (svg,) = _svg(html[html.index('<section id="strategy"') :], "strategy-network")
    titles = [e.text or "" for e in svg.iter(f"{SVG}title")]
    assert any(f"{plain} development" in x for x in titles)
