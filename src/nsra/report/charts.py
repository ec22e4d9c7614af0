"""Small inline SVG charts of the analysis sections: rank intervals and the threat network.

Pure: numbers in, an SVG string out (no scripts, no external references). Shapes and colours of
threats are those of the risk diagram (:mod:`nsra.report.diagram`): circle internal, square
external, diamond both; filled when malicious.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape

import numpy as np

from nsra.i18n import t
from nsra.report.contrast import AA, LIGHT, contrast, text_on
from nsra.report.diagram import DOMAIN_COLOURS, DOMAINS, FONT, _a, _f, _halo, shape

# robustness of a rank: firm, moderate, uncertain
STATE_COLOURS = {"firm": "#2E7D32", "moderate": "#B7791F", "uncertain": "#B3261E"}

STRIP_W = 300
STRIP_PAD = 9


def _rank_x(rank: float, n: int) -> float:
    if n <= 1:
        return STRIP_W / 2
    return STRIP_PAD + (rank - 1) / (n - 1) * (STRIP_W - 2 * STRIP_PAD)


def rank_axis(n: int, lang: str) -> str:
    """The axis above a column of rank strips: place 1 on the left, place ``n`` on the right."""
    step = 1 if n <= 10 else (5 if n <= 60 else 10)
    ticks = sorted({1, n, *range(step, n, step)})
    if n > 10:  # keep the last tick clear of its neighbour
        ticks = [r for r in ticks if r == n or n - r >= step * 0.6]
    parts = [
        f'<svg class="strip-axis" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {STRIP_W} 30" '
        f'width="{STRIP_W}" height="30" font-family={_a(FONT)} font-size="10" fill="#3A4452" '
        f'role="img" aria-label={_a(t("rank_axis", lang, n=n))}>',
        f'<text x="{_f(STRIP_PAD)}" y="10" font-size="9.5" fill="#5A6472">'
        f"{escape(t('rank_axis_high', lang))}</text>",
        f'<text x="{_f(STRIP_W - STRIP_PAD)}" y="10" font-size="9.5" fill="#5A6472" '
        f'text-anchor="end">{escape(t("rank_axis_low", lang))}</text>',
    ]
    for r in ticks:
        x = _rank_x(r, n)
        parts.append(f'<text x="{_f(x)}" y="25" text-anchor="middle">{r}</text>')
    parts.append("</svg>")
    return "".join(parts)


def rank_strip(
    low: float, median: float, high: float, central: int | None, n: int, state: str, label: str
) -> str:
    """One scenario's 5-95% rank interval as a bar on the places 1..n, with its central rank."""
    colour = STATE_COLOURS.get(state, "#5A6472")
    h = 20
    mid = h / 2
    parts = [
        f'<svg class="strip" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {STRIP_W} {h}" '
        f'width="{STRIP_W}" height="{h}" role="img" aria-label={_a(label)}>',
        f'<path d="M{_f(STRIP_PAD)} {_f(mid)}H{_f(STRIP_W - STRIP_PAD)}" stroke="#D5DAE1" '
        'stroke-width="1"/>',
    ]
    if n <= 40:
        ticks = "".join(
            f"M{_f(_rank_x(r, n))} {_f(mid - 2.5)}V{_f(mid + 2.5)}" for r in range(1, n + 1)
        )
        parts.append(f'<path d="{ticks}" stroke="#C3C9D2" stroke-width="1"/>')
    a, b = _rank_x(low, n), _rank_x(high, n)
    if b - a < 8:
        a, b = (a + b) / 2 - 4, (a + b) / 2 + 4
    parts.append(
        f'<rect x="{_f(a)}" y="{_f(mid - 4.5)}" width="{_f(b - a)}" height="9" rx="4.5" '
        f'fill="{colour}" fill-opacity="0.28" stroke="{colour}" stroke-width="1.2"/>'
    )
    xm = _rank_x(median, n)
    parts.append(
        f'<path d="M{_f(xm)} {_f(mid - 6.5)}V{_f(mid + 6.5)}" stroke="{colour}" '
        'stroke-width="1.6"/>'
    )
    if central is not None:
        xc = _rank_x(central, n)
        parts.append(
            f'<circle cx="{_f(xc)}" cy="{_f(mid)}" r="4.2" fill="#1B2430" stroke="#FFFFFF" '
            'stroke-width="1.3"/>'
        )
    parts.append("</svg>")
    return "".join(parts)


