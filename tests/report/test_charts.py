"""The small charts of the analysis sections (nsra.report.charts): rank strips, their axis and
key, the heat-map shades and the threat network. Coordinates worked out by hand.

A rank strip is 300 px wide with 9 px padding, so place ``r`` of ``n`` is drawn at
``9 + (r - 1) / (n - 1) * 282``: for n = 5 the places 1..5 are at 9, 79.5, 150, 220.5, 291.
"""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET

import pytest

from nsra.i18n import LANGS, t
from nsra.report.charts import (
    CASCADE_COLOUR,
    CROSS_COLOUR,
    HUB_COLOUR,
    REINFORCE_COLOUR,
    STATE_COLOURS,
    NetEdge,
    NetNode,
    network_diagram,
    rank_axis,
    rank_strip,
    shade,
    strip_key,
)
from nsra.report.contrast import contrast
from nsra.report.diagram import DOMAIN_COLOURS
from tests.report.common import SVG, centre, groups, path_numbers, shapes, svg_class


def _children(svg: ET.Element, tag: str) -> list[ET.Element]:
    return [c for c in svg if c.tag == f"{SVG}{tag}"]


# -- rank strips -------------------------------------------------------------------------------
def test_rank_strip_draws_the_interval_median_and_central_rank() -> None:
    svg = ET.fromstring(rank_strip(2, 3, 4, 3, 5, "moderate", "Flood: rank 3, 2–4"))
    assert svg.get("class") == "strip" and svg.get("role") == "img"
    assert svg.get("aria-label") == "Flood: rank 3, 2–4"
    (bar,) = _children(svg, "rect")
    assert [bar.get(k) for k in ("x", "y", "width", "height")] == ["79.5", "5.5", "141.0", "9"]
    assert bar.get("fill") == bar.get("stroke") == STATE_COLOURS["moderate"]
    paths = [path_numbers(p.get("d", "")) for p in _children(svg, "path")]
    baseline, ticks, median = paths
    assert baseline == [("M", [9.0, 10.0]), ("H", [291.0])]
    assert [xy[0] for cmd, xy in ticks if cmd == "M"] == [9.0, 79.5, 150.0, 220.5, 291.0]
    assert median == [("M", [150.0, 3.5]), ("V", [16.5])]
    (dot,) = _children(svg, "circle")
    assert (dot.get("cx"), dot.get("cy")) == ("150.0", "10.0")


def test_rank_strip_central_rank_apart_from_the_median() -> None:
    # n = 11: place r at 9 + (r - 1) * 28.2
    svg = ET.fromstring(rank_strip(1, 2, 6, 4, 11, "uncertain", "x"))
    (bar,) = _children(svg, "rect")
    assert (bar.get("x"), bar.get("width")) == ("9.0", "141.0")
    assert bar.get("fill") == STATE_COLOURS["uncertain"]
    median = path_numbers(_children(svg, "path")[-1].get("d", ""))
    assert median[0] == ("M", [37.2, 3.5])
    (dot,) = _children(svg, "circle")
    assert dot.get("cx") == "93.6"


def test_a_narrow_interval_still_shows() -> None:
    svg = ET.fromstring(rank_strip(1, 1, 1, 1, 5, "firm", "x"))
    (bar,) = _children(svg, "rect")
    assert (bar.get("x"), bar.get("width")) == ("5.0", "8.0")  # 8 px around place 1 (9)
    one = ET.fromstring(rank_strip(1, 1, 1, 1, 1, "firm", "x"))  # a single scenario: the middle
    assert _children(one, "circle")[0].get("cx") == "150.0"


def test_rank_strip_without_central_rank_or_ticks() -> None:
    svg = ET.fromstring(rank_strip(3, 10, 20, None, 41, "moderate", "x"))
    assert _children(svg, "circle") == []
    assert (
        len(_children(svg, "path")) == 2
    )  # no tick marks for more than 40 places: baseline, median


