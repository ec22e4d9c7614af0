"""The risk diagram as inline SVG: likelihood class against aggregated impact class.

Pure: :class:`Marker` objects (made from the scenario entries of the results document,
``nsra-results/1``, by :func:`marker_of`) and the two axes in, an SVG string out. Class ``k``
spans ``[k - 0.5, k + 0.5]`` on both axes; markers sit at the continuous ``diagram.x`` /
``diagram.y`` positions, whiskers show the analysts' spread (``x_low..x_high``,
``y_low..y_high``). Internal, external and mixed threats differ in shape *and* colour
(colour-blind safe); malicious threats are filled, non-malicious ones hollow. Markers that would
overlap are moved apart, with a thin line to their exact position.
"""

from __future__ import annotations

import itertools
import math
import textwrap
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

from nsra.i18n import t
from nsra.io.contract import ScenarioResult

FONT = (
    'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, '
    '"Noto Sans", "Liberation Sans", sans-serif'
)
# Okabe-Ito colours: distinguishable with the common colour-vision deficiencies.
DOMAIN_COLOURS: dict[str, str] = {"internal": "#0072B2", "external": "#D55E00", "both": "#A8478A"}
DOMAINS = ("internal", "external", "both")
ZONE_COLOUR = "#8E2A21"

# Background: green (low x + y) through amber to red (high x + y).
_RAMP = ((0.0, (0xCF, 0xE8, 0xCB)), (0.5, (0xFC, 0xE6, 0xAE)), (1.0, (0xF5, 0xBB, 0xAE)))

WIDTH = 900
PLOT_H = 470
MARGIN_L = 172
MARGIN_R = 22
MARKER_R = 12.0
CELL_MARGIN = MARKER_R * 1.22 + 1.8 + 2.5
"""How far a marker's centre stays from the edge of its cell: a diamond (the widest shape) with
its white halo and a little air, so that no marker touches a class line or the serious zone's
outline and each marker reads as inside one class."""
LANE = 7.0
"""Markers in one cell keep at least this many pixels between their rows and between their
columns: each marker's whiskers run through the marker, so this keeps the spread bars of a
crowded cell on separate lines that can be traced to their marker."""


@dataclass(frozen=True)
class AxisClass:
    """One class on an axis: its index on the scale, its code and its label."""

    index: int
    code: str
    label: str


@dataclass(frozen=True)
class Axis:
    """An axis of the diagram: a title and the classes shown, lowest first."""

    title: str
    classes: tuple[AxisClass, ...]

    @property
    def low(self) -> float:
        return self.classes[0].index - 0.5

    @property
    def high(self) -> float:
        return self.classes[-1].index + 0.5


Box = tuple[float, float, float, float]
"""An uncertainty box: (x_low, x_high, y_low, y_high) positions, the Monte Carlo 5-95% interval
of a scenario's place in the diagram."""


@dataclass(frozen=True)
class Marker:
    """One scenario placed in the diagram: where (class positions), its spread, its box."""

    id: str
    title: str
    rank: int
    domain: str
    malicious: bool
    x: float
    y: float
    x_low: float | None = None
    x_high: float | None = None
    y_low: float | None = None
    y_high: float | None = None
    box: Box | None = None


@dataclass(frozen=True)
class Move:
    """Where a scenario's risk goes, in class positions: an arrow from its marker to ``x, y``;
    and where it came from, ``before`` (a faint ring joined to the marker by a dotted line)."""

    id: str
    x: float
    y: float
    before: tuple[float, float] | None = None


MOVE_COLOUR = "#1B2430"
ARROW_FROM = MARKER_R + 3.5
"""An arrow starts this far from the exact position of its marker (just outside the marker)."""
BEFORE_COLOUR = "#6B7480"


def marker_of(entry: ScenarioResult, box: Box | None = None) -> Marker | None:
    """The marker of a scenario entry; None for a scenario without a rank or a position."""
    d = entry["diagram"]
    rank, x, y = entry["rank"], d["x"], d["y"]
    if rank is None or x is None or y is None:
        return None
    return Marker(
        id=entry["id"],
        title=entry["title"],
        rank=rank,
        domain=entry["domain"],
        malicious=entry["malicious"],
        x=x,
        y=y,
        x_low=d["x_low"],
        x_high=d["x_high"],
        y_low=d["y_low"],
        y_high=d["y_high"],
        box=box,
    )


def _a(value: object) -> str:
    """An attribute value, quoted and escaped."""
    return quoteattr(str(value))


def _f(x: float) -> str:
    return f"{x:.1f}"


def _ramp(u: float) -> str:
    u = min(max(u, 0.0), 1.0)
    for (u0, c0), (u1, c1) in itertools.pairwise(_RAMP):
        if u <= u1:
            w = 0.0 if u1 == u0 else (u - u0) / (u1 - u0)
            rgb = [round(a + (b - a) * w) for a, b in zip(c0, c1, strict=True)]
            return "#" + "".join(f"{v:02X}" for v in rgb)
    return "#" + "".join(f"{v:02X}" for v in _RAMP[-1][1])


