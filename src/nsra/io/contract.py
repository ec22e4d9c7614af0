"""The JSON contracts of nsra's outputs, as types: ``nsra-results/1`` and ``nsra-analysis/1``.

Every document nsra writes is built from typed results (:class:`nsra.engine.compute.Results`,
:class:`nsra.analysis.pipeline.Analyses`) into these ``TypedDict`` shapes, and every reader
inside nsra (the report, the server's comparisons) reads them through the same types, so mypy
checks each key on both sides. A number that could not be computed (nothing estimated) is
``None`` (JSON ``null``); ``F`` below is such a number.

Keys that are Python keywords (``class``) force the functional ``TypedDict`` syntax here and
there; the JSON is the same. (No ``from __future__ import annotations`` here: ``NotRequired``
must be seen at run time for the documents' shapes to be checkable, see tests/io.)
"""

from typing import Any, NotRequired, TypeAlias, TypedDict

F: TypeAlias = float | None
"""A JSON number, or null where it could not be computed."""

RESULTS_FORMAT = "nsra-results/1"
ANALYSIS_FORMAT = "nsra-analysis/1"

# -- nsra-results/1 ----------------------------------------------------------------------------

CriterionResult = TypedDict("CriterionResult", {"class": str | None, "position": F, "value": F})
"""One criterion at one level: its class code, position on its scale, score or euros."""

ImpactResult = TypedDict(
    "ImpactResult",
    {
        "criteria": dict[str, CriterionResult],
        "interests": dict[str, F],
        "direct": F,
        "indirect": F,
        "total": F,
        "class": str | None,
        "position": F,
    },
)
"""Impact per criterion, per interest (they add up to ``direct``), direct, indirect (first-order
cascades) and total, with the class and position on the method's total impact scale."""


class HorizonLikelihood(TypedDict):
    """The likelihood at a horizon year: ``estimated`` false where the present one stands in."""

    year: int
    estimated: bool
    position: F
    probability: F
    direct_probability: F
    indirect_probability: F
    risk: F


LikelihoodResult = TypedDict(
    "LikelihoodResult",
    {
        "class": str | None,
        "position": F,
        "probability": F,
        "direct_probability": F,
        "indirect_probability": F,
        "time_basis_months": float,
        "horizons": NotRequired[dict[str, HorizonLikelihood]],
    },
)
"""Likelihood class and position on the scenario's scale, and probabilities over the time
basis (``probability`` is the total: direct plus cascades where the method counts them);
``horizons``: the same at each horizon year of the method (nsra.engine.horizon)."""


class DiagramPosition(TypedDict):
    """Where the risk diagram places a scenario: likelihood position ``x``, impact position
    ``y``, and the spread bars from the lowest to the highest estimate."""

    x: F
    y: F
    x_low: F
    x_high: F
    y_low: F
    y_high: F


class SlotSpread(TypedDict):
    """The analysts' spread of one estimate (likelihood or a criterion): lowest and highest
    class, their positions, the median position, how many analysts, whether agreed."""

    min: str | None
    max: str | None
    min_position: F
    max_position: F
    median_position: F
    analysts: int
    consensus: bool


class Spread(TypedDict):
    likelihood: SlotSpread
    impact: dict[str, SlotSpread]


class LevelBlock(TypedDict):
    """A scenario's results at one intensity level (or of a scenario without levels)."""

    impact: ImpactResult
    likelihood: LikelihoodResult
    risk: F
    diagram: DiagramPosition
    spread: Spread


class LevelResult(LevelBlock):
    id: str


class ScenarioResult(TypedDict):
    """One scenario: identity, rank and risk, whether serious, and its results at the level
    shown (``level``, methods with levels only, whose ``levels`` hold every level)."""

    id: str
    title: str
    theme: str | None
    domain: str
    malicious: bool
    owner: str
    rank: int | None
    risk: F
    serious: bool
    impact: ImpactResult
    likelihood: LikelihoodResult
    spread: Spread
    diagram: DiagramPosition
    level: NotRequired[str]
    levels: NotRequired[list[LevelResult]]


class AssessmentHeader(TypedDict):
    title: str
    date: str
    classification: str
    illustrative: bool
    source: str


class MethodHeader(TypedDict):
    id: str
    version: str
    aggregation: str
    profile: str | None
    impact_unit: str | None
    time_basis_months: float
    levels: list[str]
    level_risk: str | None


class ResultsDoc(TypedDict):
    """``nsra-results/1``: scenarios in rank order (unranked last)."""

    format: str
    nsra_version: str
    assessment: AssessmentHeader
    method: MethodHeader
    scenarios: list[ScenarioResult]


# -- nsra-analysis/1 ---------------------------------------------------------------------------


class UncertaintyScenario(TypedDict):
    """Quantiles (in the order of ``quantiles``) of one scenario's outputs over the draws."""

    id: str
    central_rank: int | None
    risk: list[F]
    rank: list[F]
    impact: list[F]
    probability: list[F]
    impact_position: list[F]
    likelihood_position: list[F]
    rank_change_share: float


class UncertaintySection(TypedDict):
    samples: int
    seed: int
    distribution: str
    quantiles: list[float]
    scenarios: list[UncertaintyScenario]


class ProfileScenario(TypedDict):
    id: str
    risk: dict[str, F]
    rank: dict[str, int | None]
    rank_range: int


