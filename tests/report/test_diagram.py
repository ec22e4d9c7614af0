"""The risk diagram (nsra.report.diagram): marker, whisker and box coordinates.

First the functions on their own, with coordinates worked out by hand; then the diagrams of
the examples' reports, whose markers, whiskers and uncertainty boxes are checked against the
engine's positions (and the Monte Carlo intervals) through the axis mapping recomputed here:

    x_px = left + (clamp(x) - x_low) / (x_high - x_low) * width
    y_px = bottom - (clamp(y) - y_low) / (y_high - y_low) * height

where class ``k`` spans ``[k - 0.5, k + 0.5]`` and the axis runs from the first class shown to
the last. The plot area and the classes shown are read from the drawing (its frame and its tick
codes); the positions come from :func:`nsra.engine.compute.compute`.
"""

from __future__ import annotations

import itertools
import math
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

import pytest

from nsra.i18n import LANGS, t
from nsra.model.method import ClassScale
from nsra.model.text import tr
from nsra.report.diagram import (
    DOMAIN_COLOURS,
    Axis,
    AxisClass,
    Box,
    Marker,
    icon,
    marker_of,
    mini_diagram,
    risk_diagram,
    shape,
)
from tests.helpers import EXAMPLES, example_id
from tests.report import common
from tests.report.common import SVG, Expected, centre, groups, path_numbers, shapes

TOL = 0.06  # coordinates are written with one decimal


def _axis(title: str, codes: str, first: int = 1) -> Axis:
    return Axis(title, tuple(AxisClass(first + n, c, f"label {c}") for n, c in enumerate(codes)))


X5 = _axis("Likelihood", "ABCDE")
Y5 = _axis("Impact", "ABCDE")


def _marker(
    id_: str,
    rank: int,
    x: float,
    y: float,
    domain: str = "internal",
    malicious: bool = False,
    x_low: float | None = None,
    x_high: float | None = None,
    y_low: float | None = None,
    y_high: float | None = None,
    box: Box | None = None,
) -> Marker:
    return Marker(
        id=id_,
        title=f"Threat {id_}",
        rank=rank,
        domain=domain,
        malicious=malicious,
        x=x,
        y=y,
        x_low=x_low,
        x_high=x_high,
        y_low=y_low,
        y_high=y_high,
        box=box,
    )


def _parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def _markers(svg: ET.Element) -> dict[str, ET.Element]:
    return {g.get("data-id", ""): g for g in groups(svg, "marker")}


def _leaders(svg: ET.Element) -> list[tuple[float, float, float, float]]:
    (g,) = groups(svg, "leaders")
    return [
        (
            float(x.get("x1", "")),
            float(x.get("y1", "")),
            float(x.get("x2", "")),
            float(x.get("y2", "")),
        )
        for x in g.iter(f"{SVG}line")
    ]


def _close(a: tuple[float, ...], b: tuple[float, ...], tol: float = TOL) -> bool:
    return len(a) == len(b) and all(abs(p - q) <= tol for p, q in zip(a, b, strict=True))


# -- the functions on their own, coordinates worked out by hand ---------------------------------
# Without a title the plot is x 172..878 (width 706) and y 14..484 (height 470). Five classes
# 1..5 on each axis span the positions 0.5..5.5, so x_px = 172 + (x - 0.5) * 141.2 and
# y_px = 484 - (y - 0.5) * 94.


def test_a_marker_sits_at_its_position() -> None:
    markers = [
        _marker("a", 1, 1.0, 1.0),  # (242.6, 437.0)
        _marker("b", 2, 5.0, 5.0),  # (807.4, 61.0)
        _marker("c", 3, 3.0, 2.0),  # (525.0, 343.0)
        _marker("d", 4, 2.0, 4.2),  # (383.8, 136.2): x and y differ, a swap would show
    ]
    svg = _parse(risk_diagram(markers, X5, Y5))
    found = _markers(svg)
    want = {"a": (242.6, 437.0), "b": (807.4, 61.0), "c": (525.0, 343.0), "d": (383.8, 136.2)}
    for id_, xy in want.items():
        g = found[id_]
        halo, mark = shapes(g)
        assert _close(centre(halo), xy) and _close(centre(mark), xy), id_
        text = g.find(f"{SVG}text")
        assert text is not None and abs(float(text.get("x", "")) - xy[0]) <= TOL
    assert _leaders(svg) == []  # nobody had to move