def _outline(domain: str, cx: float, cy: float, r: float, style: str) -> str:
    if domain == "external":
        h = r * 0.9
        return (
            f"<rect x={_a(_f(cx - h))} y={_a(_f(cy - h))} width={_a(_f(2 * h))} "
            f'height={_a(_f(2 * h))} rx="1.5" {style}/>'
        )
    if domain == "both":
        d = r * 1.22
        corners = ((cx, cy - d), (cx + d, cy), (cx, cy + d), (cx - d, cy))
        pts = " ".join(f"{_f(x)},{_f(y)}" for x, y in corners)
        return f'<polygon points={_a(pts)} stroke-linejoin="round" {style}/>'
    return f"<circle cx={_a(_f(cx))} cy={_a(_f(cy))} r={_a(_f(r))} {style}/>"


def shape(
    domain: str, cx: float, cy: float, r: float, filled: bool, stroke_width: float = 2.2
) -> str:
    """The marker shape of a domain: circle (internal), square (external), diamond (both)."""
    colour = DOMAIN_COLOURS.get(domain, "#555555")
    fill = colour if filled else "#FFFFFF"
    style = f"fill={_a(fill)} stroke={_a(colour)} stroke-width={_a(_f(stroke_width))}"
    return _outline(domain, cx, cy, r, style)


def _halo(domain: str, cx: float, cy: float, r: float) -> str:
    return _outline(domain, cx, cy, r, 'fill="#FFFFFF" stroke="none"')


def icon(domain: str, malicious: bool, size: int = 14) -> str:
    """A small stand-alone SVG of the marker, for tables and legends."""
    r = size / 2 - 2.2
    c = size / 2
    return (
        f'<svg class="icon" xmlns="http://www.w3.org/2000/svg" width="{size}" height="{size}" '
        f'viewBox="0 0 {size} {size}" aria-hidden="true">'
        f"{shape(domain, c, c, r, malicious, 1.6)}</svg>"
    )


def _scalers(
    x_axis: Axis, y_axis: Axis, left: float, width: float, bottom: float, height: float
) -> tuple[Callable[[float], float], Callable[[float], float]]:
    """Positions on the two class axes -> SVG x and y (clamped to the axes)."""

    def px(x: float) -> float:
        x = min(max(x, x_axis.low), x_axis.high)
        return left + (x - x_axis.low) / (x_axis.high - x_axis.low) * width

    def py(y: float) -> float:
        y = min(max(y, y_axis.low), y_axis.high)
        return bottom - (y - y_axis.low) / (y_axis.high - y_axis.low) * height

    return px, py


def _wrap(text: str, width_px: float, font_px: float = 11.0) -> list[str]:
    chars = max(8, int(width_px / (font_px * 0.55)))
    return textwrap.wrap(text, chars) or [""]


def _spread_place(
    points: list[tuple[float, float]], boxes: list[tuple[float, float, float, float]]
) -> list[tuple[float, float]]:
    """Move markers apart until none overlap (deterministic).

    Each marker stays inside its box (the cell of its class, so a marker never seems to move
    into another class); markers move sideways rather than up or down where they can.

    A marker stays at least :data:`CELL_MARGIN` inside its cell, so markers of different cells
    never overlap: each cell is settled on its own (the same moves, in the same order, as when
    all pairs are compared). A cell holding more markers than can fit without overlap (see
    :func:`_capacity`) cannot be settled by pushing; its markers are laid out on an even grid
    in the order of their positions instead, so the time grows linearly with the markers.
    """
    q = [list(p) for p in points]
    inner = [
        (x0 + CELL_MARGIN, y0 + CELL_MARGIN, x1 - CELL_MARGIN, y1 - CELL_MARGIN)
        for x0, y0, x1, y1 in boxes
    ]
    for k in range(len(q)):
        _clamp(q, inner, k)
    for members in _crowded_cells(boxes):
        if len(members) > _capacity(inner[members[0]]):
            _crowd(q, inner[members[0]], members)
        else:
            _push_apart(q, inner, members)
    for axis in (0, 1):
        _lanes(q, boxes, inner, axis)
    return [(p[0], p[1]) for p in q]


_GAP = 2 * MARKER_R * 1.22 + 2.0
"""The distance between two marker centres below which they overlap (diamonds reach furthest)."""


def _crowded_cells(boxes: list[tuple[float, float, float, float]]) -> list[list[int]]:
    """The markers (indices) of each cell that holds two or more, in the order of the boxes."""
    cells: dict[tuple[float, float, float, float], list[int]] = {}
    for k, box in enumerate(boxes):
        cells.setdefault(box, []).append(k)
    return [members for members in cells.values() if len(members) > 1]


def _clamp(q: list[list[float]], inner: list[tuple[float, float, float, float]], k: int) -> None:
    x0, y0, x1, y1 = inner[k]
    q[k][0] = (x0 + x1) / 2 if x1 < x0 else min(max(q[k][0], x0), x1)
    q[k][1] = (y0 + y1) / 2 if y1 < y0 else min(max(q[k][1], y0), y1)


