"""The method: a declarative definition of how an assessment is scored.

Everything a method varies is a field here, so the engine never asks which method it runs.

Scale positions
---------------
Every class scale (criterion classes, likelihood classes, conditional-probability classes) is
laid on one continuous axis, the *scale position* ``s``: class ``k`` is centred on ``s = k`` and
spans ``[k - 0.5, k + 0.5)`` (the first class, when its index is 0, spans ``[0, 0.5)``). The class
of a position is ``floor(s + 0.5)``. A *scale function* maps positions to quantities (euros, a
probability, a return period, a score) and back:

* ``interval``: class bounds in the quantity; inside a class the quantity runs linearly (or
  log-linearly) from the class's lower to its upper bound (BNRA M and CP scales, UK and NL
  likelihood classes);
* ``exponential``: ``q = factor * base ** s`` above an optional threshold, linear from 0 below it
  (BNRA euros ``1.6e6 * 10 ** s``; BNRA DP return period; BNRA total impact ``8e8 * 5 ** (s-1)``).
"""

from __future__ import annotations

import math
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, model_validator

from nsra.model.text import Text

Identifier = Annotated[
    str,
    Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9._\-]*$"),
]


class Strict(BaseModel):
    """Base for file-facing models: unknown fields are errors, not silently dropped."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class ScaleClass(Strict):
    """One class of a class scale (e.g. ``C``) with its bounds in the scale's unit."""

    code: str = Field(min_length=1, max_length=16)
    label: Text | None = None
    description: Text | None = None
    lower: float | None = None
    upper: float | None = None


class IntervalFunction(Strict):
    """Quantity interpolated inside each class between the class bounds."""

    kind: Literal["interval"] = "interval"
    interpolation: Literal["linear", "log"] = "linear"


class ExponentialFunction(Strict):
    """``q = factor * base ** s`` for ``s > threshold``; linear from 0 up to the threshold."""

    kind: Literal["exponential"] = "exponential"
    factor: float = Field(gt=0)
    base: float = Field(gt=0)
    threshold: float | None = Field(default=None, ge=0)
    value_at_threshold: float | None = Field(default=None, gt=0)

    @model_validator(mode="after")
    def _base_not_one(self) -> ExponentialFunction:
        if self.base == 1:
            raise ValueError("base must differ from 1, or the scale would be flat")
        if self.base < 1 and self.threshold is not None:
            raise ValueError("a falling scale (base below 1) cannot have a linear threshold part")
        return self

    @property
    def threshold_value(self) -> float:
        """The quantity at the threshold (where the linear part ends)."""
        if self.threshold is None:
            return 0.0
        if self.value_at_threshold is not None:
            return self.value_at_threshold
        return float(self.factor * self.base**self.threshold)


ScaleFunction = Annotated[IntervalFunction | ExponentialFunction, Field(discriminator="kind")]


class ClassScale(Strict):
    """Ordered classes with an optional continuous reading of positions."""

    id: Identifier
    label: Text | None = None
    unit: Text | None = None
    first_index: int = Field(default=0, ge=0, le=1)
    classes: list[ScaleClass] = Field(min_length=2, max_length=20)
    function: ScaleFunction | None = None
    max_position: float | None = None

    @model_validator(mode="after")
    def _check(self) -> ClassScale:
        codes = [c.code for c in self.classes]
        dup = sorted({c for c in codes if codes.count(c) > 1})
        if dup:
            raise ValueError(f"class codes must be unique; repeated: {', '.join(dup)}")
        if ".." in "".join(codes):
            raise ValueError('class codes may not contain ".." (it separates a class range)')
        if isinstance(self.function, IntervalFunction):
            self._check_bounds()
        return self

    def _check_bounds(self) -> None:
        previous = -math.inf
        for c in self.classes:
            if c.lower is None or c.upper is None:
                raise ValueError(
                    f"class {c.code}: an interval scale needs both lower and upper bounds"
                )
            if c.upper < c.lower:
                raise ValueError(
                    f"class {c.code}: the upper bound {c.upper} is below the lower bound {c.lower}"
                )
            if previous != -math.inf and c.lower != previous:
                raise ValueError(
                    f"class {c.code}: its lower bound {c.lower} must equal the upper bound "
                    f"{previous} of the class before it (an interval scale has no gaps)"
                )
            previous = c.upper

    @property
    def codes(self) -> list[str]:
        return [c.code for c in self.classes]

    @property
    def top_position(self) -> float:
        """Highest position on the continuous axis."""
        if self.max_position is not None:
            return self.max_position
        return self.first_index + len(self.classes) - 1 + 0.5

    @property
    def quantitative(self) -> bool:
        """True when classes carry bounds, so a value in the unit can be given."""
        return any(c.lower is not None or c.upper is not None for c in self.classes)

    def index_of(self, code: str) -> int | None:
        """Class index of ``code`` (``first_index`` for the first class), or None."""
        for i, c in enumerate(self.classes):
            if c.code == code:
                return i + self.first_index
        return None

    def code_of(self, index: int) -> str:
        """Class code at index (clamped to the scale)."""
        i = min(max(index - self.first_index, 0), len(self.classes) - 1)
        return self.classes[i].code