def test_frame_and_ticks_are_the_class_cells() -> None:
    svg = _parse(risk_diagram([_marker("a", 1, 3, 3)], X5, Y5))
    frames = [r for r in svg if r.tag == f"{SVG}rect" and r.get("fill") == "none"]
    assert [(r.get("x"), r.get("y"), r.get("width"), r.get("height")) for r in frames] == [
        ("172.0", "14.0", "706.0", "470.0")
    ]
    (xt,) = groups(svg, "x-ticks")
    codes = [(el.text, float(el.get("x", ""))) for el in xt if el.get("font-weight") == "700"]
    assert codes == [("A", 242.6), ("B", 383.8), ("C", 525.0), ("D", 666.2), ("E", 807.4)]
    (yt,) = groups(svg, "y-ticks")
    codes = [(el.text, float(el.get("y", "")) - 4) for el in yt if el.get("font-weight") == "700"]
    assert codes == [("A", 437.0), ("B", 343.0), ("C", 249.0), ("D", 155.0), ("E", 61.0)]
    cells = next(g for g in groups(svg, "cells"))
    assert len(list(cells)) == 25


def test_axis_starting_at_class_zero() -> None:
    x_axis = _axis("L", "0123", first=0)  # positions -0.5..3.5: x_px = 172 + (x + 0.5) * 176.5
    y_axis = _axis("I", "12", first=1)  # positions 0.5..2.5: y_px = 484 - (y - 0.5) * 235
    svg = _parse(
        risk_diagram([_marker("a", 1, 0.0, 2.0), _marker("b", 2, 3.0, 1.0)], x_axis, y_axis)
    )
    found = _markers(svg)
    assert _close(centre(shapes(found["a"])[1]), (260.25, 131.5), 0.1)
    assert _close(centre(shapes(found["b"])[1]), (789.75, 366.5), 0.1)


def test_positions_outside_the_axes_are_clamped_and_the_marker_kept_in_its_cell() -> None:
    # x = 9 is drawn at the right edge (878); the marker stays inside its cell (the E column,
    # 736.8..878) by a diamond's reach, its halo and 2.5 px of air (12 x 1.22 + 1.8 + 2.5 =
    # 18.94): at 859.06, with a leader from 878
    svg = _parse(risk_diagram([_marker("a", 1, 9.0, 3.0)], X5, Y5))
    (leader,) = _leaders(svg)
    assert _close(leader, (878.0, 249.0, 859.06, 249.0))
    assert _close(centre(shapes(_markers(svg)["a"])[1]), (859.06, 249.0))


def test_no_marker_touches_a_class_line_or_the_serious_zone() -> None:
    # a marker just under the line between B and C (y = 2.49, 1 px below it at 297) is drawn
    # 18.94 px under the line, so neither it nor its halo touches the serious zone's outline
    zone = frozenset((i, j) for i in range(1, 6) for j in range(3, 6))
    svg = _parse(risk_diagram([_marker("a", 1, 3.0, 2.49)], X5, Y5, serious_cells=zone))
    x, y = centre(shapes(_markers(svg)["a"])[1])
    assert _close((x, y), (525.0, 296.0 + 18.94))
    line = 296.0  # y of the B/C boundary
    assert y - 12 * 1.22 - 1.8 > line