def _capacity(box: tuple[float, float, float, float]) -> int:
    """An upper bound on how many markers fit in ``box`` (their allowed centres) without
    overlap: discs of diameter :data:`_GAP` around the centres are disjoint and lie inside the
    box grown by half a gap on each side, so their area bounds their number."""
    w, h = max(box[2] - box[0], 0.0), max(box[3] - box[1], 0.0)
    return math.floor(4 * (w + _GAP) * (h + _GAP) / (math.pi * _GAP**2))


def _push_apart(
    q: list[list[float]], inner: list[tuple[float, float, float, float]], members: list[int]
) -> None:
    """Push the overlapping markers of one cell apart, pair by pair (in place)."""
    gap = _GAP
    golden = math.pi * (3 - math.sqrt(5))
    for _ in range(500):
        moved = False
        for a, i in enumerate(members):
            for j in members[a + 1 :]:
                dx, dy = q[j][0] - q[i][0], q[j][1] - q[i][1]
                d = math.hypot(dx, dy)
                if d >= gap:
                    continue
                if abs(dx) < 0.5:  # one above the other: still move them sideways
                    dx = 0.5 if j % 2 else -0.5
                if d < 1e-6:
                    angle = golden * (j + 1)
                    dx, dy = math.cos(angle), math.sin(angle)
                d = max(d, 1e-6)
                push = (gap - d) / 2 + 0.05
                # mostly sideways: the vertical share of the push is damped
                ux, uy = dx, 0.35 * dy
                norm = math.hypot(ux, uy) or 1.0
                ux, uy = ux / norm, uy / norm
                q[i][0] -= ux * push
                q[i][1] -= uy * push
                q[j][0] += ux * push
                q[j][1] += uy * push
                _clamp(q, inner, i)
                _clamp(q, inner, j)
                moved = True
        if not moved:
            break


def _crowd(
    q: list[list[float]], box: tuple[float, float, float, float], members: list[int]
) -> None:
    """Lay out the markers of an over-full cell on an even grid filling ``box``: rows from the
    top by their vertical position, each row by horizontal position (in place)."""
    x0, y0, x1, y1 = box
    w, h = max(x1 - x0, 0.0), max(y1 - y0, 0.0)
    n = len(members)
    cols = max(1, min(n, round(math.sqrt(n * (w + _GAP) / (h + _GAP)))))
    rows = math.ceil(n / cols)
    by_y = sorted(members, key=lambda k: (q[k][1], q[k][0], k))
    for r in range(rows):
        row = sorted(by_y[r * cols : (r + 1) * cols], key=lambda k: (q[k][0], k))
        for c, k in enumerate(row):
            q[k][0] = x0 + w / 2 if len(row) == 1 else x0 + w * c / (len(row) - 1)
            q[k][1] = y0 + h / 2 if rows == 1 else y0 + h * r / (rows - 1)


def _lanes(
    q: list[list[float]],
    boxes: list[tuple[float, float, float, float]],
    inner: list[tuple[float, float, float, float]],
    axis: int,
) -> None:
    """Give the markers of one cell distinct rows (``axis`` 1) or columns (``axis`` 0), at
    least :data:`LANE` apart where the cell has room, keeping their order (in place)."""
    for members in _crowded_cells(boxes):
        lo, hi = inner[members[0]][axis], inner[members[0]][axis + 2]
        if hi < lo:
            continue
        order = sorted(members, key=lambda k: (q[k][axis], k))
        step = min(LANE, (hi - lo) / (len(order) - 1))
        # sweep forward, then back from the far edge: the smallest moves that make room
        for a, b in itertools.pairwise(order):
            q[b][axis] = max(q[b][axis], q[a][axis] + step)
        q[order[-1]][axis] = min(q[order[-1]][axis], hi)
        for a, b in itertools.pairwise(reversed(order)):
            q[b][axis] = min(q[b][axis], q[a][axis] - step)
        q[order[0]][axis] = max(q[order[0]][axis], lo)