def strip_key(lang: str) -> str:
    """The key of the rank strips: central rank, median, 90% interval. Each mark is a small
    picture followed by its words as text, so that the key wraps on a narrow screen."""
    grey = "#5A6472"

    def item(width: float, body: str, words: str) -> str:
        return (
            f'<span class="strip-key-item"><svg class="strip-key" '
            f'xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {_f(width)} 20" '
            f'width="{_f(width)}" height="20" aria-hidden="true">{body}</svg> '
            f"{escape(words)}</span>"
        )

    one = item(
        12,
        '<circle cx="7" cy="10" r="4.2" fill="#1B2430" stroke="#FFFFFF" stroke-width="1.3"/>',
        t("strip_central", lang),
    )
    two = item(
        36,
        f'<rect x="1" y="5.5" width="34" height="9" rx="4.5" fill="{grey}" '
        f'fill-opacity="0.28" stroke="{grey}" stroke-width="1.2"/>'
        f'<path d="M21 3.5V16.5" stroke="{grey}" stroke-width="1.6"/>',
        t("strip_interval", lang),
    )
    return f"{one} {two}"


# -- the threat network -----------------------------------------------------------------------
NET_W = 900
NODE_R = 13.0
BAND_PAD = 16.0
LABEL_W = 128.0
CROSS_COLOUR = "#B3261E"
CASCADE_COLOUR = "#4A5361"
REINFORCE_COLOUR = "#7A8594"
HUB_COLOUR = "#D9A400"


@dataclass(frozen=True)
class NetNode:
    """A threat in the network diagram."""

    id: str
    label: str  # shown under the node
    rank: int | None
    domain: str
    malicious: bool
    hub: bool
    tooltip: str


@dataclass(frozen=True)
class NetEdge:
    """A link: a cascade (weight = probability) or a reinforces link (weight not shown)."""

    source: str
    target: str
    kind: str  # cascade, reinforces
    weight: float
    crossing: bool
    tooltip: str


def _band(domain: str) -> int:
    return {"internal": 0, "both": 1, "external": 2}.get(domain, 1)


def _band_limits(band: int) -> tuple[float, float]:
    width = (NET_W - 2 * BAND_PAD) / 3
    x0 = BAND_PAD + band * width
    return x0, x0 + width


