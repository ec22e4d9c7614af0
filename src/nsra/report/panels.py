"""The risk diagram panels of the report: axes from the method's scales, one panel per
likelihood scale when malicious and non-malicious threats use scales with other classes, the
serious zone, the legend's texts, and (with the Monte Carlo boxes) the small diagrams per
scenario. The SVG itself is drawn by :mod:`nsra.report.diagram`."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from markupsafe import Markup

from nsra import i18n
from nsra.model.text import tr
from nsra.report.diagram import (
    Axis,
    AxisClass,
    Box,
    Marker,
    Move,
    marker_of,
    mini_diagram,
    risk_diagram,
)
from nsra.report.view import RankingRow, View

CAPTION_MAX = 30
"""Serious risks the diagram's caption names, in order of rank; the others are counted ("and
955 more"): the ranking marks every serious risk."""


def _axis(v: View, scale_id: str, title: str, needed_low: float | None) -> Axis:
    scale = v.m.scale(scale_id)
    classes = [
        AxisClass(i + scale.first_index, c.code, tr(c.label, v.lang) if c.label else "")
        for i, c in enumerate(scale.classes)
    ]
    # a class 0 that means "none" is left out unless a scenario lies in it
    first = scale.classes[0]
    means_none = (first.lower is None and first.upper is None) or first.upper == 0
    unused = needed_low is None or needed_low >= 0.5
    if len(classes) > 2 and classes[0].index == 0 and means_none and unused:
        classes = classes[1:]
    return Axis(title, tuple(classes))


def _lowest(markers: Sequence[Marker], axis: str) -> float | None:
    """The lowest position (central or lowest estimate) any marker has on an axis ("x", "y")."""
    values = [
        x
        for m in markers
        for x in ((m.x, m.x_low) if axis == "x" else (m.y, m.y_low))
        if x is not None
    ]
    return min(values) if values else None


def _serious_zone(v: View, x_axis: Axis, y_axis: Axis) -> frozenset[tuple[int, int]]:
    """The (likelihood class, impact class) cells of the diagram that hold serious risks."""
    cells = [(x.index, y.index) for x in x_axis.classes for y in y_axis.classes]
    flags = v.serious_cells([c[0] for c in cells], [c[1] for c in cells])
    return frozenset(c for c, on in zip(cells, flags, strict=True) if on)


def _scale_groups(
    v: View, malicious: Sequence[bool], markers: Sequence[Marker]
) -> list[tuple[str, bool, list[Marker]]]:
    """One diagram, unless malicious and non-malicious threats use scales with other classes:
    (likelihood scale, malicious, markers) per panel. ``malicious``: the flag of every scenario
    (a panel is drawn for each scale in use, even without markers)."""
    groups: dict[tuple[str, ...], list[Marker]] = {}
    scale_of: dict[tuple[str, ...], tuple[str, bool]] = {}
    for flag in malicious:
        scale_id = v.lik_scale(flag)
        codes = tuple(v.m.scale(scale_id).codes)
        groups.setdefault(codes, [])
        scale_of.setdefault(codes, (scale_id, flag))
    for mk in markers:
        groups[tuple(v.m.scale(v.lik_scale(mk.malicious)).codes)].append(mk)
    return [(*scale_of[codes], group) for codes, group in groups.items()]


def _panel_axes(
    v: View, scale_id: str, malicious: bool, group: Sequence[Marker], y_axis: Axis, split: bool
) -> tuple[str | None, Axis, frozenset[tuple[int, int]]]:
    """A panel's title (when split), likelihood axis and serious zone."""
    if split:
        scale = v.m.scale(scale_id)
        x_title = tr(scale.label, v.lang) if scale.label else scale_id
        title: str | None = v.t("panel_malicious" if malicious else "panel_non_malicious")
    else:
        x_title = tr(v.m.diagram.likelihood_label, v.lang)
        title = None
    x_axis = _axis(v, scale_id, x_title, _lowest(group, "x"))
    return title, x_axis, _serious_zone(v, x_axis, y_axis)


def move_diagrams(
    v: View,
    markers: Sequence[Marker],
    moves: Sequence[Move],
    malicious: Sequence[bool],
    description: tuple[str, str],
    move_label: str | None = None,
) -> list[dict[str, Any]]:
    """Risk diagram panels with an arrow per scenario (see :class:`Move`), drawn as the report's
    risk diagram; the axes cover where the scenarios are, came from and go."""
    ends = [
        Marker(mk.id, mk.title, mk.rank, mk.domain, mk.malicious, x, y)
        for mk in markers
        for mv in moves
        if mv.id == mk.id
        for x, y in [(mv.x, mv.y), *([mv.before] if mv.before else [])]
    ]
    y_axis = _axis(
        v,
        v.m.diagram.impact_classes,
        tr(v.m.diagram.impact_label, v.lang),
        _lowest([*markers, *ends], "y"),
    )
    groups = _scale_groups(v, malicious, markers)
    split = len(groups) > 1
    panels = []
    for n, (scale_id, flag, group) in enumerate(groups):
        ids = {mk.id for mk in group}
        reach = [*group, *(e for e in ends if e.id in ids)]
        title, x_axis, zone = _panel_axes(v, scale_id, flag, reach, y_axis, split)
        desc = (f"{description[0]}-{n}", description[1])
        svg = risk_diagram(
            group,
            x_axis,
            y_axis,
            v.lang,
            title,
            zone,
            moves=moves,
            description=desc,
            move_label=move_label,
        )
        panels.append({"svg": Markup(svg), "title": title, "malicious": flag})
    if split:
        panels.sort(key=lambda p: bool(p["malicious"]))
    return panels