def test_crowded_cell_gives_each_marker_its_own_row_and_column() -> None:
    # five markers at the same position in one cell: their whiskers run through the markers,
    # so each gets a distinct row and column at least 7 px from the others (traceable bars)
    markers = [
        _marker(k, n + 1, 3.0, 2.9, x_low=2.0, x_high=4.0, y_low=2.6, y_high=3.4)
        for n, k in enumerate("abcde")
    ]
    svg = _parse(risk_diagram(markers, X5, Y5))
    drawn = {k: centre(shapes(g)[1]) for k, g in _markers(svg).items()}
    ys = sorted(y for _, y in drawn.values())
    xs = sorted(x for x, _ in drawn.values())
    assert all(b - a >= 7 - TOL for a, b in itertools.pairwise(ys))
    assert all(b - a >= 7 - TOL for a, b in itertools.pairwise(xs))
    horizontal, vertical = _whiskers(svg)
    assert sorted(w[2] for w in horizontal) == ys  # one bar per marker, at its row
    assert sorted(w[0] for w in vertical) == xs


def test_overlapping_markers_move_apart_within_their_cell_with_leaders() -> None:
    markers = [_marker("a", 1, 3.0, 3.0), _marker("b", 2, 3.0, 3.0), _marker("c", 3, 3.1, 3.0)]
    svg = _parse(risk_diagram(markers, X5, Y5))
    shown = {k: centre(shapes(g)[1]) for k, g in _markers(svg).items()}
    for (k1, p1), (k2, p2) in ((a, b) for a in shown.items() for b in shown.items() if a < b):
        assert math.dist(p1, p2) >= 2 * 12 * 1.22, (k1, k2)  # diamonds reach furthest
    for x, y in shown.values():  # cell C/C: x 454.4..595.6, y 202..296
        assert 454.4 < x < 595.6 and 202 < y < 296
    leaders = _leaders(svg)
    true = {(525.0, 249.0), (539.1, 249.0)}
    for x1, y1, x2, y2 in leaders:
        assert any(_close((x1, y1), p) for p in true)
        assert any(_close((x2, y2), p) for p in shown.values())
    assert len(leaders) >= 2


def test_whiskers_span_the_lowest_to_the_highest_estimate() -> None:
    m = _marker("a", 1, 3.0, 3.0, x_low=2.0, x_high=4.0, y_low=2.5, y_high=3.5)
    svg = _parse(risk_diagram([m], X5, Y5))
    (g,) = groups(svg, "whiskers")
    paths = [path_numbers(p.get("d", "")) for p in g]
    assert len(paths) == 2
    horizontal, vertical = paths
    # x 2..4 at y 3: 383.8..666.2 at 249; end caps 4 px up and down
    assert horizontal[:2] == [("M", [383.8, 249.0]), ("H", [666.2])]
    assert horizontal[2:] == [("M", [383.8, 245.0]), ("V", [253.0]), ("M", [666.2, 245.0]),
                              ("V", [253.0])]  # fmt: skip
    # y 2.5..3.5 at x 3: from 202 (top, 3.5) to 296 (2.5) at 525
    assert vertical[:2] == [("M", [525.0, 202.0]), ("V", [296.0])]
    for p in g:
        assert p.get("stroke") == DOMAIN_COLOURS["internal"]


def test_no_whisker_without_a_spread() -> None:
    m = _marker("a", 1, 3.0, 3.0, x_low=3.0, x_high=3.0, y_low=None, y_high=None)
    (g,) = groups(_parse(risk_diagram([m], X5, Y5)), "whiskers")
    assert list(g) == []


def test_uncertainty_boxes_span_the_interval() -> None:
    boxed = [
        _marker("a", 1, 3.0, 3.0, box=(2.0, 4.0, 2.5, 3.5)),  # x 383.8..666.2, y 202..296
        _marker("b", 2, 1.0, 1.0, box=(1.0, 1.0, 0.8, 1.4)),  # no width: 3 px around 242.6
        _marker("c", 3, 5.0, 5.0, box=(5.2, 4.6, 5.0, 4.0)),  # given high first: still ordered
    ]
    svg = _parse(risk_diagram(boxed, X5, Y5, boxes=True))
    assert groups(svg, "whiskers") == []
    (g,) = groups(svg, "boxes")
    rects = {r.get("data-id"): r for r in g}
    got = {
        k: tuple(float(r.get(a, "")) for a in ("x", "y", "width", "height"))
        for k, r in rects.items()
    }
    assert _close(got["a"], (383.8, 202.0, 282.4, 94.0))
    assert _close(got["b"], (241.1, 399.4, 3.0, 56.4))  # y 0.8..1.4: 399.4..455.8
    assert _close(got["c"], (750.9, 61.0, 84.7, 94.0))  # x 4.6..5.2: 750.9..835.6; y 4..5
    assert list(rects) == ["a", "c", "b"]  # widest first, so that small boxes stay on top