def _layout(
    nodes: Sequence[NetNode], edges: Sequence[NetEdge], top: float, bottom: float
) -> dict[str, tuple[float, float]]:
    """A deterministic force layout with every node kept inside its domain's band.

    Fruchterman-Reingold (repulsion between all nodes, attraction along links) with the x of
    each node clamped to its band: internal threats left, both in the middle, external right.
    The start is a fixed zig-zag per band (by community order), so no randomness is involved.
    """
    n = len(nodes)
    if n == 0:
        return {}
    index = {node.id: i for i, node in enumerate(nodes)}
    lo = np.empty(n)
    hi = np.empty(n)
    pos = np.empty((n, 2))
    per_band: dict[int, list[int]] = {}
    for i, node in enumerate(nodes):
        per_band.setdefault(_band(node.domain), []).append(i)
    margin = LABEL_W / 2 + 4
    for b, members in per_band.items():
        x0, x1 = _band_limits(b)
        for k, i in enumerate(members):
            lo[i], hi[i] = x0 + margin, x1 - margin
            cx = (x0 + x1) / 2
            pos[i, 0] = cx + (-1 if k % 2 else 1) * (x1 - x0) * 0.16
            pos[i, 1] = top + (k + 0.5) * (bottom - top) / len(members)
    pairs = sorted(
        {
            (min(index[e.source], index[e.target]), max(index[e.source], index[e.target]))
            for e in edges
            if e.source in index and e.target in index and e.source != e.target
        }
    )
    src = np.array([p[0] for p in pairs], dtype=int)
    dst = np.array([p[1] for p in pairs], dtype=int)
    area = (NET_W - 2 * BAND_PAD) * (bottom - top)
    spring = 0.75 * math.sqrt(area / n)
    iterations = 300
    for it in range(iterations):
        delta = pos[:, None, :] - pos[None, :, :]
        # labels are wide: distances count horizontal gaps less than vertical ones
        scaled = delta * np.array([0.55, 1.0])
        dist = np.maximum(np.hypot(scaled[..., 0], scaled[..., 1]), 1.0)
        np.fill_diagonal(dist, np.inf)
        force = (delta / dist[..., None] * (spring * spring / dist)[..., None]).sum(axis=1)
        if len(pairs):
            d = pos[src] - pos[dst]
            dl = np.maximum(np.hypot(d[:, 0], d[:, 1]), 1.0)
            pull = d / dl[:, None] * (dl * dl / spring)[:, None]
            np.add.at(force, src, -pull)
            np.add.at(force, dst, pull)
        if len(pairs):
            weight = 4.0 + 12.0 * it / iterations
            force += _edge_push(pos, src, dst, lo, hi) * weight
            # a link through a label reads as badly as one through a node
            force += _edge_push(pos, src, dst, lo, hi, labels=True) * weight
        temperature = 40.0 * (1 - it / iterations) + 0.5
        length = np.maximum(np.hypot(force[:, 0], force[:, 1]), 1e-9)
        pos += force / length[:, None] * np.minimum(length, temperature)[:, None]
        pos[:, 0] = np.clip(pos[:, 0], lo, hi)
        pos[:, 1] = np.clip(pos[:, 1], top + NODE_R + 4, bottom - NODE_R - 60)
    _separate(pos, lo, hi, top + NODE_R + 4, bottom - NODE_R - 60)
    return {node.id: (float(pos[i, 0]), float(pos[i, 1])) for i, node in enumerate(nodes)}


def _edge_push(
    pos: np.ndarray,
    src: np.ndarray,
    dst: np.ndarray,
    lo: np.ndarray,
    hi: np.ndarray,
    reach: float = 36.0,
    labels: bool = False,
) -> np.ndarray:
    """Per node, a push away from the links it is not part of that pass close by.

    A link drawn through an unrelated node would read as a link to that node. A node held at
    the edge of its band is pushed across the link, towards the middle of its band.
    """
    a, b = pos[src], pos[dst]  # (E, 2)
    if labels:
        pos = _label_centres(pos)
    ab = b - a
    length2 = np.maximum((ab * ab).sum(axis=1), 1.0)
    rel = pos[None, :, :] - a[:, None, :]  # (E, N, 2)
    t = np.clip((rel * ab[:, None, :]).sum(axis=2) / length2[:, None], 0.0, 1.0)
    closest = a[:, None, :] + t[..., None] * ab[:, None, :]
    d = pos[None, :, :] - closest
    perp = np.stack([-ab[:, 1], ab[:, 0]], axis=1) / np.sqrt(length2)[:, None]
    on_line = np.hypot(d[..., 0], d[..., 1]) < 2.0
    d = np.where(on_line[..., None], perp[:, None, :] * 2.0, d)
    centre = (lo + hi) / 2
    held = (pos[:, 0] - lo < 3.0) | (hi - pos[:, 0] < 3.0)
    outward = d[..., 0] * (centre[None, :] - pos[None, :, 0]) < 0
    d = np.where((held[None, :] & outward)[..., None], -d, d)
    dist = np.maximum(np.hypot(d[..., 0], d[..., 1]), 1.0)
    n = pos.shape[0]
    own = np.zeros((len(src), n), dtype=bool)
    own[np.arange(len(src)), src] = True
    own[np.arange(len(src)), dst] = True
    near = (~own) & (dist < reach) & (t > 0.0) & (t < 1.0)
    strength = np.where(near, reach - dist, 0.0)
    push: np.ndarray = (d / dist[..., None] * strength[..., None]).sum(axis=0)
    return push