def risk_diagram(
    scenarios: Sequence[Marker],
    x_axis: Axis,
    y_axis: Axis,
    lang: str = "en",
    title: str | None = None,
    serious_cells: frozenset[tuple[int, int]] = frozenset(),
    boxes: bool = False,
    moves: Sequence[Move] = (),
    description: tuple[str, str] | None = None,
    name: str | None = None,
    move_label: str | None = None,
) -> str:
    """The SVG of one risk diagram.

    ``scenarios``: the markers (see :func:`marker_of`). ``serious_cells``: the (likelihood class
    index, impact class index) cells that hold serious risks; the zone gets a dashed outline.
    ``boxes``: instead of the analysts' spread (whiskers), draw each marker's ``box`` (the Monte
    Carlo 5-95% interval of its position) as a translucent rectangle; the marker stays at the
    central value. ``moves``: an arrow per scenario from its marker to where it goes, and a faint
    ring where it came from (see :class:`Move`). ``description``: an id and a text for the
    SVG's ``<desc>`` (its accessible description). ``name``: the accessible name, what the
    picture shows (default: the panel's title, else the impact axis's title).
    SVG's ``<desc>`` (its accessible description). ``move_label``: the legend's words for the
    arrows (default: the strategy's target and inherent risk).
    """
    top = 40.0 if title else 14.0
    plot_l, plot_t = float(MARGIN_L), top
    plot_w = float(WIDTH - MARGIN_L - MARGIN_R)
    plot_h = float(PLOT_H)
    plot_b = plot_t + plot_h
    nx, ny = len(x_axis.classes), len(y_axis.classes)
    cw, ch = plot_w / nx, plot_h / ny

    px, py = _scalers(x_axis, y_axis, plot_l, plot_w, plot_b, plot_h)

    # tick label heights decide the size of the bottom part
    x_lines = [_wrap(c.label, cw - 8) for c in x_axis.classes]
    tick_h = 16 + 13 * max((len(lines) for lines in x_lines), default=1)
    axis_title_y = plot_b + tick_h + 22
    legend_y = axis_title_y + 30
    height = legend_y + 58 + (24 if moves else 0)

    described = ""
    if description is not None:
        described = f" aria-describedby={_a(description[0])}"
    out: list[str] = [
        f'<svg class="risk-diagram" xmlns="http://www.w3.org/2000/svg" '
        f'viewBox="0 0 {WIDTH} {_f(height)}" width="100%" role="img" '
        f'font-family={_a(FONT)} font-size="12" aria-label={_a(name or title or y_axis.title)}'
        f"{described}>"
    ]
    if description is not None:
        out.append(f"<desc id={_a(description[0])}>{escape(description[1])}</desc>")
    if title:
        out.append(
            f'<text x="{_f(plot_l)}" y="24" font-size="15" font-weight="600" '
            f'fill="#1B2430">{escape(title)}</text>'
        )

    # background cells
    span = max(nx + ny - 2, 1)
    out.append('<g class="cells">')
    for i in range(nx):
        for j in range(ny):
            x = plot_l + i * cw
            y = plot_b - (j + 1) * ch
            out.append(
                f'<rect x="{_f(x)}" y="{_f(y)}" width="{_f(cw)}" height="{_f(ch)}" '
                f'fill="{_ramp((i + j) / span)}" stroke="#FFFFFF" stroke-width="2"/>'
            )
    out.append("</g>")
    out.append(
        f'<rect x="{_f(plot_l)}" y="{_f(plot_t)}" width="{_f(plot_w)}" height="{_f(plot_h)}" '
        'fill="none" stroke="#8A94A3" stroke-width="1"/>'
    )
    zone = _zone_outline(x_axis, y_axis, serious_cells, plot_l, plot_b, cw, ch)
    if zone:
        out.append(
            f'<path class="serious-zone" d="{zone}" fill="none" stroke="{ZONE_COLOUR}" '
            'stroke-width="2.2" stroke-dasharray="7 4" stroke-linecap="square"/>'
        )

    # x ticks: code, then the label (wrapped)
    out.append('<g class="x-ticks" fill="#1B2430" text-anchor="middle">')
    for i, (c, lines) in enumerate(zip(x_axis.classes, x_lines, strict=True)):
        cx = plot_l + (i + 0.5) * cw
        out.append(
            f'<text x="{_f(cx)}" y="{_f(plot_b + 16)}" font-weight="700">{escape(c.code)}</text>'
        )
        for k, line in enumerate(lines):
            out.append(
                f'<text x="{_f(cx)}" y="{_f(plot_b + 30 + 13 * k)}" font-size="11" '
                f'fill="#3A4452">{escape(line)}</text>'
            )
    out.append("</g>")
    out.append(
        f'<text x="{_f(plot_l + plot_w / 2)}" y="{_f(axis_title_y)}" text-anchor="middle" '
        f'font-size="13" font-weight="600" fill="#1B2430">{escape(x_axis.title)} →</text>'
    )

    # y ticks: code next to the axis, the label to its left
    out.append('<g class="y-ticks" fill="#1B2430">')
    for j, c in enumerate(y_axis.classes):
        cy = plot_b - (j + 0.5) * ch
        out.append(
            f'<text x="{_f(plot_l - 10)}" y="{_f(cy + 4)}" text-anchor="end" '
            f'font-weight="700">{escape(c.code)}</text>'
        )
        lines = _wrap(c.label, MARGIN_L - 62)
        y0 = cy + 4 - 6.5 * (len(lines) - 1)
        for k, line in enumerate(lines):
            out.append(
                f'<text x="{_f(plot_l - 28)}" y="{_f(y0 + 13 * k)}" text-anchor="end" '
                f'font-size="11" fill="#3A4452">{escape(line)}</text>'
            )
    out.append("</g>")
    ty = plot_t + plot_h / 2
    out.append(
        f'<text x="16" y="{_f(ty)}" transform="rotate(-90 16 {_f(ty)})" text-anchor="middle" '
        f'font-size="13" font-weight="600" fill="#1B2430">{escape(y_axis.title)} →</text>'
    )

    # scenarios: highest rank number first, so the top risks are drawn on top
    placed = sorted(scenarios, key=lambda s: -s.rank)
    true_pts = [(px(s.x), py(s.y)) for s in placed]
    cells = []
    for s in placed:
        i = math.floor(s.x + 0.5) - x_axis.classes[0].index
        j = math.floor(s.y + 0.5) - y_axis.classes[0].index
        i, j = min(max(i, 0), nx - 1), min(max(j, 0), ny - 1)
        cells.append(
            (plot_l + i * cw, plot_b - (j + 1) * ch, plot_l + (i + 1) * cw, plot_b - j * ch)
        )
    shown = _spread_place(true_pts, cells)

    if boxes:
        out.append(_uncertainty_boxes(placed, px, py))
    else:
        out.append(_whiskers(placed, shown, px, py))
    on_top = ""
    if moves:
        under, on_top = _moves(placed, true_pts, moves, px, py)
        out.append(under)

    out.append('<g class="leaders">')
    any_moved = False
    for s, (tx, ty_), (sx, sy) in zip(placed, true_pts, shown, strict=True):
        if math.hypot(sx - tx, sy - ty_) > 2.5:
            any_moved = True
            colour = DOMAIN_COLOURS.get(s.domain, "#555555")
            out.append(
                f'<g data-for={_a(s.id)}><line x1="{_f(tx)}" y1="{_f(ty_)}" x2="{_f(sx)}" '
                f'y2="{_f(sy)}" stroke="#1B2430" stroke-width="0.9" stroke-opacity="0.75"/>'
                f'<circle cx="{_f(tx)}" cy="{_f(ty_)}" r="2.6" fill="{colour}" '
                'stroke="#1B2430" stroke-width="0.6"/></g>'
            )
    out.append("</g>")

    out.append('<g class="markers" text-anchor="middle" font-weight="700">')
    for s, (sx, sy) in zip(placed, shown, strict=True):
        domain, malicious, rank = s.domain, s.malicious, s.rank
        colour = DOMAIN_COLOURS.get(domain, "#555555")
        font = 11 if rank < 100 else 9
        tooltip = f"{rank}. {s.title}"
        out.append(
            f'<g class="marker" data-rank="{rank}" data-id={_a(s.id)}>'
            f"<title>{escape(tooltip)}</title>"
            # a white halo keeps the marker readable on any background
            + _halo(domain, sx, sy, MARKER_R + 1.8)
            + shape(domain, sx, sy, MARKER_R, malicious)
            + f'<text x="{_f(sx)}" y="{_f(sy + font * 0.36)}" font-size="{font}" '
            f'fill="{"#FFFFFF" if malicious else colour}">{rank}</text></g>'
        )
    out.append("</g>")
    out.append(on_top)

    # legend
    legend = _legend(legend_y, lang, bool(zone), any_moved, boxes, bool(moves), move_label)
    out.append(f'<g class="legend" font-size="11.5" fill="#1B2430">{legend}</g>')
    out.append("</svg>")
    return "".join(out)


