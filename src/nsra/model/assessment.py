"""The assessment file: scenarios, analysts' estimates, consensus, cascades, strategies, measures.

These models check the *shape* of a file. Whether a class exists on a criterion's scale, whether an
analyst id is known and so on depends on the method and is checked in :mod:`nsra.io.meaning`.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, WithJsonSchema

from nsra.model.method import Identifier, Strict
from nsra.model.text import DEFAULT_LANG, Lang, TextOrStr, tr


def _iso_date(value: Any) -> Any:
    """Dates are written as text, 2026-11-29; a bare number is not taken for a timestamp."""
    if isinstance(value, dt.date):
        return value
    if not isinstance(value, str):
        raise ValueError(f"expected a date such as 2026-11-29; found {value!r}")
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        raise ValueError(f"expected a date such as 2026-11-29; found {value!r}") from None


IsoDate = Annotated[
    dt.date,
    BeforeValidator(_iso_date),
    WithJsonSchema({"type": "string", "format": "date"}),
]


class EstimateDetail(Strict):
    """An estimate written out: exactly one of class, value or scale, with a rationale.

    * ``class``: a class code (``C``) or a class range (``C..D``);
    * ``value``: a number in the criterion's unit (persons, euros, km2 x years; a probability
      or a return period for likelihood; a probability for cascades);
    * ``scale``: a position on the continuous class scale (``2.5``), for continuous methods.
    """

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, populate_by_name=True)

    class_: str | int | None = Field(default=None, alias="class")
    value: float | None = None
    scale: float | None = None
    rationale: TextOrStr | None = None


EstimateSpec = Annotated[
    Any,
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "string", "minLength": 1, "description": "class (C) or range (C..D)"},
                {"type": "integer", "description": "a class code on scales with numeric codes"},
                {
                    "type": "object",
                    "properties": {
                        "class": {"type": ["string", "integer"]},
                        "value": {"type": "number"},
                        "scale": {"type": "number"},
                        "rationale": {
                            "anyOf": [
                                {"type": "string"},
                                {"type": "object", "additionalProperties": {"type": "string"}},
                            ]
                        },
                    },
                    "additionalProperties": False,
                },
            ]
        }
    ),
]
"""``"C"``, ``"C..D"``, a class number such as ``3`` on scales with numeric codes, or a mapping
(:class:`EstimateDetail`). Checked against the method in :mod:`nsra.io.estimates`."""


class Source(Strict):
    """A source: a parliamentary paper, a report, a web page."""

    ref: str = Field(min_length=1)
    title: TextOrStr | None = None
    url: str | None = None
    date: IsoDate | None = None


class Organisation(Strict):
    """A ministry, department or agency taking part."""

    id: Identifier
    name: TextOrStr


class Analyst(Strict):
    """One analyst (or a department speaking as one)."""

    id: Identifier
    name: TextOrStr | None = None
    organisation: Identifier


class ScenarioEstimate(Strict):
    """One analyst's judgement of a scenario (at one intensity level, where the method has them)."""

    analyst: Identifier
    level: Identifier | None = None
    likelihood: EstimateSpec | None = None
    horizon: dict[str, EstimateSpec] = Field(default_factory=dict)
    """The likelihood at a horizon of the method (``{"2050": "4"}``), on the same scale."""
    impact: dict[str, EstimateSpec] = Field(default_factory=dict)
    rationale: TextOrStr | None = None


class Consensus(Strict):
    """The agreed values after the analysts compared estimates. Given values win."""

    level: Identifier | None = None
    likelihood: EstimateSpec | None = None
    horizon: dict[str, EstimateSpec] = Field(default_factory=dict)
    impact: dict[str, EstimateSpec] = Field(default_factory=dict)
    rationale: TextOrStr | None = None
    date: IsoDate | None = None


Domain = Literal["internal", "external", "both"]
ScenarioKind = Literal["acute", "chronic"]
Trend = Literal["rising", "stable", "falling", "uncertain"]
TRENDS: tuple[Trend, ...] = ("rising", "stable", "falling", "uncertain")


class Theme(Strict):
    """A theme of the assessment's catalogue (e.g. terrorism, cyber, climate): a scenario's
    ``theme`` names one by id when the assessment has a catalogue. The name is shown in the
    report's language; the colour, where given, marks the theme in the report."""

    id: Identifier
    name: TextOrStr
    colour: str | None = Field(default=None, pattern=r"^#[0-9A-Fa-f]{6}$")
    description: TextOrStr | None = None