class ProfilesSection(TypedDict):
    profiles: list[str]
    scenarios: list[ProfileScenario]
    changes_rank: list[str]


class SmaaScenario(TypedDict):
    id: str
    rank_acceptability: list[F]
    rank_acceptability_se: list[F]
    central_weights: dict[str, F] | None
    confidence: F
    confidence_se: F
    holistic: F
    holistic_se: F


class SmaaSection(TypedDict):
    samples: int
    seed: int
    weights: str
    criteria: list[str]
    values_sampled: bool
    meta_weights: str
    scenarios: list[SmaaScenario]
    pairwise_winning: list[list[F]] | None


class SobolIndex(TypedDict):
    input: str
    S1: F
    S1_conf: F
    ST: F
    ST_conf: F


class SobolOutput(TypedDict):
    variance: F
    indices: list[SobolIndex]


class MorrisGroup(TypedDict):
    group: str
    mu_star: F
    mu_star_conf: F
    sigma: F


class SensitivityInput(TypedDict):
    name: str
    kind: str
    raw_low: NotRequired[float]
    raw_high: NotRequired[float]
    classes: NotRequired[list[int]]
    positions: NotRequired[list[float]]


class SensitivityScenario(TypedDict):
    id: str
    level: str | int
    inputs: list[SensitivityInput]
    fixed: list[str]
    sobol: dict[str, SobolOutput]
    morris_rank: list[MorrisGroup]
    summary: str


class SensitivitySection(TypedDict):
    analysis: str
    seed: int
    options: dict[str, Any]
    parameterisation: dict[str, str]
    sobol: dict[str, Any]
    morris: dict[str, Any]
    scenarios: list[SensitivityScenario]
    scenarios_analysed: str


class NetworkNode(TypedDict):
    id: str
    title: str | dict[str, str]
    domain: str
    malicious: bool
    theme: str | None
    risk: F
    in_strength: float
    out_strength: float
    betweenness: float
    pagerank: float
    pagerank_reversed: float
    reach: F
    reach_se: F
    reach_exact: bool
    triggers: dict[str, float]
    reinforces_in: int
    reinforces_out: int
    crossing_links: int
    hub_out: bool
    hub_betweenness: bool
    community: int


class NetworkEdge(TypedDict):
    source: str
    target: str
    kind: str
    weight: float
    domain_link: str
    crossing: bool
    direction: str | None
    distance: NotRequired[float]
    by_cause_level: NotRequired[dict[str, float]]


class CrossingLink(TypedDict):
    source: str
    target: str
    kind: str
    direction: str | None


class Hubs(TypedDict):
    out_strength: list[str]
    betweenness: list[str]


class NetworkSummary(TypedDict):
    threats: int
    cascade_links: int
    reinforces_links: int
    crossing_links: int
    crossing: list[CrossingLink]
    domain_links: dict[str, int]
    hubs: Hubs
    communities: int
    levels: list[str]
    settings: dict[str, Any]


class NetworkSection(TypedDict):
    nodes: list[NetworkNode]
    edges: list[NetworkEdge]
    communities: list[list[str]]
    summary: NetworkSummary


class ImpactQuantiles(TypedDict):
    mean: F
    p5: F
    p50: F
    p95: F


class ForcedImpact(TypedDict):
    """Total impact of the event graphs forced to start at a risk and level (every cell has
    figures)."""

    mean: float
    p5: float
    p25: float
    p50: float
    p75: float
    p95: float
    nodes_mean: float


class ForcedStartRun(TypedDict):
    graphs: int  # per risk and level
    seed: int
    impact_noise: bool  # the method's rounding and noise of impacts applied


class CascadeLevel(TypedDict):
    level: str | None
    root_per_year: float
    triggered_per_year: float
    first_order_root_per_year: float
    first_order_triggered_per_year: float
    triggered_difference: F
    triggered_relative_difference: F
    impact_of_events_started_here: ImpactQuantiles
    impact_forced_start: ForcedImpact


class CascadeCause(TypedDict):
    cause: str
    per_year: float


class CascadeRisk(TypedDict):
    id: str
    levels: list[CascadeLevel]
    triggered_by: list[CascadeCause]


class CascadesSection(TypedDict):
    years: float
    seed: int | None
    events: int
    triggered_occurrences: int
    annual_impact_mean: F
    options: dict[str, Any]
    forced_start: ForcedStartRun
    risks: list[CascadeRisk]


class AnalysisAssessment(TypedDict):
    title: str
    classification: str
    method: dict[str, str]


class AnalysisRunOptions(TypedDict):
    samples: int
    years: int
    seed: int
    distribution: str
    profile: str | None
    workers: NotRequired[int]  # how ``nsra analyse`` ran (the result does not depend on it)
    dask: NotRequired[str | None]


class AnalysisDoc(TypedDict):
    """``nsra-analysis/1``: each section present when the analysis ran (see
    :func:`nsra.analysis.pipeline.analyse`), each with the options and seed it ran with."""

    format: str
    nsra_version: str
    assessment: AnalysisAssessment
    options: AnalysisRunOptions
    uncertainty: NotRequired[UncertaintySection]  # left out by ``nsra analyse --only``
    profiles: NotRequired[ProfilesSection]
    smaa: NotRequired[SmaaSection]
    sensitivity: NotRequired[SensitivitySection]
    network: NotRequired[NetworkSection]
    cascades: NotRequired[CascadesSection]
