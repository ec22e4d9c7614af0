"""Every analysis of an assessment in one call: :func:`analyse` -> :class:`Analyses`.

The analyses share the engine's evaluator (:class:`nsra.engine.evaluate.RiskModel`) and one
sampler of the uncertain positions (:func:`nsra.analysis.uncertainty.position_sampler`):

* Monte Carlo intervals of impact, likelihood, risk and rank (always);
* ranks under every weight profile of the method (always);
* SMAA-2 rank acceptability over the weight space and the analysts' spread (``smaa``);
* Sobol and Morris sensitivity (``sensitivity``), Sobol for the highest ranked scenarios;
* the threat network, where there are cascades or "reinforces" links;
* the cascade simulation and its first-order comparison, where there are cascades.

The result is a pure function of the checked assessment, the computed results and the options,
seed included: the same on any executor and any number of workers (every Monte Carlo draws in
the seeded blocks of :mod:`nsra.analysis.chunks`). Nothing here reads or writes a file; the
JSON document (``nsra-analysis/1``) is built from :class:`Analyses` by
:func:`nsra.io.analysis_results.analysis_document`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from nsra.analysis.cascade_sim import (
    CascadeCatalogue,
    CascadeStats,
    FirstOrder,
    FirstOrderComparison,
    compare_first_order,
    first_order,
    simulate,
)
from nsra.analysis.checked import CheckedAssessment
from nsra.analysis.forced_start import ForcedStartStats, forced_start, method_noise
from nsra.analysis.profiles import ProfileComparison, compare_profiles
from nsra.analysis.smaa_inputs import EffectiveValues, weight_preferences
from nsra.analysis.uncertainty import (
    DEFAULT_SAMPLES,
    Distribution,
    UncertaintyResult,
    position_sampler,
    propagate,
)
from nsra.engine.compute import Results
from nsra.engine.evaluate import RiskModel
from nsra.engine.inputs import IntArray
from nsra.engine.ranking import rank_order
from nsra.model.method import Simulation

if TYPE_CHECKING:  # imported where they run: scipy.stats, SALib, networkx take seconds to import
    from nsra.analysis.network import ThreatNetwork
    from nsra.analysis.sensitivity import SensitivityResult
    from nsra.analysis.smaa import SmaaResult

PAIRWISE_MAX = 60
"""SMAA's pairwise winning indices are computed up to this many scenarios (S x S numbers)."""


@dataclass(frozen=True)
class AnalysisOptions:
    """What to run, with which sizes and which seed.

    ``weights`` states the SMAA weight preferences: ``uniform`` (flat over the simplex),
    ``ordinal:2.1>3.1=5.2`` (a ranking of criteria, most important first) or ``interval:0.5``
    (each weight within +-50% of the profile); see
    :func:`nsra.analysis.smaa_inputs.weight_preferences`.
    """

    seed: int  # never implicit: every analysis records the seed it ran with
    samples: int = DEFAULT_SAMPLES
    years: int = 10_000
    distribution: Distribution = "uniform"
    sensitivity: bool = True
    smaa: bool = True
    weights: str = "uniform"
    sensitivity_top: int = 50  # Sobol indices for this many of the highest ranked scenarios
    uncertainty: bool = True  # Monte Carlo intervals and the weight profiles
    network: bool = True
    cascades: bool = True
    forced_start_graphs: int | None = None  # per risk and level; None: the method's number
    impact_noise: bool = True  # the method's impact noise in forced-start statistics, if any


@dataclass(frozen=True)
class CascadeAnalysis:
    """The simulated cascades, the first-order estimate, and how far apart they are."""

    stats: CascadeStats
    first_order: FirstOrder
    comparison: FirstOrderComparison
    forced: ForcedStartStats  # impact statistics of graphs forced to start at each cell


@dataclass(frozen=True)
class Analyses:
    """Typed results of :func:`analyse`; a part is None where it did not run."""

    options: AnalysisOptions
    profile: str | None  # the weight profile of the results analysed
    uncertainty: UncertaintyResult | None
    profiles: ProfileComparison | None
    smaa: SmaaResult | None
    weights_varied: bool  # False: the method's weights are fixed (monetised), SMAA varies values
    sensitivity: SensitivityResult | None
    sensitivity_scope: tuple[int, ...]  # scenario indices with Sobol indices
    network: ThreatNetwork | None
    cascades: CascadeAnalysis | None