def _zone_outline(
    x_axis: Axis,
    y_axis: Axis,
    cells: frozenset[tuple[int, int]],
    left: float,
    bottom: float,
    cw: float,
    ch: float,
) -> str:
    """Path of the border between serious and other cells (inner edges only)."""
    xs = [c.index for c in x_axis.classes]
    ys = [c.index for c in y_axis.classes]
    on = {(i, j) for i, xi in enumerate(xs) for j, yj in enumerate(ys) if (xi, yj) in cells}
    parts: list[str] = []
    for i, j in sorted(on):
        x0, x1 = left + i * cw, left + (i + 1) * cw
        y0, y1 = bottom - (j + 1) * ch, bottom - j * ch
        if i > 0 and (i - 1, j) not in on:
            parts.append(f"M{_f(x0)} {_f(y0)}V{_f(y1)}")
        if i < len(xs) - 1 and (i + 1, j) not in on:
            parts.append(f"M{_f(x1)} {_f(y0)}V{_f(y1)}")
        if j > 0 and (i, j - 1) not in on:
            parts.append(f"M{_f(x0)} {_f(y1)}H{_f(x1)}")
        if j < len(ys) - 1 and (i, j + 1) not in on:
            parts.append(f"M{_f(x0)} {_f(y0)}H{_f(x1)}")
    return "".join(parts)


