"""The report's view of one assessment's results, in one language: look-ups (scenarios, analysts,
organisations, levels, class labels) and the number formats of :mod:`nsra.i18n`.

Every section of the report (:mod:`nsra.report.html`, :mod:`nsra.report.analyses`) reads the
results through a :class:`View`: the results document (``nsra-results/1``, typed
:class:`nsra.io.contract.ResultsDoc`) and the checked assessment it was computed from.
"""

from __future__ import annotations

import math
from typing import TypedDict

import numpy as np
from markupsafe import Markup

from nsra import i18n
from nsra.engine.classes import serious
from nsra.io.contract import ResultsDoc, ScenarioResult
from nsra.io.validate import Loaded
from nsra.model.assessment import Assessment
from nsra.model.method import Method
from nsra.model.text import Lang, tr


class RankingRow(TypedDict):
    """One scenario as the report shows it in the ranking table (and everywhere it refers to
    a scenario): texts already in the report's language, numbers already written."""

    id: str
    anchor: str
    rank: int | None
    title: str
    domain: str
    domain_label: str
    domain_short: str
    malicious: bool
    icon: Markup
    owner: str
    theme: str | None
    lik_class: str
    lik_label: str
    lik_spread: str
    probability: str
    imp_class: str
    imp_label: str
    total: str
    risk: str
    analysts: int
    consensus: str
    consensus_state: str
    serious: bool
    level: str
    level_colour: str | None


def ranked_order(rows: list[RankingRow]) -> list[RankingRow]:
    """Rows by rank, unranked last (rows are in the results' order)."""
    return sorted(rows, key=lambda r: (r["rank"] is None, r["rank"] or 0))


def ref(row: RankingRow) -> str:
    """A scenario as the report refers to it: "3. Title" (or the title when unranked)."""
    return f"{row['rank']}. {row['title']}" if row["rank"] is not None else row["title"]


CURRENCIES = frozenset({"EUR", "€", "USD", "$", "GBP", "£"})


def short_unit(unit: str) -> str:
    """A unit without its explanation: "person-days (people x days)" -> "person-days", "km² of
    nature damaged for a year" -> "km²" (a unit of more than three words keeps its first)."""
    unit = unit.split(" (")[0].strip()
    words = unit.split()
    return words[0] if len(words) > 3 else unit


def with_unit(label: str, unit: str) -> str:
    """A number or a range with its unit: a currency before it ("EUR 50–500 million"), any
    other unit after it ("≤ 10 persons"); a label that is not a number is left as it is."""
    unit = short_unit(unit)
    stripped = label.lstrip("<>≤≥=~ ")
    if not unit or not stripped[:1].isdigit() or unit in label:
        return label
    if unit in CURRENCIES:
        head = label[: len(label) - len(stripped)]
        return f"{head}{unit} {stripped}"
    return f"{label} {unit}"


class View:
    """Look-ups and number formats of one report, in one language."""

    def __init__(self, loaded: Loaded, doc: ResultsDoc, lang: Lang) -> None:
        self.loaded = loaded
        self.a: Assessment = loaded.assessment
        self.m: Method = loaded.method
        self.doc = doc
        self.lang = lang
        self.monetised = self.m.aggregation.kind == "monetised"
        self.orgs = {o.id: tr(o.name, lang) for o in self.a.organisations}
        self.analysts = {a.id: a for a in self.a.analysts}
        self.scenarios = {s.id: s for s in self.a.scenarios}
        self.entries: dict[str, ScenarioResult] = {e["id"]: e for e in doc["scenarios"]}
        self.levels = {lv.id: lv for lv in self.m.intensity_levels}
        self.time_basis = self.m.likelihood.time_basis_months

    # texts
    def t(self, key: str, **values: object) -> str:
        return i18n.t(key, self.lang, **values)

    def class_label(self, scale_id: str, code: str | None) -> str:
        if code is None:
            return ""
        for c in self.m.scale(scale_id).classes:
            if c.code == code:
                return tr(c.label, self.lang) if c.label else ""
        return ""

    def class_text(self, scale_id: str, code: str | None) -> str:
        """A class's label with the scale's unit where the label is a number or a range
        ("≤ 10 persons", "EUR 50–500 million"); qualitative labels as they are."""
        label = self.class_label(scale_id, code)
        scale = self.m.scale(scale_id)
        if not label or not scale.quantitative or scale.unit is None:
            return label
        return with_unit(label, tr(scale.unit, self.lang))

    def chronic(self, scenario_id: str) -> bool:
        """Whether the scenario is a chronic (slow-onset) risk: not on the likelihood axis."""
        sc = self.scenarios.get(scenario_id)
        return sc is not None and sc.kind == "chronic"

    def serious_cells(self, likelihood: list[int], impact: list[int]) -> list[bool]:
        """Whether each (likelihood class, impact class) pair is serious (the engine's rule)."""
        d = self.m.diagram
        flags = serious(
            np.array(likelihood, dtype=np.int64),
            np.array(impact, dtype=np.int64),
            d.serious_from,
            d.serious_sum_from,
        )
        return [bool(x) for x in flags]

    def serious_class(self) -> tuple[str, str]:
        """The code and label of the lowest impact class that makes a risk serious."""
        scale = self.m.scale(self.m.diagram.impact_classes)
        code = scale.code_of(math.ceil(self.m.diagram.serious_from))
        return code, self.class_label(scale.id, code)

    def lik_scale(self, malicious: bool) -> str:
        return self.m.likelihood.scale_for(malicious).scale

    def level_label(self, level_id: str | None) -> str:
        if not level_id or level_id not in self.levels:
            return level_id or ""
        return tr(self.levels[level_id].label, self.lang)

    def level_colour(self, level_id: str | None) -> str | None:
        """The colour the method gives a level, if any."""
        return self.levels[level_id].colour if level_id in self.levels else None

    def domain(self, domain: str) -> str:
        return self.t(f"domain_{domain}")

    def org(self, org_id: str) -> str:
        return self.orgs.get(org_id, org_id)

    # numbers
    def impact(self, x: float | None) -> str:
        """An impact (or a risk, in the same unit): euros on a monetised method, else a score."""
        if x is None:
            return "–"
        return i18n.euros(x, self.lang) if self.monetised else i18n.score(x, self.lang)

    def risk(self, x: float | None) -> str:
        """A risk: probability times impact, written in the impact's unit."""
        return self.impact(x)

    def prob(self, p: float | None) -> str:
        return "–" if p is None else i18n.percent(p, self.lang)

    def period(self, bare: bool = False) -> str:
        return i18n.period(self.time_basis, self.lang, bare)

    def spread(self, lo: str | None, hi: str | None) -> str:
        if lo is None or hi is None:
            return "–"
        return lo if lo == hi else f"{lo}–{hi}"