def _legend(svg: ET.Element) -> list[str]:
    (g,) = groups(svg, "legend")
    return [el.text or "" for el in g.iter(f"{SVG}text")]


@pytest.mark.parametrize("lang", LANGS)
def test_legend_says_what_is_drawn(lang: str) -> None:
    def words(*keys: str) -> list[str]:
        return [t(k, lang) for k in keys]

    kinds = words("legend_internal", "legend_external", "legend_both")
    fills = words("legend_malicious", "legend_non_malicious")
    apart = [_marker("a", 1, 3, 3), _marker("b", 2, 1, 1)]
    assert _legend(_parse(risk_diagram(apart, X5, Y5, lang))) == [
        *kinds,
        *fills,
        t("legend_spread", lang),
    ]
    assert _legend(_parse(risk_diagram(apart, X5, Y5, lang, boxes=True))) == [
        *kinds,
        *fills,
        t("legend_box", lang),
    ]
    zone = frozenset({(5, 5)})
    together = [_marker("a", 1, 3, 3), _marker("b", 2, 3, 3)]  # moved apart: leaders
    assert _legend(_parse(risk_diagram(together, X5, Y5, lang, serious_cells=zone))) == [
        *kinds,
        t("legend_zone", lang),
        *fills,
        t("legend_spread", lang),
        t("legend_moved", lang),
    ]


def test_serious_zone_outlines_the_serious_cells() -> None:
    one = risk_diagram([_marker("a", 1, 3, 3)], X5, Y5, serious_cells=frozenset({(5, 5)}))
    (zone,) = [p for p in _parse(one).iter(f"{SVG}path") if p.get("class") == "serious-zone"]
    # the top right cell: x 736.8..878, y 14..108; only its inner edges are drawn
    assert zone.get("d") == "M736.8 14.0V108.0M736.8 108.0H878.0"
    none = _parse(risk_diagram([_marker("a", 1, 3, 3)], X5, Y5))
    assert not [p for p in none.iter(f"{SVG}path") if p.get("class") == "serious-zone"]


def test_accessible_names_and_tooltips() -> None:
    markers = [_marker("a", 2, 2, 2), _marker("b", 1, 4, 4, domain="both", malicious=True)]
    plain = _parse(risk_diagram(markers, X5, Y5))
    assert plain.get("role") == "img" and plain.get("aria-label") == "Impact"
    titled = _parse(risk_diagram(markers, X5, Y5, title='Malicious <"threats">'))
    assert titled.get("aria-label") == 'Malicious <"threats">'
    assert any(el.text == 'Malicious <"threats">' for el in titled.iter(f"{SVG}text"))
    found = _markers(plain)
    for id_, rank in (("a", "2"), ("b", "1")):
        g = found[id_]
        assert g.get("data-rank") == rank
        title = g.find(f"{SVG}title")
        assert title is not None and title.text == f"{rank}. Threat {id_}"
        text = g.find(f"{SVG}text")
        assert text is not None and text.text == rank
    # drawn highest rank number first: rank 1 on top
    assert [g.get("data-id") for g in groups(plain, "marker")] == ["a", "b"]


def test_titles_are_escaped() -> None:
    m = Marker(id='x"y', title="<b>& co</b>", rank=1, domain="external", malicious=False, x=2, y=2)
    svg = _parse(risk_diagram([m], X5, Y5, title="A & B"))
    (g,) = groups(svg, "marker")
    assert g.get("data-id") == 'x"y'
    title = g.find(f"{SVG}title")
    assert title is not None and title.text == "1. <b>& co</b>"