def _separate(pos: np.ndarray, lo: np.ndarray, hi: np.ndarray, y0: float, y1: float) -> None:
    """Push apart nodes whose labels would overlap (in place, deterministic)."""
    min_dx, min_dy = LABEL_W + 6, 2 * NODE_R + 62
    n = pos.shape[0]
    for _ in range(200):
        moved = False
        for i in range(n):
            for j in range(i + 1, n):
                dx = pos[j, 0] - pos[i, 0]
                dy = pos[j, 1] - pos[i, 1]
                if abs(dx) >= min_dx or abs(dy) >= min_dy:
                    continue
                # move apart along the cheaper direction
                need_y = (min_dy - abs(dy)) / 2 + 0.5
                need_x = (min_dx - abs(dx)) / 2 + 0.5
                if need_y <= need_x or hi[i] - lo[i] < 1:
                    sign = 1.0 if dy >= 0 else -1.0
                    pos[i, 1] -= sign * need_y
                    pos[j, 1] += sign * need_y
                else:
                    sign = 1.0 if dx >= 0 else -1.0
                    pos[i, 0] -= sign * need_x
                    pos[j, 0] += sign * need_x
                pos[i, 0] = min(max(pos[i, 0], lo[i]), hi[i])
                pos[j, 0] = min(max(pos[j, 0], lo[j]), hi[j])
                pos[i, 1] = min(max(pos[i, 1], y0), y1)
                pos[j, 1] = min(max(pos[j, 1], y0), y1)
                moved = True
        if not moved:
            break


def _label_lines(text: str, width: float = LABEL_W, font: float = 10.0) -> list[str]:
    """A node's label wrapped to the label width; never cut off (a long title takes more
    lines, and the layout leaves room for four)."""
    chars = max(8, int(width / (font * 0.52)))
    return textwrap.wrap(text, chars, break_long_words=False, break_on_hyphens=False) or [""]


LABEL_GAP = 14.0
"""From the edge of a node to the first line of its label."""
LINE_H = 12.0


def _label_centres(pos: np.ndarray) -> np.ndarray:
    """Where the labels under the nodes are (about two lines below the node)."""
    out: np.ndarray = pos + np.array([0.0, NODE_R + LABEL_GAP + LINE_H / 2])
    return out


def _edge_path(
    a: tuple[float, float], b: tuple[float, float], bend: float, r_end: float
) -> tuple[str, tuple[float, float], tuple[float, float]]:
    """A gently curved path from node ``a`` to node ``b``, ending ``r_end`` before ``b``'s
    centre; returns the path, the end point and the direction at the end."""
    (x0, y0), (x1, y1) = a, b
    dx, dy = x1 - x0, y1 - y0
    length = math.hypot(dx, dy) or 1.0
    # control point: off the middle, perpendicular to the link (to the left of its direction)
    cx = (x0 + x1) / 2 - dy / length * bend * length
    cy = (y0 + y1) / 2 + dx / length * bend * length
    ux, uy = cx - x0, cy - y0
    ul = math.hypot(ux, uy) or 1.0
    sx, sy = x0 + ux / ul * (NODE_R + 2), y0 + uy / ul * (NODE_R + 2)
    vx, vy = x1 - cx, y1 - cy
    vl = math.hypot(vx, vy) or 1.0
    ex, ey = x1 - vx / vl * r_end, y1 - vy / vl * r_end
    path = f"M{_f(sx)} {_f(sy)}Q{_f(cx)} {_f(cy)} {_f(ex)} {_f(ey)}"
    return path, (ex, ey), (vx / vl, vy / vl)


