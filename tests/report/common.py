"""Shared helpers of the report tests: the reports of the examples (cached), a small HTML tree
to read them with, their inline SVGs parsed as XML, and what the report should show worked out
from the engine's results, independently of the report's code.

The tests read the report's *output* (the HTML page, the SVG strings) and compare it with the
engine's typed results (:func:`nsra.engine.compute.compute`) and the analyses
(:func:`nsra.analysis.pipeline.analyse`); they never call the report's private functions.
"""

from __future__ import annotations

import functools
import math
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser

import numpy as np

from nsra import i18n
from nsra.analysis.pipeline import Analyses, AnalysisOptions, analyse
from nsra.engine.compute import Results, compute
from nsra.io.analysis_results import analysis_document
from nsra.io.contract import AnalysisDoc, ResultsDoc
from nsra.io.results import results_document
from nsra.io.validate import Loaded, read_assessment
from nsra.model.method import ClassScale, Method
from nsra.report.html import render_report

SVG = "{http://www.w3.org/2000/svg}"
SMALL = AnalysisOptions(seed=1, samples=500, years=500)
"""The analyses of the report tests: small, seeded."""


# -- the reports of the examples, computed once ----------------------------------------------
@functools.cache
def loaded(path: str) -> Loaded:
    return read_assessment(path)


@functools.cache
def results(path: str, profile: str | None = None) -> Results:
    a = loaded(path)
    return compute(a.inputs, a.method, profile)


@functools.cache
def results_doc(path: str) -> ResultsDoc:
    return results_document(loaded(path), results(path), "en")


@functools.cache
def report(path: str, lang: str = "en") -> str:
    """The report without analyses."""
    return render_report(loaded(path), results(path), lang)


@functools.cache
def analyses(path: str) -> Analyses:
    return analyse(loaded(path), results(path), SMALL)


@functools.cache
def analysis_doc(path: str) -> AnalysisDoc:
    return analysis_document(loaded(path), results(path), analyses(path))


@functools.cache
def full_report(path: str, lang: str = "en") -> str:
    """The report with the analyses' sections."""
    return render_report(loaded(path), results(path), lang, analysis_doc(path))


# -- a small HTML tree (standard library only) -----------------------------------------------
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr"}  # fmt: skip


@dataclass
class Element:
    """One HTML element: its tag, attributes and children (elements and text)."""

    tag: str
    attrs: dict[str, str]
    children: list[Element | str] = field(default_factory=list)

    @property
    def classes(self) -> list[str]:
        return self.attrs.get("class", "").split()

    def text(self) -> str:
        """The element's text, whitespace collapsed (what a reader sees, SVG text included)."""
        parts: list[str] = []

        def walk(e: Element) -> None:
            for c in e.children:
                if isinstance(c, str):
                    parts.append(c)
                else:
                    walk(c)

        walk(self)
        return " ".join("".join(parts).split())

    def iter(self, tag: str | None = None, cls: str | None = None) -> Iterator[Element]:
        """This element and every element under it, in document order, filtered."""
        if (tag is None or self.tag == tag) and (cls is None or cls in self.classes):
            yield self
        for c in self.children:
            if isinstance(c, Element):
                yield from c.iter(tag, cls)

    def all(self, tag: str | None = None, cls: str | None = None) -> list[Element]:
        return [e for e in self.iter(tag, cls) if e is not self]

    def one(self, tag: str | None = None, cls: str | None = None) -> Element:
        """The only element under this one with ``tag`` and ``cls``."""
        found = self.all(tag, cls)
        assert len(found) == 1, f"{len(found)} <{tag} class={cls}> elements, expected one"
        return found[0]

    def child_elements(self, tag: str | None = None) -> list[Element]:
        return [c for c in self.children if isinstance(c, Element) and tag in (None, c.tag)]

    def by_id(self, id_: str) -> Element:
        found = [e for e in self.iter() if e.attrs.get("id") == id_]
        assert len(found) == 1, f"{len(found)} elements with id {id_!r}"
        return found[0]


class _TreeBuilder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Element("#document", {})
        self.stack = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        e = Element(tag, {k: v or "" for k, v in attrs})
        self.stack[-1].children.append(e)
        if tag not in VOID:
            self.stack.append(e)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.stack[-1].children.append(Element(tag, {k: v or "" for k, v in attrs}))

    def handle_endtag(self, tag: str) -> None:
        for k in range(len(self.stack) - 1, 0, -1):
            if self.stack[k].tag == tag:
                assert k == len(self.stack) - 1, (
                    f"</{tag}> closes <{self.stack[-1].tag}> too: the page is not well nested"
                )
                del self.stack[k:]
                return
        raise AssertionError(f"</{tag}> without an open <{tag}>")

    def handle_data(self, data: str) -> None:
        self.stack[-1].children.append(data)


@functools.cache
def _tree(page: str) -> Element:
    builder = _TreeBuilder()
    builder.feed(page)
    builder.close()
    assert builder.stack == [builder.root], "unclosed elements at the end of the page"
    return builder.root


def tree(page: str) -> Element:
    """The page as a tree of elements (fails if an element is closed out of order)."""
    return _tree(page)


def seen(text: str) -> str:
    """A text as :meth:`Element.text` reads it from the page: every run of white space, no-break
    spaces included (French puts them in numbers and before "%"), as one space."""
    return " ".join(text.split())


def table_rows(table: Element) -> list[list[Element]]:
    """The body rows of a table, each as its cells (``<td>``)."""
    return [tr.child_elements("td") for tbody in table.all("tbody") for tr in tbody.all("tr")]


def header_texts(table: Element) -> list[str]:
    return [th.text() for th in table.one("thead").all("th")]