@pytest.mark.parametrize(
    ("domain", "tag"), [("internal", "circle"), ("external", "rect"), ("both", "polygon")]
)
def test_shape_per_domain_filled_when_malicious(domain: str, tag: str) -> None:
    colour = DOMAIN_COLOURS[domain]
    for malicious, fill in ((True, colour), (False, "#FFFFFF")):
        el = ET.fromstring(
            f'<svg xmlns="http://www.w3.org/2000/svg">{shape(domain, 50, 40, 10, malicious)}</svg>'
        )
        (s,) = list(el)
        assert s.tag == f"{SVG}{tag}"
        assert s.get("fill") == fill and s.get("stroke") == colour
        assert _close(centre(s), (50.0, 40.0))
    small = ET.fromstring(icon(domain, True))
    assert small.get("aria-hidden") == "true" and small.get("width") == "14"
    (s,) = list(small)
    assert s.tag == f"{SVG}{tag}" and _close(centre(s), (7.0, 7.0))


def test_marker_of_skips_unranked_and_unplaced_scenarios() -> None:
    p = str(EXAMPLES[0])
    doc = common.results_doc(p)
    entry = doc["scenarios"][0]
    m = marker_of(entry)
    assert m is not None
    d = entry["diagram"]
    assert (m.id, m.rank, m.x, m.y) == (entry["id"], entry["rank"], d["x"], d["y"])
    assert (m.x_low, m.x_high, m.y_low, m.y_high) == (
        d["x_low"],
        d["x_high"],
        d["y_low"],
        d["y_high"],
    )
    assert marker_of({**entry, "rank": None}) is None
    assert marker_of({**entry, "diagram": {**d, "x": None}}) is None
    assert marker_of({**entry, "diagram": {**d, "y": None}}) is None


def test_mini_diagram_places_box_marker_and_others() -> None:
    # plot x 20..192 (172 wide), y 4..132 (128 high): x_px = 20 + (x - 0.5) * 34.4,
    # y_px = 132 - (y - 0.5) * 25.6
    entry = _marker("a", 1, 3.0, 2.0, box=(2.0, 4.0, 1.5, 2.5), domain="external")
    others = [entry, _marker("b", 2, 5.0, 5.0), _marker("c", 3, 1.0, 4.0)]
    svg = _parse(mini_diagram(entry, others, X5, Y5, label="1. Threat a: B–D / B"))
    assert svg.get("class") == "mini-diagram" and svg.get("data-id") == "a"
    assert svg.get("role") == "img" and svg.get("aria-label") == "1. Threat a: B–D / B"
    (box,) = [r for r in svg if r.get("class") == "box"]
    got = tuple(float(box.get(a, "")) for a in ("x", "y", "width", "height"))
    assert _close(got, (71.6, 80.8, 68.8, 25.6))
    dots = [c for c in svg if c.tag == f"{SVG}circle" and c.get("r") == "2.2"]
    assert sorted(centre(c) for c in dots) == [(37.2, 42.4), (174.8, 16.8)]  # b and c, not a
    halo, mark = [c for c in shapes(svg) if c.get("class") != "box"][-2:]
    assert mark.tag == f"{SVG}rect" and mark.get("stroke") == DOMAIN_COLOURS["external"]
    assert _close(centre(halo), (106.0, 93.6)) and _close(centre(mark), (106.0, 93.6))