class Scenario(Strict):
    """One concrete threat event, the unit of assessment."""

    id: Identifier
    title: TextOrStr
    theme: str = Field(min_length=1, max_length=200)
    domain: Domain
    kind: ScenarioKind = Field(
        default="acute",
        description="acute: an event with a likelihood (the default); chronic: a slow-onset or "
        "long-term risk (climate change, demographic shifts) assessed on its impact with a trend "
        "and a horizon, without a likelihood",
    )
    trend: Trend | None = Field(default=None, description="chronic risks: how the risk develops")
    horizon: int | None = Field(
        default=None, ge=1900, le=2300, description="chronic risks: the year the impact is for"
    )
    malicious: bool
    actor: bool = Field(
        default=False,
        description="a malicious actor (e.g. a terrorist group) whose events count in the cascade "
        "simulation only when they trigger at least one other threat",
    )
    cascade_rule: Identifier | None = Field(
        default=None,
        description="a pass rule of the method (cascades.simulation.pass_rules): where in an event "
        "graph this scenario passes effects on (the BNRA's information operations: only as the "
        "root or when caused by an actor)",
    )
    owner: Identifier
    description: TextOrStr | None = None
    sources: list[Source] = Field(default_factory=list)
    reinforces: list[Identifier] = Field(default_factory=list)
    estimates: list[ScenarioEstimate] = Field(default_factory=list)
    consensus: list[Consensus] = Field(default_factory=list)


class Cascade(Strict):
    """Cause -> effect with a conditional probability.

    For methods without intensity levels give ``probability``; for methods with levels give
    ``levels``: cause level -> effect level -> conditional probability (missing pairs are 0).
    """

    cause: Identifier
    effect: Identifier
    probability: EstimateSpec | None = None
    levels: dict[str, dict[str, EstimateSpec]] | None = None
    rationale: TextOrStr | None = None


class Strategy(Strict):
    """A set of goals and measures, national or international in scope."""

    id: Identifier
    title: TextOrStr
    scope: Literal["national", "international"]
    owner: Identifier
    description: TextOrStr | None = None
    sources: list[Source] = Field(default_factory=list)


Phase = Literal["prevent", "prepare", "respond", "recover"]
Confidence = Literal["low", "medium", "high"]
MeasureStatus = Literal["in_place", "planned", "proposed"]
MEASURE_STATUSES: tuple[MeasureStatus, ...] = ("in_place", "planned", "proposed")


class Shift(Strict):
    """A change of one quantity: class ``steps`` (up when positive) or a ``factor`` on the number
    (a probability, or a criterion's value), with an optional interval ``low``..``high`` around it.

    ``{steps: 1}`` one class up; ``{steps: -0.5}`` half a class down; ``{factor: 0.5, low: 0.3,
    high: 0.8}`` halves the number, somewhere between x0.3 and x0.8.
    """

    steps: float | None = None
    factor: float | None = Field(default=None, gt=0)
    low: float | None = None
    high: float | None = None

    @property
    def central(self) -> float:
        return self.steps if self.steps is not None else float(self.factor or 1.0)

    @property
    def bounds(self) -> tuple[float, float]:
        """The interval (``low``, ``high``); the central value where none is given."""
        c = self.central
        return (c if self.low is None else self.low, c if self.high is None else self.high)


def shift_of(spec: Any) -> Shift:
    """A shift from its file form: a bare number is class steps; a mapping is a :class:`Shift`.

    Raises ValueError, in plain words, when the spec is neither, gives both or neither of
    ``steps`` and ``factor``, or its interval does not hold the central value.
    """
    if isinstance(spec, bool):
        raise ValueError(
            f"expected class steps (a number) or a mapping with steps or factor; found {spec!r}"
        )
    if isinstance(spec, (int, float)):
        spec = {"steps": spec}
    if not isinstance(spec, dict):
        raise ValueError(
            f"expected class steps (a number such as 1 or -0.5) or a mapping with steps or "
            f"factor; found {spec!r}"
        )
    try:
        shift = Shift.model_validate(spec)
    except Exception as e:  # pydantic's ValidationError, said in one line
        errors = getattr(e, "errors", None)
        first = errors()[0] if callable(errors) else {"msg": str(e), "loc": ()}
        where = ".".join(str(x) for x in first.get("loc", ()))
        raise ValueError(f"{where + ': ' if where else ''}{first['msg']}") from None
    if (shift.steps is None) == (shift.factor is None):
        raise ValueError(
            "give either steps (class steps) or factor (a multiplier), not both or neither"
        )
    low, high = shift.bounds
    if shift.factor is not None and min(low, high) <= 0:
        raise ValueError("a factor and its interval must be above 0 (0.5 halves, 2 doubles)")
    if not low <= shift.central <= high:
        raise ValueError(
            f"the interval {low:g}..{high:g} must hold the central value {shift.central:g} "
            "(low <= value <= high)"
        )
    return shift