def _whiskers(
    placed: Sequence[Marker],
    through: Sequence[tuple[float, float]],
    px: Callable[[float], float],
    py: Callable[[float], float],
) -> str:
    """The analysts' spread: whiskers through each marker as drawn (a marker moved aside in a
    crowded cell takes its whiskers along, so each bar leads to its marker); the bars span the
    lowest to the highest estimate."""
    out = ['<g class="whiskers" stroke-width="1.6" stroke-linecap="round">']
    for s, (tx, ty_) in zip(placed, through, strict=True):
        colour = DOMAIN_COLOURS.get(s.domain, "#555555")
        x_lo, x_hi, y_lo, y_hi = s.x_low, s.x_high, s.y_low, s.y_high
        if x_lo is not None and x_hi is not None and px(x_hi) - px(x_lo) > 1:
            a, b = px(x_lo), px(x_hi)
            out.append(
                f'<path d="M{_f(a)} {_f(ty_)}H{_f(b)}M{_f(a)} {_f(ty_ - 4)}V{_f(ty_ + 4)}'
                f'M{_f(b)} {_f(ty_ - 4)}V{_f(ty_ + 4)}" stroke="{colour}" stroke-opacity="0.7" '
                f'fill="none" data-for={_a(s.id)}/>'
            )
        if y_lo is not None and y_hi is not None and py(y_lo) - py(y_hi) > 1:
            a, b = py(y_hi), py(y_lo)
            out.append(
                f'<path d="M{_f(tx)} {_f(a)}V{_f(b)}M{_f(tx - 4)} {_f(a)}H{_f(tx + 4)}'
                f'M{_f(tx - 4)} {_f(b)}H{_f(tx + 4)}" stroke="{colour}" stroke-opacity="0.7" '
                f'fill="none" data-for={_a(s.id)}/>'
            )
    out.append("</g>")
    return "".join(out)


def _uncertainty_boxes(
    placed: Sequence[Marker],
    px: Callable[[float], float],
    py: Callable[[float], float],
) -> str:
    """Translucent 5-95% boxes, widest first so that small boxes stay visible on top."""
    items = []
    for s in placed:
        if s.box is None:
            continue
        x0, x1, y0, y1 = s.box
        a, b = px(min(x0, x1)), px(max(x0, x1))
        top, bottom = py(max(y0, y1)), py(min(y0, y1))
        # a box without width or height (no uncertainty) still shows as a thin line
        if b - a < 3:
            a, b = (a + b) / 2 - 1.5, (a + b) / 2 + 1.5
        if bottom - top < 3:
            top, bottom = (top + bottom) / 2 - 1.5, (top + bottom) / 2 + 1.5
        items.append(((b - a) * (bottom - top), s, a, top, b - a, bottom - top))
    items.sort(key=lambda it: -it[0])
    parts = ['<g class="boxes">']
    for _, s, x, y, w, h in items:
        colour = DOMAIN_COLOURS.get(s.domain, "#555555")
        parts.append(
            f'<rect class="box" data-id={_a(s.id)} x="{_f(x)}" y="{_f(y)}" '
            f'width="{_f(w)}" height="{_f(h)}" rx="3" fill="{colour}" fill-opacity="0.07" '
            f'stroke="{colour}" stroke-opacity="0.6" stroke-width="1.3"/>'
        )
    parts.append("</g>")
    return "".join(parts)


def _arrow(x0: float, y0: float, x1: float, y1: float, width: float = 2.2) -> str:
    """A straight arrow whose tip is exactly at (x1, y1): a line and a filled head."""
    length = math.hypot(x1 - x0, y1 - y0) or 1.0
    ux, uy = (x1 - x0) / length, (y1 - y0) / length
    head, half = min(9.0, length * 0.8), 4.6
    bx, by = x1 - ux * head, y1 - uy * head
    pts = f"{_f(x1)},{_f(y1)} {_f(bx - uy * half)},{_f(by + ux * half)} " + (
        f"{_f(bx + uy * half)},{_f(by - ux * half)}"
    )
    return (
        f'<path d="M{_f(x0)} {_f(y0)}L{_f(bx)} {_f(by)}" stroke="{MOVE_COLOUR}" '
        f'stroke-width="{_f(width)}" stroke-linecap="round" fill="none"/>'
        f'<polygon points="{pts}" fill="{MOVE_COLOUR}"/>'
    )


def _moves(
    placed: Sequence[Marker],
    true_pts: Sequence[tuple[float, float]],
    moves: Sequence[Move],
    px: Callable[[float], float],
    py: Callable[[float], float],
) -> tuple[str, str]:
    """Faint rings where the scenarios came from, with dotted lines to their markers (drawn
    under the markers); and arrows from each marker's edge, on the line from its exact position,
    to exactly where it goes (drawn over the markers). A move shorter than a marker gets no
    arrow: it would hide under the marker."""
    by_id = {mv.id: mv for mv in moves}
    before = ['<g class="before" fill="none">']
    arrows = ['<g class="moves">']
    for s, (tx, ty) in zip(placed, true_pts, strict=True):
        mv = by_id.get(s.id)
        if mv is None:
            continue
        if mv.before is not None:
            bx, by = px(mv.before[0]), py(mv.before[1])
            if math.hypot(bx - tx, by - ty) > 1.0:
                before.append(f"<g data-for={_a(s.id)}>{_before(bx, by, tx, ty)}</g>")
        ax, ay = px(mv.x), py(mv.y)
        length = math.hypot(ax - tx, ay - ty)
        if length > ARROW_FROM + 6:
            sx = tx + (ax - tx) / length * ARROW_FROM
            sy = ty + (ay - ty) / length * ARROW_FROM
            arrows.append(f'<g class="move" data-for={_a(s.id)}>{_arrow(sx, sy, ax, ay)}</g>')
    before.append("</g>")
    arrows.append("</g>")
    return "".join(before), "".join(arrows)