# -- the diagrams of the examples' reports ----------------------------------------------------
@dataclass(frozen=True)
class Mapping:
    """The axis mapping of one drawn diagram, recomputed from its frame and its tick codes."""

    left: float
    top: float
    width: float
    height: float
    x_low: float
    x_high: float
    y_low: float
    y_high: float

    def px(self, x: float) -> float:
        x = min(max(x, self.x_low), self.x_high)
        return self.left + (x - self.x_low) / (self.x_high - self.x_low) * self.width

    def py(self, y: float) -> float:
        y = min(max(y, self.y_low), self.y_high)
        return self.top + self.height - (y - self.y_low) / (self.y_high - self.y_low) * self.height

    def cell(self, i: int, j: int) -> tuple[float, float, float, float]:
        """Pixel box (x0, y0, x1, y1) of the cell of likelihood class i, impact class j."""
        return (self.px(i - 0.5), self.py(j + 0.5), self.px(i + 0.5), self.py(j - 0.5))


def _tick_codes(svg: ET.Element, cls: str) -> list[str]:
    (g,) = groups(svg, cls)
    return [el.text or "" for el in g if el.get("font-weight") == "700"]


def _span(codes: list[str], scale: ClassScale) -> tuple[float, float]:
    """The position range of the classes shown: consecutive classes of ``scale``."""
    first = scale.codes.index(codes[0])
    assert codes == scale.codes[first : first + len(codes)], (codes, scale.codes)
    low = scale.first_index + first
    return low - 0.5, low + len(codes) - 1 + 0.5


def _mapping(svg: ET.Element, x_scale: ClassScale, y_scale: ClassScale) -> Mapping:
    (frame,) = [r for r in svg if r.tag == f"{SVG}rect" and r.get("fill") == "none"]
    left, top, width, height = (float(frame.get(a, "")) for a in ("x", "y", "width", "height"))
    x_low, x_high = _span(_tick_codes(svg, "x-ticks"), x_scale)
    y_low, y_high = _span(_tick_codes(svg, "y-ticks"), y_scale)
    return Mapping(left, top, width, height, x_low, x_high, y_low, y_high)


def _panels(page: str, path: str) -> list[tuple[ET.Element, Mapping, list[Expected]]]:
    """Every risk diagram of the page, its axis mapping and the scenarios it shows."""
    a = common.loaded(path)
    m = a.method
    want = {e.id: e for e in common.expected(path)}
    malicious = {sc.id: sc.malicious for sc in a.assessment.scenarios}
    out = []
    for svg in common.svgs(page, "risk-diagram"):
        ids = [g.get("data-id", "") for g in groups(svg, "marker")]
        scales = {m.likelihood.scale_for(malicious[i]).scale for i in ids}
        codes = {tuple(m.scale(s).codes) for s in scales}
        assert len(codes) == 1, "one likelihood scale per panel"
        x_scale = m.scale(sorted(scales)[0])
        out.append((svg, _mapping(svg, x_scale, common.imp_scale(m)), [want[i] for i in ids]))
    return out


def _true_points(svg: ET.Element) -> dict[str, tuple[tuple[float, float], tuple[float, float]]]:
    """Per scenario: where its marker is drawn, and the exact point it stands for (the start
    of its leader line when it was moved aside, else the marker's centre)."""
    leaders = _leaders(svg)
    out = {}
    for id_, g in _markers(svg).items():
        shown = centre(shapes(g)[1])
        starts = [(x1, y1) for x1, y1, x2, y2 in leaders if _close((x2, y2), shown)]
        assert len(starts) <= 1
        out[id_] = (shown, starts[0] if starts else shown)
    return out