ShiftSpec = Annotated[
    Any,
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "number", "description": "class steps (+1 one class up)"},
                {
                    "type": "object",
                    "properties": {
                        "steps": {"type": "number"},
                        "factor": {"type": "number", "exclusiveMinimum": 0},
                        "low": {"type": "number"},
                        "high": {"type": "number"},
                    },
                    "additionalProperties": False,
                },
            ]
        }
    ),
]
"""A bare number (class steps) or a mapping (:class:`Shift`); checked in :mod:`nsra.io.strategy`."""


class Effect(Strict):
    """What a development or a measure does to one scenario (or, for a measure, to all the
    scenarios it addresses when ``scenario`` is left out): on its likelihood and on the impact
    per criterion or per interest (an interest id shifts every criterion of that interest), on the
    given intensity levels (all when left out)."""

    scenario: Identifier | None = None
    levels: list[Identifier] | None = None
    likelihood: ShiftSpec | None = None
    impact: dict[str, ShiftSpec] = Field(default_factory=dict)
    confidence: Confidence | None = None
    rationale: TextOrStr | None = None


class SideEffect(Strict):
    """A measure's recorded effect on a risk it does not address (a side effect)."""

    scenario: Identifier
    direction: Literal["raises", "lowers"]
    rationale: TextOrStr | None = None


class Measure(Strict):
    """Something a ministry does or has that addresses scenarios."""

    id: Identifier
    title: TextOrStr
    owners: list[Identifier] = Field(min_length=1)
    lead: Identifier | None = None
    strategy: Identifier
    phase: Phase
    scenarios: list[Identifier] = Field(min_length=1)
    description: TextOrStr | None = None
    status: MeasureStatus = "in_place"
    cost: float | None = Field(default=None, ge=0, description="yearly cost in euros")
    effects: list[Effect] = Field(default_factory=list)
    side_effects: list[SideEffect] = Field(default_factory=list)


DevelopmentKind = Literal[
    "geopolitical", "technological", "economic", "climate", "societal", "health", "other"
]


class Development(Strict):
    """An international development (a driver or trend abroad) and its effects on scenarios."""

    id: Identifier
    title: TextOrStr
    kind: DevelopmentKind
    description: TextOrStr | None = None
    where: TextOrStr | None = None
    horizon: int | None = Field(default=None, ge=1900, le=2300, description="a year, e.g. 2030")
    sources: list[Source] = Field(default_factory=list)
    effects: list[Effect] = Field(min_length=1)


CapabilityKind = Literal["people", "materiel", "knowledge", "procedures", "legal", "partnerships"]
Adequacy = Literal["sufficient", "partly", "insufficient"]


class CapabilityNeed(Strict):
    """A scenario needs the capability in these phases, and it is this adequate."""

    scenario: Identifier
    phases: list[Phase] = Field(min_length=1)
    adequacy: Adequacy
    rationale: TextOrStr | None = None


class Capability(Strict):
    """What an organisation has to prevent, prepare for, respond to or recover from scenarios."""

    id: Identifier
    title: TextOrStr
    kind: CapabilityKind
    owners: list[Identifier] = Field(min_length=1)
    description: TextOrStr | None = None
    needed: list[CapabilityNeed] = Field(default_factory=list)


class Assessment(BaseModel):
    """A whole assessment file."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    title: TextOrStr
    method: str = Field(min_length=1, max_length=500)
    date: IsoDate
    classification: str = Field(min_length=1, max_length=120)
    description: TextOrStr | None = None
    illustrative: bool = False
    organisations: list[Organisation] = Field(default_factory=list)
    analysts: list[Analyst] = Field(default_factory=list)
    themes: list[Theme] = Field(default_factory=list)
    scenarios: list[Scenario] = Field(min_length=1)
    cascades: list[Cascade] = Field(default_factory=list)
    strategies: list[Strategy] = Field(default_factory=list)
    measures: list[Measure] = Field(default_factory=list)
    measures_basis: Literal["current", "inherent"] = Field(
        default="current",
        description="whether the estimates describe today's risk with the measures in place "
        "(current) or the risk without any measure (inherent)",
    )
    developments: list[Development] = Field(default_factory=list)
    capabilities: list[Capability] = Field(default_factory=list)

    def theme(self, theme: str) -> Theme | None:
        """The catalogue's theme of that id (None without a catalogue or for an unknown id)."""
        for t in self.themes:
            if t.id == theme:
                return t
        return None

    def theme_name(self, theme: str, lang: Lang = DEFAULT_LANG) -> str:
        """A scenario's theme as a reader sees it: the catalogue's name in ``lang``, or the free
        text of a file without a catalogue."""
        found = self.theme(theme)
        return tr(found.name, lang) if found is not None else theme