# -- SVG -------------------------------------------------------------------------------------
def svgs(page: str, cls: str | None = None) -> list[ET.Element]:
    """The page's inline SVGs (of class ``cls``), parsed as XML: fails if one is not well-formed."""
    out = [ET.fromstring(s) for s in re.findall(r"<svg\b.*?</svg>", page, flags=re.S)]
    return [s for s in out if cls is None or s.get("class") == cls]


def svg_class(e: ET.Element) -> list[str]:
    return (e.get("class") or "").split()


def groups(svg: ET.Element, cls: str) -> list[ET.Element]:
    return [g for g in svg.iter(f"{SVG}g") if cls in svg_class(g)]


def centre(shape: ET.Element) -> tuple[float, float]:
    """The centre of a marker shape: circle, square (rect) or diamond (polygon)."""
    tag = shape.tag.removeprefix(SVG)
    if tag == "circle":
        return float(shape.get("cx", "nan")), float(shape.get("cy", "nan"))
    if tag == "rect":
        x, y = float(shape.get("x", "nan")), float(shape.get("y", "nan"))
        return x + float(shape.get("width", "nan")) / 2, y + float(shape.get("height", "nan")) / 2
    assert tag == "polygon", tag
    pts = [tuple(map(float, p.split(","))) for p in (shape.get("points") or "").split()]
    return sum(p[0] for p in pts) / len(pts), sum(p[1] for p in pts) / len(pts)


def shapes(g: ET.Element) -> list[ET.Element]:
    """The shape elements directly in a group (halo first, then the marker)."""
    return [c for c in g if c.tag.removeprefix(SVG) in ("circle", "rect", "polygon")]


def path_numbers(d: str) -> list[tuple[str, list[float]]]:
    """An SVG path as (command, numbers) pairs: ``M1 2H3`` -> [("M", [1, 2]), ("H", [3])]."""
    return [
        (cmd, [float(x) for x in re.findall(r"-?\d+(?:\.\d+)?", args)])
        for cmd, args in re.findall(r"([A-Za-z])([^A-Za-z]*)", d)
    ]


# -- what the report should show, from the results --------------------------------------------
def class_index(position: float, scale: ClassScale) -> int | None:
    """The class of a position: ``floor(x + 0.5)`` clamped to the scale; None if missing."""
    if math.isnan(position):
        return None
    last = scale.first_index + len(scale.classes) - 1
    return min(max(math.floor(position + 0.5), scale.first_index), last)


def class_code(position: float, scale: ClassScale) -> str:
    """The class code of a position as the report writes it ("–" when nothing was estimated)."""
    k = class_index(position, scale)
    return "–" if k is None else scale.codes[k - scale.first_index]


def money(method: Method, x: float, lang: str) -> str:
    """An impact or a risk written as the report writes it (euros or a score), as read."""
    if math.isnan(x):
        return "–"
    monetised = method.aggregation.kind == "monetised"
    return seen(i18n.euros(x, lang) if monetised else i18n.score(x, lang))


def prob(p: float, lang: str) -> str:
    """A probability written as the report writes it, as read."""
    return "–" if math.isnan(p) else seen(i18n.percent(p, lang))


def is_serious(method: Method, lik_class: int | None, imp_class: int | None) -> bool:
    """The serious-risk rule of the method, from the class indices (worked out here)."""
    d = method.diagram
    if imp_class is None:
        return False
    if imp_class >= d.serious_from:
        return True
    return (
        d.serious_sum_from is not None
        and lik_class is not None
        and lik_class + imp_class >= d.serious_sum_from
    )


def lik_scale(method: Method, malicious: bool) -> ClassScale:
    return method.scale(method.likelihood.scale_for(malicious).scale)


def imp_scale(method: Method) -> ClassScale:
    return method.scale(method.diagram.impact_classes)


@dataclass(frozen=True)
class Expected:
    """One scenario as the report should show it at its shown level (numbers unformatted)."""

    index: int
    id: str
    rank: int | None
    level: int
    x: float  # likelihood position
    y: float  # impact position
    x_low: float
    x_high: float
    y_low: float
    y_high: float
    probability: float
    total: float
    risk: float
    lik_class: int | None
    imp_class: int | None
    serious: bool


def expected(path: str, profile: str | None = None) -> list[Expected]:
    """Every scenario of an example, in the assessment's order, from the engine's arrays
    (under weight ``profile``, None for the method's default)."""
    a, r = loaded(path), results(path, profile)
    m = a.method
    level = np.argmax(np.where(np.isnan(r.level_risk), -np.inf, r.level_risk), axis=1)
    out = []
    for s, sc in enumerate(a.assessment.scenarios):
        lv = int(level[s])
        x, y = float(r.likelihood_position[s, lv]), float(r.impact_position[s, lv])
        lik = class_index(x, lik_scale(m, sc.malicious))
        imp = class_index(y, imp_scale(m))
        out.append(
            Expected(
                index=s,
                id=sc.id,
                rank=int(r.rank[s]) or None,
                level=lv,
                x=x,
                y=y,
                x_low=float(r.likelihood_low[s, lv]),
                x_high=float(r.likelihood_high[s, lv]),
                y_low=float(r.impact_low[s, lv]),
                y_high=float(r.impact_high[s, lv]),
                probability=float(r.total_probability[s, lv]),
                total=float(r.total_impact[s, lv]),
                risk=float(r.risk[s]),
                lik_class=lik,
                imp_class=imp,
                serious=is_serious(m, lik, imp),
            )
        )
    return out


def by_rank(items: list[Expected]) -> list[Expected]:
    """Ranked first (by rank, ties in the assessment's order), then the unranked."""
    return sorted(items, key=lambda e: (e.rank is None, e.rank or 0, e.index))