class Interest(Strict):
    """A national security interest (what is protected)."""

    id: Identifier
    label: Text
    description: Text | None = None
    illustrative: bool = False


class Criterion(Strict):
    """A damage indicator under one interest."""

    id: Identifier
    interest: Identifier
    label: Text
    description: Text | None = None
    scale: Identifier
    eur_per_unit: float | None = Field(default=None, gt=0)
    illustrative: bool = False


class WeightProfile(Strict):
    """Named criterion weights. Given weights are relative; they are normalised to sum 1."""

    id: Identifier
    label: Text
    description: Text | None = None
    weights: dict[str, float]

    @model_validator(mode="after")
    def _check(self) -> WeightProfile:
        bad = [k for k, w in self.weights.items() if not (w >= 0 and math.isfinite(w))]
        if bad:
            raise ValueError(f"weights must be finite and not negative: {', '.join(bad)}")
        if sum(self.weights.values()) <= 0:
            raise ValueError("at least one weight must be positive")
        return self


class Aggregation(Strict):
    """How criterion positions combine into impact per interest and in total.

    * ``weighted_sum``: each position becomes a score through ``scores`` (one number per class,
      interpolated between classes); total = sum of weight x score with normalised weights.
    * ``weighted_average``: as weighted_sum, but the weights are renormalised over the criteria
      that were assessed for the scenario.
    * ``monetised``: each position becomes euros through ``monetisation``; total = sum of euros.
    """

    kind: Literal["weighted_sum", "weighted_average", "monetised"]
    scores: list[float] | None = None
    monetisation: ExponentialFunction | None = None
    default_profile: Identifier | None = None
    total_scale: Identifier
    total_unit: Text | None = None

    @model_validator(mode="after")
    def _check(self) -> Aggregation:
        if self.kind == "monetised" and self.monetisation is None:
            raise ValueError("a monetised aggregation needs a monetisation function")
        if self.kind != "monetised" and not self.scores:
            raise ValueError(f"a {self.kind} aggregation needs scores (one number per class)")
        if self.scores and any(b < a for a, b in zip(self.scores, self.scores[1:], strict=False)):
            raise ValueError("scores must not fall from one class to the next")
        return self


class LikelihoodScale(Strict):
    """A likelihood scale and how a position becomes a probability.

    ``quantity`` says what the scale function returns: a probability over ``period_months``, or a
    return period in months (Poisson events).
    """

    scale: Identifier
    applies_to: Literal["any", "malicious", "non_malicious"] = "any"
    quantity: Literal["probability", "return_period_months"]
    period_months: float | None = Field(default=None, gt=0)
    value_unit: Text | None = None

    @model_validator(mode="after")
    def _check(self) -> LikelihoodScale:
        if self.quantity == "probability" and self.period_months is None:
            raise ValueError("a probability scale needs period_months (the time it covers)")
        return self


class Horizon(Strict):
    """A future year for which estimates may carry a likelihood (the BNRA's climate question:
    the direct probability in 2050), on the same scales as the present one."""

    id: Identifier
    year: int = Field(ge=1900, le=2300)
    label: Text | None = None