def _arrow_head(end: tuple[float, float], direction: tuple[float, float], w: float) -> str:
    """A filled triangle whose base is at ``end`` and whose tip points along ``direction``."""
    (ex, ey), (ux, uy) = end, direction
    length, half = 6.5 + 1.3 * w, 3.2 + 0.75 * w
    tx, ty = ex + ux * length, ey + uy * length
    px, py = -uy, ux
    pts = f"{_f(tx)},{_f(ty)} {_f(ex + px * half)},{_f(ey + py * half)} " + (
        f"{_f(ex - px * half)},{_f(ey - py * half)}"
    )
    return pts


def network_diagram(
    nodes: Sequence[NetNode], edges: Sequence[NetEdge], lang: str, title: str
) -> str:
    """The threat network as SVG: bands per domain, links as arrows, hubs ringed."""
    linked_ids = {e.source for e in edges} | {e.target for e in edges}
    linked = [n for n in nodes if n.id in linked_ids]
    alone = [n for n in nodes if n.id not in linked_ids]
    per_band = [sum(1 for n in linked if _band(n.domain) == b) for b in range(3)]
    header = 40.0
    top = header + 14
    plot_h = max(340.0, 104.0 * math.ceil(max([*per_band, 1]) / 1.6) + 60)
    bottom = top + plot_h
    # threats without links: a strip under the bands, in rows of three per band
    alone_rows = max(
        (math.ceil(sum(1 for n in alone if _band(n.domain) == b) / 2) for b in range(3)),
        default=0,
    )
    strip_top = bottom + 10
    strip_h = (30 + alone_rows * 88) if alone else 0
    legend_y = strip_top + strip_h + 22
    height = legend_y + 62
    pos = _layout(linked, edges, top, bottom)
    for b in range(3):
        x0, x1 = _band_limits(b)
        members = [n for n in alone if _band(n.domain) == b]
        for k, node in enumerate(members):
            col, row = k % 2, k // 2
            x = x0 + (x1 - x0) * (0.27 + 0.46 * col)
            pos[node.id] = (x, strip_top + 46 + row * 88)

    out = [
        f'<svg class="network" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {NET_W} '
        f'{_f(height)}" width="100%" role="img" font-family={_a(FONT)} font-size="12" '
        f"aria-label={_a(title)}>"
    ]
    # bands
    headers = {0: "net_band_internal", 1: "net_band_both", 2: "net_band_external"}
    for b in range(3):
        x0, x1 = _band_limits(b)
        domain = DOMAINS[(0, 2, 1)[b]]
        colour = DOMAIN_COLOURS[domain]
        out.append(
            f'<rect x="{_f(x0 + 3)}" y="{_f(header - 26)}" width="{_f(x1 - x0 - 6)}" '
            f'height="{_f(strip_top + strip_h - header + 26)}" rx="6" fill="{colour}" '
            'fill-opacity="0.045" stroke="none"/>'
        )
        out.append(shape(domain, x0 + 20, header - 9, 6.5, True, 1.6))
        out.append(
            f'<text x="{_f(x0 + 33)}" y="{_f(header - 5)}" font-size="13" font-weight="600" '
            f'fill="{colour}">{escape(t(headers[b], lang))}</text>'
        )
        if not any(_band(n.domain) == b for n in nodes):
            out.append(
                f'<text x="{_f((x0 + x1) / 2)}" y="{_f((top + bottom) / 2)}" font-size="11.5" '
                f'fill="#5A6472" font-style="italic" text-anchor="middle">'
                f"{escape(t('net_band_empty', lang))}</text>"
            )
    if alone:
        out.append(
            f'<path d="M{_f(BAND_PAD + 3)} {_f(strip_top)}H{_f(NET_W - BAND_PAD - 3)}" '
            'stroke="#AEB6C2" stroke-width="1" stroke-dasharray="3 3"/>'
            f'<text x="{_f(BAND_PAD + 12)}" y="{_f(strip_top + 16)}" font-size="11" '
            f'fill="#5A6472" font-style="italic">{escape(t("net_alone", lang))}</text>'
        )

    # links: reinforces first (underneath), then cascades, thinnest first
    pair_kinds: dict[tuple[str, str], set[str]] = {}
    for e in edges:
        pair_kinds.setdefault((e.source, e.target), set()).add(e.kind)
    order = sorted(
        (e for e in edges if e.source in pos and e.target in pos),
        key=lambda e: (e.kind == "cascade", e.weight if e.kind == "cascade" else 0.0),
    )
    hubs = {n.id for n in nodes if n.hub}
    out.append('<g class="links" fill="none">')
    for e in order:
        start, stop = pos[e.source], pos[e.target]
        both_kinds = len(pair_kinds.get((e.source, e.target), set())) > 1
        if e.kind == "cascade":
            w = 1.2 + 7.0 * min(max(e.weight, 0.0), 1.0)
            colour = CROSS_COLOUR if e.crossing else CASCADE_COLOUR
            dash = ""
            bend = 0.1
        else:
            w = 1.5
            colour = CROSS_COLOUR if e.crossing else REINFORCE_COLOUR
            dash = ' stroke-dasharray="6 4"'
            bend = 0.24 if both_kinds else 0.1
        head_len = 6.5 + 1.3 * w
        edge = NODE_R + (9.1 if e.target in hubs else 1.5)  # the hub ring, or the marker
        path, end, direction = _edge_path(start, stop, bend, edge + 1.5 + head_len)
        out.append(
            f'<g class="link {e.kind}{" crossing" if e.crossing else ""}" '
            f"data-source={_a(e.source)} data-target={_a(e.target)}>"
            f"<title>{escape(e.tooltip)}</title>"
            f'<path d="{path}" stroke="{colour}" stroke-width="{_f(w)}" '
            f'stroke-opacity="0.85" stroke-linecap="round"{dash}/>'
            f'<polygon points="{_arrow_head(end, direction, w)}" fill="{colour}" '
            'fill-opacity="0.9"/></g>'
        )
    out.append("</g>")

    # nodes
    out.append('<g class="nodes" text-anchor="middle">')
    for node in nodes:
        x, y = pos[node.id]
        colour = DOMAIN_COLOURS.get(node.domain, "#555555")
        rank = "–" if node.rank is None else str(node.rank)
        font = 11 if len(rank) < 3 else 9
        parts = [
            f'<g class="node{" hub" if node.hub else ""}" data-id={_a(node.id)}>'
            f"<title>{escape(node.tooltip)}</title>"
        ]
        if node.hub:
            parts.append(
                f'<circle cx="{_f(x)}" cy="{_f(y)}" r="{_f(NODE_R + 7.5)}" fill="#FFFFFF" '
                f'stroke="{HUB_COLOUR}" stroke-width="3.2"/>'
            )
        parts.append(_halo(node.domain, x, y, NODE_R + 1.8))
        parts.append(shape(node.domain, x, y, NODE_R, node.malicious))
        parts.append(
            f'<text x="{_f(x)}" y="{_f(y + font * 0.36)}" font-size="{font}" font-weight="700" '
            f'fill="{"#FFFFFF" if node.malicious else colour}">{rank}</text>'
        )
        lines = _label_lines(node.label)
        y0 = y + NODE_R + (LABEL_GAP + 6 if node.hub else LABEL_GAP)
        # a light card under the label: links pass under it, never through its words
        half = max(len(line) for line in lines) * 2.9 + 4
        parts.append('<g class="label">')
        parts.append(
            f'<rect class="label-bg" x="{_f(x - half)}" y="{_f(y0 - 10)}" '
            f'width="{_f(2 * half)}" height="{_f(LINE_H * len(lines) + 3)}" rx="3" '
            'fill="#FFFFFF" fill-opacity="0.88"/>'
        )
        for k, line in enumerate(lines):
            parts.append(
                f'<text x="{_f(x)}" y="{_f(y0 + LINE_H * k)}" font-size="10" fill="#1B2430" '
                f'stroke="#FFFFFF" stroke-width="3" stroke-linejoin="round" '
                f'paint-order="stroke">{escape(line)}</text>'
            )
        parts.append("</g></g>")
        out.append("".join(parts))
    out.append("</g>")
    out.append(
        f'<g class="legend" font-size="11.5" fill="#1B2430">{_net_legend(legend_y, lang)}</g>'
    )
    out.append("</svg>")
    return "".join(out)


