"""The strategy network as inline SVG: strategies -> measures -> national risks <- international
developments, in four columns from left to right.

Pure: nodes and links in, an SVG string out (no scripts). Each node is a box with its title
wrapped inside it (never cut off) and the shape of its sphere: circle national (or of internal
origin), square international (or of external origin), diamond both, as in the risk diagram.
Links run only between neighbouring columns; a link that crosses between the national and the
international sphere is drawn in its own colour *and* dashed, with a legend. The order within
a column follows its neighbours (a few barycentre sweeps, deterministic) so that links cross
little.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape

from nsra.i18n import t
from nsra.report.diagram import DOMAIN_COLOURS, FONT, _a, _f, shape

NET_W = 900.0
COLUMN_W = (150.0, 196.0, 196.0, 162.0)
PAD = 12.0
FONT_PX = 11.0
LINE_H = 13.5
BOX_PAD = 5.0
GAP = 7.0
HEADER_H = 34.0
CROSS_COLOUR = "#B3261E"
CROSS_DASH = "7 4"
LINK_COLOUR = "#7A8594"
SPHERE_DOMAIN = {"national": "internal", "international": "external", "both": "both"}


@dataclass(frozen=True)
class NetNode:
    """A node: ``key`` unique over the picture, ``column`` 0 strategies, 1 measures, 2 national
    risks, 3 developments; ``sphere`` national, international or both."""

    key: str
    column: int
    label: str
    sphere: str
    tooltip: str


@dataclass(frozen=True)
class NetLink:
    source: str
    target: str
    crosses: bool
    tooltip: str


@dataclass(frozen=True)
class NodeBox:
    x: float
    y: float
    w: float
    h: float
    lines: tuple[str, ...]


def column_x() -> list[float]:
    """The left edge of each column."""
    gap = (NET_W - 2 * PAD - sum(COLUMN_W)) / (len(COLUMN_W) - 1)
    out, x = [], PAD
    for w in COLUMN_W:
        out.append(x)
        x += w + gap
    return out


_NARROW = set("iljtfrI.,;:'!|()[] -/")
_WIDE = set("mwMW@%")


def text_width(text: str, font_px: float = FONT_PX) -> float:
    """An estimate of the width of ``text`` in a sans-serif font, on the wide side (DejaVu Sans,
    one of the widest, fits): narrow letters 0.34 em, wide ones 0.92 em, capitals 0.72 em,
    digits and other letters 0.64 em."""
    em = 0.0
    for ch in text:
        if ch in _NARROW:
            em += 0.34
        elif ch in _WIDE:
            em += 0.92
        elif ch.isupper():
            em += 0.72
        else:
            em += 0.64
    return em * font_px * 1.05  # a margin for wider fonts still


def _lines(text: str, width: float) -> tuple[str, ...]:
    """``text`` in lines that fit a box ``width`` wide: broken at spaces, after hyphens, and
    inside a word too long for a line (with a hyphen added); never cut off."""
    room = width - 2 * BOX_PAD - 17
    words = re.findall(r"\S+?-(?=\S)|\S+", text) or [""]
    lines: list[str] = []
    line = ""
    for word in words:
        joined = (line + ("" if not line or line.endswith("-") else " ") + word) if line else word
        if text_width(joined) <= room:
            line = joined
            continue
        if line:
            lines.append(line)
        line = word
        while text_width(line) > room:  # a word longer than a line: break it, with a hyphen
            cut = max(k for k in range(1, len(line)) if text_width(line[:k] + "-") <= room)
            lines.append(line[:cut] + "-")
            line = line[cut:]
    lines.append(line)
    return tuple(lines)


def _order(nodes: Sequence[NetNode], links: Sequence[NetLink]) -> dict[str, float]:
    """A place per node within its column (0..1), by barycentre sweeps over the neighbours."""
    columns: dict[int, list[str]] = {}
    for n in nodes:
        columns.setdefault(n.column, []).append(n.key)
    near: dict[str, list[str]] = {n.key: [] for n in nodes}
    for e in links:
        if e.source in near and e.target in near:
            near[e.source].append(e.target)
            near[e.target].append(e.source)

    def places() -> dict[str, float]:
        out = {}
        for keys in columns.values():
            for i, k in enumerate(keys):
                out[k] = (i + 0.5) / len(keys)
        return out

    place = places()
    for sweep in range(6):
        order = sorted(columns) if sweep % 2 == 0 else sorted(columns, reverse=True)
        for c in order:
            keys = columns[c]

            def centre(k: str, p: dict[str, float] = place) -> float:
                others = near[k]
                return sum(p[o] for o in others) / len(others) if others else p[k]

            columns[c] = sorted(keys, key=lambda k: (centre(k), keys.index(k)))
            place = places()
    return place


def _stack(heights: list[float], wanted: list[float], top: float, bottom: float) -> list[float]:
    """Tops of boxes kept in order without overlap, each as near its wanted top as it can."""
    ys = list(wanted)
    for i in range(len(ys)):
        low = top if i == 0 else ys[i - 1] + heights[i - 1] + GAP
        ys[i] = max(ys[i], low)
    for i in range(len(ys) - 1, -1, -1):
        high = bottom - heights[i] if i == len(ys) - 1 else ys[i + 1] - GAP - heights[i]
        ys[i] = min(ys[i], high)
    for i in range(len(ys)):
        low = top if i == 0 else ys[i - 1] + heights[i - 1] + GAP
        ys[i] = max(ys[i], low)
    return ys


def layout(nodes: Sequence[NetNode], links: Sequence[NetLink]) -> tuple[dict[str, NodeBox], float]:
    """Boxes per node key, and the bottom of the lowest box."""
    xs = column_x()
    place = _order(nodes, links)
    columns: dict[int, list[NetNode]] = {}
    for n in sorted(nodes, key=lambda n: place[n.key]):
        columns.setdefault(n.column, []).append(n)
    lines = {n.key: _lines(n.label, COLUMN_W[n.column]) for n in nodes}
    height = {k: 2 * BOX_PAD + LINE_H * len(v) for k, v in lines.items()}
    totals = {c: sum(height[n.key] + GAP for n in ns) - GAP for c, ns in columns.items()}
    top = HEADER_H + 8
    bottom = top + max(totals.values(), default=0.0)
    ys: dict[str, float] = {}
    # the tallest column is stacked; the others go next to their neighbours
    tallest = max(totals, key=lambda c: (totals[c], -c)) if totals else 0
    for c, ns in columns.items():
        start = top + (bottom - top - totals[c]) / 2
        acc = start
        for n in ns:
            ys[n.key] = acc
            acc += height[n.key] + GAP
    near: dict[str, list[str]] = {n.key: [] for n in nodes}
    for e in links:
        if e.source in near and e.target in near:
            near[e.source].append(e.target)
            near[e.target].append(e.source)
    for _ in range(4):
        for c in sorted(columns, key=lambda c: abs(c - tallest)):
            if c == tallest:
                continue
            ns = columns[c]
            wanted = []
            for n in ns:
                centres = [ys[o] + height[o] / 2 for o in near[n.key]]
                mid = sum(centres) / len(centres) if centres else ys[n.key] + height[n.key] / 2
                wanted.append(mid - height[n.key] / 2)
            placed = _stack([height[n.key] for n in ns], wanted, top, bottom)
            for n, y in zip(ns, placed, strict=True):
                ys[n.key] = y
    boxes = {
        n.key: NodeBox(xs[n.column], ys[n.key], COLUMN_W[n.column], height[n.key], lines[n.key])
        for n in nodes
    }
    return boxes, bottom


def _ports(
    links: Sequence[NetLink], boxes: dict[str, NodeBox]
) -> dict[tuple[int, str], tuple[float, float]]:
    """Where each link leaves its source and reaches its target: spread over the box's side,
    in the order of the other ends, so that links into one box do not pile up."""
    sides: dict[tuple[str, str], list[tuple[float, int, str]]] = {}
    for i, e in enumerate(links):
        a, b = boxes[e.source], boxes[e.target]
        rightwards = a.x < b.x
        src_side = "right" if rightwards else "left"
        dst_side = "left" if rightwards else "right"
        sides.setdefault((e.source, src_side), []).append((b.y + b.h / 2, i, "s"))
        sides.setdefault((e.target, dst_side), []).append((a.y + a.h / 2, i, "t"))
    out: dict[tuple[int, str], tuple[float, float]] = {}
    for (key, side), ends in sides.items():
        box = boxes[key]
        ends.sort()
        x = box.x + box.w if side == "right" else box.x
        usable = max(box.h - 8, 0.0)
        for k, (_, i, end) in enumerate(ends):
            y = box.y + 4 + usable * (k + 0.5) / len(ends)
            out[(i, end)] = (x, y)
    return out


def _link(start: tuple[float, float], stop: tuple[float, float]) -> tuple[str, str]:
    """A horizontal S-curve from ``start`` to an arrow head whose tip is at ``stop``."""
    (x0, y0), (x1, y1) = start, stop
    direction = 1.0 if x1 > x0 else -1.0
    head, half = 7.0, 3.6
    bx = x1 - direction * head
    mid = (x0 + bx) / 2
    path = f"M{_f(x0)} {_f(y0)}C{_f(mid)} {_f(y0)} {_f(mid)} {_f(y1)} {_f(bx)} {_f(y1)}"
    pts = f"{_f(x1)},{_f(y1)} {_f(bx)},{_f(y1 - half)} {_f(bx)},{_f(y1 + half)}"
    return path, pts


def strategy_network_svg(
    nodes: Sequence[NetNode],
    links: Sequence[NetLink],
    headers: Sequence[str],
    lang: str,
    label: str,
    description: tuple[str, str],
) -> str:
    """The SVG; ``headers`` the four column titles; ``label`` the accessible name;
    ``description`` the id and text of its ``<desc>``."""
    boxes, bottom = layout(nodes, links)
    legend_y = bottom + 30
    height = legend_y + 56
    xs = column_x()
    out = [
        f'<svg class="strategy-network" xmlns="http://www.w3.org/2000/svg" '
        f'viewBox="0 0 {_f(NET_W)} {_f(height)}" width="100%" role="img" '
        f'font-family={_a(FONT)} font-size="{_f(FONT_PX)}" aria-label={_a(label)} '
        f"aria-describedby={_a(description[0])}>",
        f"<desc id={_a(description[0])}>{escape(description[1])}</desc>",
        '<g class="headers" font-size="12.5" font-weight="600" fill="#1B2430">',
    ]
    for c, title in enumerate(headers):
        for k, line in enumerate(_lines(title, COLUMN_W[c] + 18)):
            out.append(f'<text x="{_f(xs[c])}" y="{_f(14 + 14 * k)}">{escape(line)}</text>')
    out.append("</g>")

    ports = _ports(links, boxes)
    out.append('<g class="links" fill="none">')
    order = sorted(range(len(links)), key=lambda i: links[i].crosses)
    for i in order:
        e = links[i]
        path, pts = _link(ports[(i, "s")], ports[(i, "t")])
        colour = CROSS_COLOUR if e.crosses else LINK_COLOUR
        dash = f' stroke-dasharray="{CROSS_DASH}"' if e.crosses else ""
        width = 1.7 if e.crosses else 1.2
        out.append(
            f'<g class="link{" crossing" if e.crosses else ""}" data-source={_a(e.source)} '
            f"data-target={_a(e.target)}><title>{escape(e.tooltip)}</title>"
            f'<path d="{path}" stroke="{colour}" stroke-width="{_f(width)}"{dash}/>'
            f'<polygon points="{pts}" fill="{colour}"/></g>'
        )
    out.append("</g>")

    out.append('<g class="nodes">')
    for n in nodes:
        b = boxes[n.key]
        domain = SPHERE_DOMAIN.get(n.sphere, "both")
        colour = DOMAIN_COLOURS[domain]
        parts = [
            f'<g class="node" data-key={_a(n.key)} data-column="{n.column}" '
            f"data-sphere={_a(n.sphere)}><title>{escape(n.tooltip)}</title>",
            f'<rect x="{_f(b.x)}" y="{_f(b.y)}" width="{_f(b.w)}" height="{_f(b.h)}" rx="4" '
            f'fill="#FFFFFF" stroke="{colour}" stroke-width="1.2"/>',
            shape(domain, b.x + BOX_PAD + 6, b.y + BOX_PAD + LINE_H / 2, 5.0, True, 1.4),
        ]
        for k, line in enumerate(b.lines):
            y = b.y + BOX_PAD + LINE_H * k + FONT_PX * 0.95
            parts.append(
                f'<text x="{_f(b.x + BOX_PAD + 17)}" y="{_f(y)}" fill="#1B2430">'
                f"{escape(line)}</text>"
            )
        parts.append("</g>")
        out.append("".join(parts))
    out.append("</g>")
    out.append(f'<g class="legend" font-size="11.5" fill="#1B2430">{_legend(legend_y, lang)}</g>')
    out.append("</svg>")
    return "".join(out)


def _legend(y: float, lang: str) -> str:
    parts: list[str] = []
    x = PAD

    def text(x0: float, y0: float, key: str) -> float:
        label = t(key, lang)
        parts.append(f'<text x="{_f(x0)}" y="{_f(y0 + 4)}">{escape(label)}</text>')
        return x0 + 6.3 * len(label) + 24

    for sphere in ("national", "international", "both"):
        parts.append(shape(SPHERE_DOMAIN[sphere], x + 7, y, 6.0, True, 1.4))
        x = text(x + 19, y, f"rep_strategy_net_sphere_{sphere}")
    y2 = y + 26
    x = PAD
    for crosses in (False, True):
        path, pts = _link((x, y2), (x + 34, y2))
        colour = CROSS_COLOUR if crosses else LINK_COLOUR
        dash = f' stroke-dasharray="{CROSS_DASH}"' if crosses else ""
        parts.append(
            f'<path d="{path}" stroke="{colour}" stroke-width="{1.7 if crosses else 1.2}" '
            f'fill="none"{dash}/><polygon points="{pts}" fill="{colour}"/>'
        )
        x = text(x + 42, y2, f"rep_strategy_net_link_{'crosses' if crosses else 'within'}")
    return "".join(parts)