@pytest.mark.parametrize(
    ("n", "ticks"),
    [
        (5, [(1, 9.0), (2, 79.5), (3, 150.0), (4, 220.5), (5, 291.0)]),
        (22, [(1, 9.0), (5, 62.7), (10, 129.9), (15, 197.0), (22, 291.0)]),  # 20: too near 22
        (100, [(r, round(9 + (r - 1) / 99 * 282, 1)) for r in (1, *range(10, 101, 10))]),
    ],
)
def test_rank_axis_ticks(n: int, ticks: list[tuple[int, float]]) -> None:
    svg = ET.fromstring(rank_axis(n, "nl"))
    assert svg.get("role") == "img" and svg.get("aria-label") == t("rank_axis", "nl", n=n)
    texts = _children(svg, "text")
    assert [x.text for x in texts[:2]] == [t("rank_axis_high", "nl"), t("rank_axis_low", "nl")]
    assert [(int(x.text or ""), float(x.get("x", ""))) for x in texts[2:]] == ticks


@pytest.mark.parametrize("lang", LANGS)
def test_strip_key_names_its_marks(lang: str) -> None:
    # two items, each a small picture (hidden from screen readers) and its words as text, so
    # that the key wraps on a phone instead of widening the page
    key = ET.fromstring(f"<div>{strip_key(lang)}</div>")
    items = list(key)
    assert [x.get("class") for x in items] == ["strip-key-item", "strip-key-item"]
    for item, words in zip(
        items, (t("strip_central", lang), t("strip_interval", lang)), strict=True
    ):
        (svg,) = list(item)
        assert svg.get("aria-hidden") == "true"
        assert (svg.tail or "").strip() == words
        assert not list(svg.iter(f"{SVG}text"))


# -- heat-map shades ---------------------------------------------------------------------------
def test_shades() -> None:
    assert shade(0.0) == ("#FFFFFF", "#1B2430")
    assert shade(1.0) == ("#1F4E79", "#FFFFFF")
    # square-root scale: a quarter is half way, (255 + 31) / 2, (255 + 78) / 2, (255 + 121) / 2
    assert shade(0.25) == ("#8FA6BC", "#1B2430")
    assert shade(-0.5) == shade(0.0) and shade(2.0) == shade(1.0)
    # every shade keeps its text at WCAG AA contrast (4.5:1): mid-tones where neither ink
    # would reach it are darkened until white text does
    for k in range(101):
        bg, fg = shade(k / 100)
        assert contrast(bg, fg) >= 4.5, (k, bg, fg)
    values = [k / 20 for k in range(21)]
    darkness = [sum(int(shade(v)[0][i : i + 2], 16) for i in (1, 3, 5)) for v in values]
    # darker means more often; only the mid-tones that take the same lightest AA-safe shade tie
    assert darkness == sorted(darkness, reverse=True)
    assert len(set(darkness)) >= len(darkness) - 2


# -- the threat network ------------------------------------------------------------------------
BAND = (900 - 2 * 16) / 3  # internal 16..305.3, both 305.3..594.7, external 594.7..884


def _node(id_: str, domain: str, rank: int | None = 1, hub: bool = False) -> NetNode:
    return NetNode(
        id=id_,
        label=f"Threat {id_}",
        rank=rank,
        domain=domain,
        malicious=domain == "external",
        hub=hub,
        tooltip=f"{rank}. Threat {id_}",
    )


NODES = [
    _node("a", "internal", 1, hub=True),
    _node("b", "both", 2),
    _node("c", "external", None),
    _node("d", "internal", 4),  # no link: drawn in the strip below the bands
]
EDGES = [
    NetEdge("a", "b", "cascade", 0.7, crossing=False, tooltip="a sets off b (70%)"),
    NetEdge("b", "c", "reinforces", 0.0, crossing=True, tooltip="b reinforces c"),
]


def _network() -> ET.Element:
    return ET.fromstring(network_diagram(NODES, EDGES, "en", "Threat network"))


def _node_centres(svg: ET.Element) -> dict[str, tuple[float, float]]:
    out = {}
    for g in groups(svg, "node"):
        drawn = shapes(g)
        out[g.get("data-id", "")] = centre(drawn[-1])
    return out


def test_network_nodes_sit_in_their_domains_band() -> None:
    svg = _network()
    assert svg.get("role") == "img" and svg.get("aria-label") == "Threat network"
    at = _node_centres(svg)
    assert set(at) == {"a", "b", "c", "d"}
    bands = {"internal": 0, "both": 1, "external": 2}
    for node in NODES:
        x, _ = at[node.id]
        low = 16 + bands[node.domain] * BAND
        assert low < x < low + BAND, (node.id, x)
    # the unlinked threat lies below every linked one
    assert all(at["d"][1] > at[k][1] for k in "abc")