Stage = Callable[[str, int, int], None]
"""Progress: ``(stage name, done, total)``."""


def _quiet(stage: str, done: int, total: int) -> None:
    return None


def cascade_analysis(
    source: CheckedAssessment,
    results: Results,
    options: AnalysisOptions,
    executor: Any = None,
    progress: Stage = _quiet,
) -> CascadeAnalysis:
    """The year simulation, its first-order comparison, and the forced-start impact statistics
    (``options.forced_start_graphs`` graphs per cell, default the method's)."""
    method = source.method
    catalogue = CascadeCatalogue.from_results(results, source.inputs)
    stats = simulate(
        catalogue,
        options.years,
        options.seed,
        executor,
        progress=lambda d, t: progress("Cascade simulation (years)", d, t),
    )
    analytic = first_order(catalogue)
    sim = method.cascades.simulation if method.cascades else Simulation()
    graphs = options.forced_start_graphs or sim.forced_start_graphs
    noise = method_noise(method) if options.impact_noise else None
    forced = forced_start(
        catalogue,
        graphs,
        options.seed,
        noise,
        executor,
        progress=lambda d, t: progress("Cascade impact (forced-start graphs)", d, t),
    )
    return CascadeAnalysis(stats, analytic, compare_first_order(stats, analytic), forced)


def ranked_first(rank: IntArray, count: int) -> list[int]:
    """Indices of the ``count`` highest ranked scenarios (unranked last), in assessment order."""
    return sorted(int(i) for i in rank_order(rank)[:count])


def analyse(
    source: CheckedAssessment,
    results: Results,
    options: AnalysisOptions,
    executor: Any = None,
    progress: Stage = _quiet,
) -> Analyses:
    """Every analysis the assessment allows (see the module docstring).

    ``results`` are the engine's results of ``source`` (their weight profile is analysed);
    ``executor``: None (this process), a ``concurrent.futures`` executor, or a Dask client.
    Raises :class:`nsra.analysis.smaa_inputs.PreferenceError` for SMAA weight preferences
    that do not fit the method.
    """

    seed = options.seed
    model = RiskModel.of(source.method, source.inputs, results.profile_id)
    sampler = position_sampler(source.inputs, source.method, results.cells, options.distribution)
    uncertainty = profiles = None
    if options.uncertainty:
        uncertainty = propagate(
            model,
            sampler,
            results.level,
            results.rank,
            samples=options.samples,
            seed=seed,
            executor=executor,
            progress=lambda d, t: progress("Monte Carlo", d, t),
        )
        progress("Weight profiles", 0, 1)
        profiles = compare_profiles(source.inputs, source.method, results.cells)
    preferences = weight_preferences(options.weights, model)
    smaa_result = None
    if options.smaa:
        from nsra.analysis.smaa import smaa

        progress("SMAA", 0, 1)
        smaa_result = smaa(
            EffectiveValues(model, sampler),
            preferences.sampler,
            n=options.samples,
            seed=seed,
            executor=executor,
            with_confidence=True,
            with_pairwise=len(source.assessment.scenarios) <= PAIRWISE_MAX,
        )
    sens = None
    scope: list[int] = []
    if options.sensitivity:
        from nsra.analysis.sensitivity import sensitivity

        progress("Sensitivity", 0, 1)
        scope = ranked_first(results.rank, options.sensitivity_top)
        sens = sensitivity(
            model,
            sampler,
            results.cells.central,
            results.level,
            scenario_ids=[sc.id for sc in source.assessment.scenarios],
            seed=seed,
            only=scope,
        )
    network = None
    has_links = any(sc.reinforces for sc in source.assessment.scenarios)
    if options.network and (len(source.inputs.cascades) or has_links):
        from nsra.analysis.network import threat_network

        progress("Threat network", 0, 1)
        network = threat_network(source, results, seed=seed)
    cascades = None
    if options.cascades and len(source.inputs.cascades):
        cascades = cascade_analysis(source, results, options, executor, progress)
    return Analyses(
        options=options,
        profile=results.profile_id,
        uncertainty=uncertainty,
        profiles=profiles,
        smaa=smaa_result,
        weights_varied=preferences.varied,
        sensitivity=sens,
        sensitivity_scope=tuple(scope),
        network=network,
        cascades=cascades,
    )