def _before(bx: float, by: float, tx: float, ty: float) -> str:
    """Where a risk came from: a faint ring at (bx, by), a dotted line to (tx, ty)."""
    return (
        f'<path d="M{_f(bx)} {_f(by)}L{_f(tx)} {_f(ty)}" stroke="{BEFORE_COLOUR}" '
        'stroke-width="1.3" stroke-dasharray="2 3" stroke-opacity="0.8"/>'
        f'<circle cx="{_f(bx)}" cy="{_f(by)}" r="5" stroke="{BEFORE_COLOUR}" '
        'stroke-width="1.4" fill="#FFFFFF" fill-opacity="0.6"/>'
    )


def _moves_legend(y: float, lang: str, label: str | None = None) -> str:
    """The legend's row of a diagram with moves: the arrow and the faint ring (or the arrow
    alone with ``label``)."""
    x = float(MARGIN_L)
    if label is not None:
        return (
            _arrow(x, y, x + 30, y)
            + f'<text x="{_f(x + 38)}" y="{_f(y + 4)}">{escape(label)}</text>'
        )
    target = t("rep_strategy_legend_target", lang)
    x2 = x + 38 + 6.4 * len(target) + 22
    return (
        _arrow(x, y, x + 30, y)
        + f'<text x="{_f(x + 38)}" y="{_f(y + 4)}">{escape(target)}</text>'
        + _before(x2 + 5, y, x2 + 30, y)
        + f'<text x="{_f(x2 + 38)}" y="{_f(y + 4)}">'
        + f"{escape(t('rep_strategy_legend_inherent', lang))}</text>"
    )


def _legend(
    y: float,
    lang: str,
    zone: bool,
    moved: bool,
    boxes: bool = False,
    moves: bool = False,
    move_label: str | None = None,
) -> str:
    parts: list[str] = []
    x = float(MARGIN_L)
    for domain in DOMAINS:
        parts.append(shape(domain, x + 7, y, 6.5, True, 1.6))
        label = t(f"legend_{domain}", lang)
        parts.append(f'<text x="{_f(x + 19)}" y="{_f(y + 4)}">{escape(label)}</text>')
        x += 19 + 6.4 * len(label) + 26
    if zone:
        parts.append(
            f'<path d="M{_f(x)} {_f(y)}H{_f(x + 26)}" stroke="{ZONE_COLOUR}" stroke-width="2.2" '
            'stroke-dasharray="7 4"/>'
        )
        label = t("legend_zone", lang)
        parts.append(f'<text x="{_f(x + 33)}" y="{_f(y + 4)}">{escape(label)}</text>')
    y2 = y + 24
    x = float(MARGIN_L)
    grey = "#4A5361"
    parts.append(
        f'<circle cx="{_f(x + 7)}" cy="{_f(y2)}" r="6.5" fill="{grey}" stroke="{grey}" '
        'stroke-width="1.6"/>'
    )
    label = t("legend_malicious", lang)
    parts.append(f'<text x="{_f(x + 19)}" y="{_f(y2 + 4)}">{escape(label)}</text>')
    x += 19 + 6.4 * len(label) + 22
    parts.append(
        f'<circle cx="{_f(x + 7)}" cy="{_f(y2)}" r="6.5" fill="#FFFFFF" stroke="{grey}" '
        'stroke-width="1.6"/>'
    )
    label = t("legend_non_malicious", lang)
    parts.append(f'<text x="{_f(x + 19)}" y="{_f(y2 + 4)}">{escape(label)}</text>')
    x += 19 + 6.4 * len(label) + 22
    if boxes and not moves:
        parts.append(
            f'<rect x="{_f(x)}" y="{_f(y2 - 7)}" width="26" height="14" rx="3" fill="{grey}" '
            f'fill-opacity="0.08" stroke="{grey}" stroke-opacity="0.7" stroke-width="1.3"/>'
        )
    elif not moves:
        parts.append(
            f'<path d="M{_f(x)} {_f(y2)}H{_f(x + 26)}M{_f(x)} {_f(y2 - 4)}V{_f(y2 + 4)}'
            f'M{_f(x + 26)} {_f(y2 - 4)}V{_f(y2 + 4)}" stroke="{grey}" stroke-width="1.6" '
            'fill="none"/>'
        )
    if not moves:
        label = t("legend_box" if boxes else "legend_spread", lang)
        parts.append(f'<text x="{_f(x + 33)}" y="{_f(y2 + 4)}">{escape(label)}</text>')
        x += 33 + 6.4 * len(label) + 22
    if moved:
        parts.append(
            f'<line x1="{_f(x)}" y1="{_f(y2 + 3)}" x2="{_f(x + 18)}" y2="{_f(y2 - 3)}" '
            'stroke="#1B2430" stroke-width="0.9"/>'
            f'<circle cx="{_f(x)}" cy="{_f(y2 + 3)}" r="2.6" fill="{grey}" stroke="#1B2430" '
            'stroke-width="0.6"/>'
        )
        label = t("legend_moved", lang)
        parts.append(f'<text x="{_f(x + 25)}" y="{_f(y2 + 4)}">{escape(label)}</text>')
    if moves:
        parts.append(_moves_legend(y2 + 24, lang, move_label))
    return "".join(parts)