def diagrams(
    v: View,
    rows: list[RankingRow],
    boxes: Mapping[str, Box] | None = None,
) -> dict[str, Any]:
    """The risk diagram panels; with ``boxes`` (per scenario id) the uncertainty diagram."""
    entries = [e for e in v.doc["scenarios"] if not v.chronic(e["id"])]  # no likelihood axis
    markers = [
        m
        for e in entries
        for m in [marker_of(e, None if boxes is None else boxes.get(e["id"]))]
        if m is not None
    ]
    y_axis = _axis(
        v, v.m.diagram.impact_classes, tr(v.m.diagram.impact_label, v.lang), _lowest(markers, "y")
    )
    groups = _scale_groups(v, [e["malicious"] for e in entries], markers)
    panels: list[dict[str, Any]] = []
    minis: list[dict[str, Any]] = []
    split = len(groups) > 1
    for scale_id, malicious, group in groups:
        title, x_axis, zone = _panel_axes(v, scale_id, malicious, group, y_axis, split)
        name = v.t(
            "diagram_name_boxes" if boxes is not None else "diagram_name",
            what=title or v.t("diagram_all"),
            x=x_axis.title,
            y=y_axis.title,
            n=len(group),
        )
        panels.append(
            {
                "svg": Markup(
                    risk_diagram(
                        group,
                        x_axis,
                        y_axis,
                        v.lang,
                        title,
                        zone,
                        boxes=boxes is not None,
                        name=name,
                    )
                ),
                "name": name,
                "title": title,
                "malicious": malicious,
            }
        )
        if boxes is not None:
            minis.extend(_minis(v, group, x_axis, y_axis, zone))
    if split:  # malicious threats second, as in the BNRA
        panels.sort(key=lambda p: bool(p["malicious"]))
    ranked = [r for r in rows if r["rank"] is not None]
    code, _ = v.serious_class()
    by_impact, by_zone = serious_by_reason(v, ranked)
    widths = []
    for mk in markers:
        w = 0.0
        if mk.x_low is not None and mk.x_high is not None:
            w = max(w, mk.x_high - mk.x_low)
        if mk.y_low is not None and mk.y_high is not None:
            w = max(w, mk.y_high - mk.y_low)
        widths.append((w, mk.rank, mk.title))
    widths.sort(key=lambda x: (-x[0], x[1]))
    uncertain = [f"{rank} {title}" for w, rank, title in widths[:3] if w >= 1.0]
    minis.sort(key=lambda m: int(m["rank"]))
    return {
        "panels": panels,
        "minis": minis,
        "split_note": v.t("diagram_panels") if split else "",
        "legend": ranked,
        "serious_text": (
            v.t("diagram_serious", code=code, list=_first(v, by_impact)) if by_impact else ""
        ),
        "serious_zone_text": (
            v.t("diagram_serious_zone", code=code, list=_first(v, by_zone)) if by_zone else ""
        ),
        "uncertain_text": (
            v.t("diagram_uncertain", list="; ".join(uncertain)) if uncertain else ""
        ),
        "empty": not ranked,
    }


def _first(v: View, names: Sequence[str]) -> str:
    """The first :data:`CAPTION_MAX` of ``names`` joined for a caption, and how many more (the
    ranking marks each serious risk)."""
    shown = "; ".join(names[:CAPTION_MAX])
    if len(names) <= CAPTION_MAX:
        return shown
    return f"{shown} {v.t('and_more', n=i18n.number(len(names) - CAPTION_MAX, v.lang))}"


def serious_by_reason(v: View, ranked: Sequence[RankingRow]) -> tuple[list[str], list[str]]:
    """The serious risks ("3 Title") by why they are serious: their impact class reaches the
    method's ``serious_from``, or (below it) likelihood and impact together put them in the
    red zone (``serious_sum_from``). The rule is the engine's; only the reason is read here."""
    floor = math.ceil(v.m.diagram.serious_from)
    scale = v.m.scale(v.m.diagram.impact_classes)
    by_impact: list[str] = []
    by_zone: list[str] = []
    for r in ranked:
        if not r["serious"]:
            continue
        index = scale.index_of(r["imp_class"])
        (by_impact if index is not None and index >= floor else by_zone).append(
            f"{r['rank']} {r['title']}"
        )
    return by_impact, by_zone


def _class_span(axis: Axis, low: float, high: float) -> str:
    """The class codes a position interval covers: "B–D", or "C"."""
    first, last = axis.classes[0].index, axis.classes[-1].index

    def code(x: float) -> str:
        index = min(max(math.floor(x + 0.5), first), last)
        return next(c.code for c in axis.classes if c.index == index)

    a, b = code(min(low, high)), code(max(low, high))
    return a if a == b else f"{a}–{b}"


def _minis(
    v: View,
    group: Sequence[Marker],
    x_axis: Axis,
    y_axis: Axis,
    zone: frozenset[tuple[int, int]],
) -> list[dict[str, Any]]:
    """Small diagrams, one scenario's uncertainty box each."""
    out = []
    for mk in group:
        if mk.box is None:
            continue
        lik = _class_span(x_axis, mk.box[0], mk.box[1])
        imp = _class_span(y_axis, mk.box[2], mk.box[3])
        text = v.t("mini_span", lik=lik, imp=imp)
        out.append(
            {
                "rank": mk.rank,
                "title": mk.title,
                "anchor": f"sc-{mk.id}",
                "span": text,
                "svg": Markup(
                    mini_diagram(mk, group, x_axis, y_axis, zone, f"{mk.rank}. {mk.title}: {text}")
                ),
            }
        )
    return out