def test_network_nodes_show_rank_hub_and_tooltip() -> None:
    svg = _network()
    by_id = {g.get("data-id"): g for g in groups(svg, "node")}
    for node in NODES:
        g = by_id[node.id]
        assert ("hub" in svg_class(g)) == node.hub
        title = g.find(f"{SVG}title")
        assert title is not None and title.text == node.tooltip
        texts = [x.text for x in g.iter(f"{SVG}text")]
        assert texts[0] == ("–" if node.rank is None else str(node.rank))
        assert texts[1:] == [node.label]
        drawn = shapes(g)
        rings = [c for c in drawn if c.get("stroke") == HUB_COLOUR]
        assert len(rings) == int(node.hub)
        mark = drawn[-1]
        colour = DOMAIN_COLOURS[node.domain]
        assert mark.get("stroke") == colour
        assert mark.get("fill") == (colour if node.malicious else "#FFFFFF")


def test_network_links_point_from_cause_to_effect() -> None:
    svg = _network()
    at = _node_centres(svg)
    links = groups(svg, "link")
    assert [(g.get("data-source"), g.get("data-target")) for g in links] == [
        ("b", "c"),  # reinforces links first (underneath), then cascades
        ("a", "b"),
    ]
    reinforces, cascade = links
    assert svg_class(reinforces) == ["link", "reinforces", "crossing"]
    assert svg_class(cascade) == ["link", "cascade"]
    for g, edge in ((reinforces, EDGES[1]), (cascade, EDGES[0])):
        title = g.find(f"{SVG}title")
        assert title is not None and title.text == edge.tooltip
        (line,) = _children(g, "path")
        (head,) = _children(g, "polygon")
        tip = tuple(float(v) for v in (head.get("points") or "").split()[0].split(","))
        source, target = at[edge.source], at[edge.target]
        # the arrow head ends just outside the effect's marker (radius 13, 3 px gap)
        assert math.dist(tip, target) == pytest.approx(16.0, abs=0.15)
        assert math.dist(tip, source) > math.dist(tip, target)
        start = path_numbers(line.get("d", ""))[0][1]
        assert math.dist(start, source) == pytest.approx(15.0, abs=0.15)  # 13 + 2
    assert _children(cascade, "path")[0].get("stroke") == CASCADE_COLOUR
    assert _children(cascade, "path")[0].get("stroke-width") == "6.1"  # 1.2 + 7 x 0.7
    assert _children(reinforces, "path")[0].get("stroke") == CROSS_COLOUR
    assert _children(reinforces, "path")[0].get("stroke-dasharray") == "6 4"


def test_network_link_colours_without_crossing() -> None:
    edges = [NetEdge("a", "d", "reinforces", 0.0, crossing=False, tooltip="x")]
    svg = ET.fromstring(network_diagram(NODES[:1] + NODES[3:], edges, "en", "t"))
    (g,) = groups(svg, "link")
    assert _children(g, "path")[0].get("stroke") == REINFORCE_COLOUR


def test_network_is_deterministic_and_marks_empty_bands() -> None:
    assert network_diagram(NODES, EDGES, "en", "t") == network_diagram(NODES, EDGES, "en", "t")
    only_internal = [NODES[0], NODES[3]]
    svg = ET.fromstring(network_diagram(only_internal, [], "nl", "t"))
    texts = [x.text for x in svg.iter(f"{SVG}text")]
    assert texts.count(t("net_band_empty", "nl")) == 2  # "both" and "external"
    assert t("net_alone", "nl") in texts  # neither is linked


def test_network_escapes_labels() -> None:
    node = NetNode("x", '<b>"A" & B</b>', 1, "both", False, False, "<i>tip</i>")
    svg = ET.fromstring(network_diagram([node], [], "en", "T & <t>"))
    assert svg.get("aria-label") == "T & <t>"
    (g,) = groups(svg, "node")
    title = g.find(f"{SVG}title")
    assert title is not None and title.text == "<i>tip</i>"
    assert '<b>"A" & B</b>' in [x.text for x in g.iter(f"{SVG}text")]