def _check_markers(svg: ET.Element, mp: Mapping, shown: list[Expected], path: str) -> None:
    a = common.loaded(path)
    titles = {sc.id: tr(sc.title, "en") for sc in a.assessment.scenarios}
    points = _true_points(svg)
    ranked = [e for e in shown if e.rank is not None]
    assert set(points) == {e.id for e in ranked}
    for e in ranked:
        drawn, true = points[e.id]
        want = (mp.px(e.x), mp.py(e.y))
        tol = TOL if true != drawn else 2.5 + TOL  # a marker moved less than 2.5 px: no leader
        assert _close(true, want, tol), (e.id, true, want)
        # the marker never leaves the cell of its classes
        assert e.lik_class is not None and e.imp_class is not None
        x0, y0, x1, y1 = mp.cell(e.lik_class, e.imp_class)
        assert x0 - TOL <= drawn[0] <= x1 + TOL and y0 - TOL <= drawn[1] <= y1 + TOL, e.id
        g = _markers(svg)[e.id]
        title = g.find(f"{SVG}title")
        assert title is not None and title.text == f"{e.rank}. {titles[e.id]}"
    # monotone: further right is likelier, further up is more impact
    for e1 in ranked:
        for e2 in ranked:
            if e1.x < e2.x - 0.02 and mp.px(e1.x) < mp.px(e2.x) - 5:
                assert points[e1.id][1][0] < points[e2.id][1][0], (e1.id, e2.id)
            if e1.y < e2.y - 0.02 and mp.py(e1.y) > mp.py(e2.y) + 5:
                assert points[e1.id][1][1] > points[e2.id][1][1], (e1.id, e2.id)


@pytest.mark.parametrize("path", EXAMPLES, ids=example_id)
def test_report_markers_sit_at_the_computed_positions(path: Path) -> None:
    p = str(path)
    panels = _panels(common.report(p), p)
    assert sum(len(shown) for _, _, shown in panels) == len(
        [e for e in common.expected(p) if e.rank is not None]
    )
    for svg, mp, shown in panels:
        assert (mp.left, mp.width, mp.height) == (172.0, 706.0, 470.0)
        _check_markers(svg, mp, shown, p)


Whisker = tuple[float, float, float]


def _whiskers(svg: ET.Element) -> tuple[list[Whisker], list[Whisker]]:
    """Horizontal whiskers as (x_from, x_to, y), vertical ones as (x, y_from, y_to)."""
    (g,) = groups(svg, "whiskers")
    horizontal: list[Whisker] = []
    vertical: list[Whisker] = []
    for p in g:
        (m, (a, b)), (cmd, (c,)) = path_numbers(p.get("d", ""))[:2]
        assert m == "M"
        if cmd == "H":
            horizontal.append((a, c, b))
        else:
            vertical.append((a, b, c))
    return horizontal, vertical


def _same_multiset(got: list[Whisker], want: list[Whisker]) -> None:
    left = list(got)
    for w in want:
        hit = next((g for g in left if _close(g, w)), None)
        assert hit is not None, f"no whisker at {w}; drawn: {left}"
        left.remove(hit)
    assert left == [], f"whiskers nobody's spread explains: {left}"


@pytest.mark.parametrize("path", EXAMPLES, ids=example_id)
def test_report_whiskers_show_the_analysts_spread(path: Path) -> None:
    p = str(path)
    n = 0
    for svg, mp, shown in _panels(common.report(p), p):
        horizontal: list[Whisker] = []
        vertical: list[Whisker] = []
        drawn = {k: centre(shapes(g)[1]) for k, g in _markers(svg).items()}
        for e in shown:
            if e.rank is None:
                continue
            # the bars span the analysts' estimates and run through the marker as drawn
            at_x, at_y = drawn[e.id]
            left, right = mp.px(e.x_low), mp.px(e.x_high)
            if right - left > 1:
                horizontal.append((left, right, at_y))
            if not (math.isnan(e.y_low) or math.isnan(e.y_high)):
                top, bottom = mp.py(e.y_high), mp.py(e.y_low)
                if bottom - top > 1:
                    vertical.append((at_x, top, bottom))
        got_h, got_v = _whiskers(svg)
        _same_multiset(got_h, horizontal)
        _same_multiset(got_v, vertical)
        n += len(horizontal) + len(vertical)
    assert n > 0, "the example shows no spread at all"


def _box_panels(path: str) -> list[tuple[ET.Element, Mapping, list[Expected]]]:
    return [
        (svg, mp, shown)
        for svg, mp, shown in _panels(common.full_report(path), path)
        if groups(svg, "boxes")
    ]