class Likelihood(Strict):
    """Likelihood scales and the time basis over which probabilities are compared."""

    scales: list[LikelihoodScale] = Field(min_length=1)
    time_basis_months: float = Field(gt=0)
    horizons: list[Horizon] = Field(default_factory=list)

    def scale_for(self, malicious: bool) -> LikelihoodScale:
        wanted = "malicious" if malicious else "non_malicious"
        for s in self.scales:
            if s.applies_to == wanted:
                return s
        for s in self.scales:
            if s.applies_to == "any":
                return s
        raise LookupError(f"no likelihood scale for {wanted} scenarios")


class IntensityLevel(Strict):
    id: Identifier
    label: Text
    colour: str | None = None


PassCondition = Literal["root", "caused_by_actor", "caused_by_other"]
"""Where a node of an event graph stands: the root of the graph, triggered by an actor, or
triggered by any other risk."""


class PassRule(Strict):
    """A rule a scenario may name (``cascade_rule``): in which positions of an event graph its
    event passes effects on. The BNRA's information operations pass effects on only as the root
    or when an actor caused them: ``passes_effects_when: [root, caused_by_actor]``."""

    id: Identifier
    label: Text | None = None
    passes_effects_when: list[PassCondition] = Field(min_length=0, max_length=3)


class ActorRules(Strict):
    """How the cascade simulation treats actor risks (scenarios with ``actor: true``).

    * ``daily_probability``: an actor occurs as a root event with this probability on every day
      at every level (the BNRA: 1); None reads the actor's own likelihood like any risk.
    * ``cascade_period_months``: the conditional probability of a cascade from an actor is a
      probability over this many months (the BNRA: the motivation, 36 months), turned into a
      daily probability with ``days_per_month``; None uses it per event like any cascade.
    * ``drop_silent``: which actor events that trigger nothing are left out: ``root`` (the BNRA:
      an actor root event that triggered nothing is not counted; an actor inside a graph always
      counts) or ``every_node`` (any actor node that triggered nothing, with its impact).
    """

    daily_probability: float | None = Field(default=1.0, ge=0, le=1)
    cascade_period_months: float | None = Field(default=36.0, gt=0)
    drop_silent: Literal["root", "every_node"] = "root"


class ImpactNoise(Strict):
    """The BNRA's impact noise in forced-start statistics: for every node and indicator with an
    impact, the euros become a position on ``scale`` (an exponential scale), rounded to
    ``round_to`` (half up), plus normal noise of standard deviation ``sd``, floored at ``floor``,
    and back to euros."""

    scale: Identifier
    round_to: float = Field(default=0.1, ge=0)
    sd: float = Field(default=0.255, ge=0)
    floor: float = 0.0


class Simulation(Strict):
    """The rules of the cascade simulation (:mod:`nsra.analysis.cascade_sim`), as data. The
    defaults are the BNRA application's (NCCN-CIPRA/cipra-bnra, src/functions/simulation)."""

    days_per_year: int = Field(default=365, ge=1, le=366)
    days_per_month: float = Field(default=30.437, gt=0)
    max_graph_nodes: int | None = Field(default=100, ge=1)
    """A node's effects are expanded only while its event graph holds at most this many nodes
    (the BNRA: 100); None: no cap."""
    actors: ActorRules = Field(default_factory=ActorRules)
    pass_rules: list[PassRule] = Field(default_factory=list)
    forced_start_graphs: int = Field(default=1000, ge=1, le=1_000_000)
    """Event graphs forced to start at each risk and level for the impact statistics."""
    impact_noise: ImpactNoise | None = None


class Cascades(Strict):
    """How conditional probabilities of cascades are expressed, and the simulation's rules."""

    scale: Identifier
    include_in_risk: bool = False
    simulation: Simulation = Field(default_factory=Simulation)