def _net_legend(y: float, lang: str) -> str:
    parts: list[str] = []
    x = BAND_PAD + 6
    grey = "#4A5361"

    def text(x0: float, y0: float, key: str) -> float:
        label = t(key, lang)
        parts.append(f'<text x="{_f(x0)}" y="{_f(y0 + 4)}">{escape(label)}</text>')
        return x0 + 6.3 * len(label) + 24

    for domain in DOMAINS:
        parts.append(shape(domain, x + 7, y, 6.5, True, 1.6))
        x = text(x + 19, y, f"legend_{domain}")
    parts.append(
        f'<circle cx="{_f(x + 7)}" cy="{_f(y)}" r="6.5" fill="{grey}" stroke="{grey}" '
        'stroke-width="1.6"/>'
    )
    x = text(x + 19, y, "legend_malicious")
    parts.append(
        f'<circle cx="{_f(x + 7)}" cy="{_f(y)}" r="6.5" fill="#FFFFFF" stroke="{grey}" '
        f'stroke-width="1.6"/><circle cx="{_f(x + 7)}" cy="{_f(y)}" r="10" fill="none" '
        f'stroke="{HUB_COLOUR}" stroke-width="2.6"/>'
    )
    x = text(x + 23, y, "net_legend_hub")

    y2 = y + 26
    x = BAND_PAD + 6
    for p, key in ((0.1, "net_legend_p10"), (0.7, "net_legend_p70")):
        w = 1.2 + 7.0 * p
        parts.append(
            f'<path d="M{_f(x)} {_f(y2)}H{_f(x + 26)}" stroke="{CASCADE_COLOUR}" '
            f'stroke-width="{_f(w)}" stroke-linecap="round"/>'
            f'<polygon points="{_arrow_head((x + 26, y2), (1.0, 0.0), w)}" '
            f'fill="{CASCADE_COLOUR}"/>'
        )
        x = text(x + 40 + w, y2, key)
    parts.append(
        f'<path d="M{_f(x)} {_f(y2)}H{_f(x + 26)}" stroke="{REINFORCE_COLOUR}" '
        'stroke-width="1.5" stroke-dasharray="6 4"/>'
        f'<polygon points="{_arrow_head((x + 26, y2), (1.0, 0.0), 1.5)}" '
        f'fill="{REINFORCE_COLOUR}"/>'
    )
    x = text(x + 42, y2, "net_legend_reinforces")
    parts.append(
        f'<path d="M{_f(x)} {_f(y2)}H{_f(x + 26)}" stroke="{CROSS_COLOUR}" stroke-width="3" '
        f'stroke-linecap="round"/><polygon points="{_arrow_head((x + 26, y2), (1.0, 0.0), 3.0)}" '
        f'fill="{CROSS_COLOUR}"/>'
    )
    text(x + 44, y2, "net_legend_crossing")
    return "".join(parts)


def shade(value: float) -> tuple[str, str]:
    """Background and text colour of a heat-map cell for a share in [0, 1]."""
    v = min(max(value, 0.0), 1.0) ** 0.5
    low, high = (0xFF, 0xFF, 0xFF), (0x1F, 0x4E, 0x79)

    def mix(w: float) -> str:
        rgb = [round(a + (b - a) * w) for a, b in zip(low, high, strict=True)]
        return "#" + "".join(f"{c:02X}" for c in rgb)

    # mid-tones where neither ink reaches AA contrast take the lightest shade on which white
    # text does (so darker still means more often)
    background = mix(v)
    if contrast(text_on(background), background) < AA:
        lo, hi = v, 1.0
        for _ in range(30):
            mid = (lo + hi) / 2
            lo, hi = (lo, mid) if contrast(LIGHT, mix(mid)) >= AA else (mid, hi)
        background = mix(hi)
    return background, text_on(background)