def _boxes(path: str) -> dict[str, tuple[float, float, float, float]]:
    """The 5-95% interval of each scenario's position, from the Monte Carlo analysis."""
    u = common.analyses(path).uncertainty
    assert u is not None
    lo, hi = u.quantiles.index(0.05), u.quantiles.index(0.95)
    iv = u.intervals
    a = common.loaded(path)
    return {
        sc.id: (
            float(iv.likelihood_position[lo, s]),
            float(iv.likelihood_position[hi, s]),
            float(iv.impact_position[lo, s]),
            float(iv.impact_position[hi, s]),
        )
        for s, sc in enumerate(a.assessment.scenarios)
    }


def _box_rect(mp: Mapping, box: tuple[float, float, float, float]) -> tuple[float, ...]:
    x0, x1, y0, y1 = box
    a, b = mp.px(min(x0, x1)), mp.px(max(x0, x1))
    top, bottom = mp.py(max(y0, y1)), mp.py(min(y0, y1))
    if b - a < 3:
        a, b = (a + b) / 2 - 1.5, (a + b) / 2 + 1.5
    if bottom - top < 3:
        top, bottom = (top + bottom) / 2 - 1.5, (top + bottom) / 2 + 1.5
    return (a, top, b - a, bottom - top)


@pytest.mark.parametrize("path", EXAMPLES, ids=example_id)
def test_report_uncertainty_boxes_are_the_monte_carlo_intervals(path: Path) -> None:
    p = str(path)
    boxes = _boxes(p)
    panels = _box_panels(p)
    assert panels
    wide = 0
    for svg, mp, shown in panels:
        _check_markers(svg, mp, shown, p)  # markers as in the risk diagram
        (g,) = groups(svg, "boxes")
        drawn = {
            r.get("data-id", ""): tuple(float(r.get(k, "")) for k in ("x", "y", "width", "height"))
            for r in g
        }
        assert set(drawn) == {e.id for e in shown if e.rank is not None}
        for id_, rect in drawn.items():
            want = _box_rect(mp, boxes[id_])
            assert _close(rect, want, 0.11), (id_, rect, want)
            wide += rect[2] > 3 and rect[3] > 3
    assert wide > 0, "no box with both a width and a height: a swap would go unseen"


@pytest.mark.parametrize("path", EXAMPLES, ids=example_id)
def test_report_mini_diagrams_show_each_scenarios_box(path: Path) -> None:
    p = str(path)
    boxes = _boxes(p)
    want = {e.id: e for e in common.expected(p)}
    minis = common.svgs(common.full_report(p), "mini-diagram")
    assert {s.get("data-id") for s in minis} == {e.id for e in want.values() if e.rank}
    m = common.loaded(p).method
    scenarios = {sc.id: sc for sc in common.loaded(p).assessment.scenarios}
    for svg in minis:
        id_ = svg.get("data-id", "")
        e = want[id_]
        frame = next(r for r in svg if r.tag == f"{SVG}rect" and r.get("fill") == "none")
        left, top, width, height = (float(frame.get(k, "")) for k in ("x", "y", "width", "height"))
        texts = [el for el in svg if el.tag == f"{SVG}text"]
        x_codes = [el.text or "" for el in texts if el.get("text-anchor") == "middle"]
        y_codes = [el.text or "" for el in texts if el.get("text-anchor") == "end"]
        x_low, x_high = _span(x_codes, common.lik_scale(m, scenarios[id_].malicious))
        y_low, y_high = _span(y_codes, common.imp_scale(m))
        mp = Mapping(left, top, width, height, x_low, x_high, y_low, y_high)
        (box,) = [r for r in svg if r.get("class") == "box"]
        rect = tuple(float(box.get(k, "")) for k in ("x", "y", "width", "height"))
        assert _close(rect, _box_rect(mp, boxes[id_]), 0.11), id_
        # the scenario's own marker: the last shape in its domain's colour (after its halo)
        colour = DOMAIN_COLOURS[scenarios[id_].domain]
        mark = shapes(svg)[-1]
        assert mark.get("stroke") == colour, id_
        assert _close(centre(mark), (mp.px(e.x), mp.py(e.y)), 0.11), id_