class Diagram(Strict):
    """Risk diagram axes: likelihood classes against aggregated impact classes."""

    likelihood_label: Text
    impact_label: Text
    impact_classes: Identifier
    serious_from: int = Field(default=0, ge=0)
    serious_sum_from: int | None = Field(default=None, ge=0)
    """A serious risk has an impact class of at least ``serious_from``, or likelihood class plus
    impact class of at least ``serious_sum_from`` (the diagram's red zone); the rule is
    :func:`nsra.engine.classes.serious`."""


MONETISATION = "monetisation"
"""In a :class:`ScaleConversion`, the method's monetisation (criterion positions -> euros)
instead of a scale."""


class ScaleConversion(Strict):
    """How a position of another method (an earlier generation of the same method) becomes a
    position here: through the quantity both scales read (euros, a return period, a
    probability), ``to.position(from.value(s))``, rounded half up to ``round_to`` where given
    (the BNRA application's conversion between its 5-point and 7-point scales). ``from_scale``
    and ``to_scale`` name a scale, or ``monetisation`` for the criterion scales of a monetised
    method."""

    id: Identifier
    from_method: Identifier
    from_scale: Identifier
    to_scale: Identifier
    round_to: float | None = Field(default=None, gt=0)


class Method(Strict):
    """A complete method definition, as found in a method file."""

    id: Identifier
    version: str = Field(min_length=1, max_length=32)
    version_label: Text | None = Field(
        default=None,
        description="how reports name this version, per language (the version id otherwise)",
    )
    name: Text
    description: Text | None = None
    source: Text | None = None
    illustrative: Text | None = None
    designer_notes: Text | None = Field(
        default=None,
        description="notes for a method designer (how to adapt the file); shown only in the "
        "report's methodological annex",
    )
    intensity_levels: list[IntensityLevel] = Field(default_factory=list)
    level_risk: Literal["mean", "sum", "max"] = "mean"
    interests: list[Interest] = Field(min_length=1)
    scales: list[ClassScale] = Field(min_length=1)
    criteria: list[Criterion] = Field(min_length=1)
    aggregation: Aggregation
    profiles: list[WeightProfile] = Field(default_factory=list)
    likelihood: Likelihood
    cascades: Cascades | None = None
    diagram: Diagram
    continuous: bool = False
    conversions: list[ScaleConversion] = Field(default_factory=list)

    @model_validator(mode="after")
    def _check_references(self, info: ValidationInfo) -> Method:
        if isinstance(info.context, dict) and info.context.get("defer_references"):
            return self  # the caller reports reference_problems() itself, with positions
        problems = self.reference_problems()
        if problems:
            raise ValueError("; ".join(f"{'.'.join(map(str, p))}: {m}" for p, m in problems))
        return self

    def reference_problems(self) -> list[tuple[tuple[str | int, ...], str]]:
        """Problems between parts of the method (ids, references, counts), with field paths."""
        problems: list[tuple[tuple[str | int, ...], str]] = []
        id_lists: list[tuple[str, list[str]]] = [
            ("interests", [i.id for i in self.interests]),
            ("scales", [sc.id for sc in self.scales]),
            ("criteria", [c.id for c in self.criteria]),
            ("profiles", [p.id for p in self.profiles]),
            ("intensity_levels", [lv.id for lv in self.intensity_levels]),
        ]
        for group, ids in id_lists:
            seen: set[str] = set()
            for n, ident in enumerate(ids):
                if ident in seen:
                    problems.append(((group, n, "id"), f"the id {ident!r} is used twice"))
                seen.add(ident)
        scale_ids = {sc.id for sc in self.scales}
        interest_ids = {i.id for i in self.interests}
        criterion_ids = {c.id for c in self.criteria}
        for n, c in enumerate(self.criteria):
            if c.interest not in interest_ids:
                problems.append((("criteria", n, "interest"), f"unknown interest {c.interest!r}"))
            if c.scale not in scale_ids:
                problems.append((("criteria", n, "scale"), f"unknown scale {c.scale!r}"))
        refs: list[tuple[tuple[str | int, ...], str]] = [
            (("aggregation", "total_scale"), self.aggregation.total_scale)
        ]
        refs += [
            (("likelihood", "scales", n, "scale"), ls.scale)
            for n, ls in enumerate(self.likelihood.scales)
        ]
        refs.append((("diagram", "impact_classes"), self.diagram.impact_classes))
        refs += [
            (("conversions", n, "to_scale"), c.to_scale)
            for n, c in enumerate(self.conversions)
            if c.to_scale != MONETISATION
        ]
        if self.cascades:
            refs.append((("cascades", "scale"), self.cascades.scale))
        for where, ref in refs:
            if ref not in scale_ids:
                problems.append((where, f"unknown scale {ref!r}"))
        for n, p in enumerate(self.profiles):
            unknown = sorted(set(p.weights) - criterion_ids)
            if unknown:
                problems.append(
                    (("profiles", n, "weights"), f"unknown criteria {', '.join(unknown)}")
                )
        profile_ids = {p.id for p in self.profiles}
        default = self.aggregation.default_profile
        if self.aggregation.kind != "monetised":
            if not self.profiles:
                problems.append(
                    (("profiles",), "a weighted aggregation needs at least one weight profile")
                )
            elif default is not None and default not in profile_ids:
                problems.append(
                    (("aggregation", "default_profile"), f"unknown profile {default!r}")
                )
        for n, c in enumerate(self.criteria):
            if c.scale not in scale_ids:
                continue
            scale = self.scale(c.scale)
            if (
                self.aggregation.kind == "monetised"
                and scale.quantitative
                and c.eur_per_unit is None
            ):
                problems.append(
                    (
                        ("criteria", n),
                        "a monetised method needs eur_per_unit for a criterion with a unit",
                    )
                )
            scores = self.aggregation.scores
            if scores is not None and len(scale.classes) != len(scores):
                problems.append(
                    (
                        ("aggregation", "scores"),
                        f"criterion {c.id}'s scale has {len(scale.classes)} classes but "
                        f"scores has {len(scores)} numbers (one per class)",
                    )
                )
        for n, lv in enumerate(self.likelihood.scales):
            if lv.scale in scale_ids and self.scale(lv.scale).function is None:
                problems.append(
                    (
                        ("likelihood", "scales", n, "scale"),
                        f"scale {lv.scale!r} needs a function to give probabilities",
                    )
                )
        cascades = self.cascades
        noise = cascades.simulation.impact_noise if cascades else None
        if noise is not None:
            where = ("cascades", "simulation", "impact_noise", "scale")
            if noise.scale not in scale_ids:
                problems.append((where, f"unknown scale {noise.scale!r}"))
            elif not isinstance(self.scale(noise.scale).function, ExponentialFunction):
                problems.append((where, "the impact noise needs an exponential scale (euros)"))
        if cascades:
            seen_rules: set[str] = set()
            for n, rule in enumerate(cascades.simulation.pass_rules):
                if rule.id in seen_rules:
                    where = ("cascades", "simulation", "pass_rules", n, "id")
                    problems.append((where, f"the id {rule.id!r} is used twice"))
                seen_rules.add(rule.id)
        if cascades and cascades.scale in scale_ids and self.scale(cascades.scale).function is None:
            problems.append(
                (("cascades", "scale"), "the cascade scale needs a function (interval)")
            )
        return problems

    # -- look-ups ---------------------------------------------------------------------------
    def scale(self, scale_id: str) -> ClassScale:
        for s in self.scales:
            if s.id == scale_id:
                return s
        raise KeyError(scale_id)

    def criterion(self, criterion_id: str) -> Criterion:
        for c in self.criteria:
            if c.id == criterion_id:
                return c
        raise KeyError(criterion_id)

    def profile(self, profile_id: str | None = None) -> WeightProfile | None:
        """The named profile, the default one, or None for monetised methods."""
        if profile_id is None:
            profile_id = self.aggregation.default_profile
            if profile_id is None:
                return self.profiles[0] if self.profiles else None
        for p in self.profiles:
            if p.id == profile_id:
                return p
        raise KeyError(profile_id)

    @property
    def level_ids(self) -> list[str]:
        """Intensity level ids; a method without levels has one implicit level ``""``."""
        return [lv.id for lv in self.intensity_levels] or [""]