MINI_W = 196.0
MINI_H = 150.0


def mini_diagram(
    entry: Marker,
    others: Sequence[Marker],
    x_axis: Axis,
    y_axis: Axis,
    serious_cells: frozenset[tuple[int, int]] = frozenset(),
    label: str = "",
) -> str:
    """One scenario's uncertainty box on a small risk diagram, the others as grey dots.

    ``entry`` and ``others``: markers; ``entry.box`` is the Monte Carlo 5-95% interval of its
    position.
    """
    plot_l, plot_t = 20.0, 4.0
    plot_w, plot_h = MINI_W - plot_l - 4, MINI_H - plot_t - 18
    plot_b = plot_t + plot_h
    nx, ny = len(x_axis.classes), len(y_axis.classes)
    cw, ch = plot_w / nx, plot_h / ny

    px, py = _scalers(x_axis, y_axis, plot_l, plot_w, plot_b, plot_h)

    out = [
        f'<svg class="mini-diagram" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 '
        f'{_f(MINI_W)} {_f(MINI_H)}" width="100%" role="img" font-family={_a(FONT)} '
        f'font-size="9" aria-label={_a(label)} data-id={_a(entry.id)}>'
    ]
    span = max(nx + ny - 2, 1)
    for i in range(nx):
        for j in range(ny):
            out.append(
                f'<rect x="{_f(plot_l + i * cw)}" y="{_f(plot_b - (j + 1) * ch)}" '
                f'width="{_f(cw)}" height="{_f(ch)}" fill="{_ramp((i + j) / span)}" '
                'fill-opacity="0.75" stroke="#FFFFFF" stroke-width="1"/>'
            )
    zone = _zone_outline(x_axis, y_axis, serious_cells, plot_l, plot_b, cw, ch)
    if zone:
        out.append(
            f'<path d="{zone}" fill="none" stroke="{ZONE_COLOUR}" stroke-width="1.3" '
            'stroke-dasharray="4 3"/>'
        )
    out.append(
        f'<rect x="{_f(plot_l)}" y="{_f(plot_t)}" width="{_f(plot_w)}" height="{_f(plot_h)}" '
        'fill="none" stroke="#8A94A3" stroke-width="0.8"/>'
    )
    for i, c in enumerate(x_axis.classes):
        out.append(
            f'<text x="{_f(plot_l + (i + 0.5) * cw)}" y="{_f(plot_b + 12)}" '
            f'text-anchor="middle" fill="#3A4452">{escape(c.code)}</text>'
        )
    for j, c in enumerate(y_axis.classes):
        out.append(
            f'<text x="{_f(plot_l - 5)}" y="{_f(plot_b - (j + 0.5) * ch + 3)}" '
            f'text-anchor="end" fill="#3A4452">{escape(c.code)}</text>'
        )
    for s in others:
        if s.id == entry.id:
            continue
        out.append(
            f'<circle cx="{_f(px(s.x))}" cy="{_f(py(s.y))}" r="2.2" fill="#5A6472" '
            'fill-opacity="0.45"/>'
        )
    domain = entry.domain
    colour = DOMAIN_COLOURS.get(domain, "#555555")
    if entry.box is not None:
        x0, x1, y0, y1 = entry.box
        a, b = px(min(x0, x1)), px(max(x0, x1))
        top, bottom = py(max(y0, y1)), py(min(y0, y1))
        if b - a < 3:
            a, b = (a + b) / 2 - 1.5, (a + b) / 2 + 1.5
        if bottom - top < 3:
            top, bottom = (top + bottom) / 2 - 1.5, (top + bottom) / 2 + 1.5
        out.append(
            f'<rect class="box" x="{_f(a)}" y="{_f(top)}" width="{_f(b - a)}" '
            f'height="{_f(bottom - top)}" rx="2" fill="{colour}" fill-opacity="0.16" '
            f'stroke="{colour}" stroke-width="1.4"/>'
        )
    out.append(_halo(domain, px(entry.x), py(entry.y), 7.6))
    out.append(shape(domain, px(entry.x), py(entry.y), 6.0, entry.malicious, 1.8))
    out.append("</svg>")
    return "".join(out)
