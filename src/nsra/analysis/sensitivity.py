"""Sensitivity of each scenario to the weights and the estimates: Sobol indices, Morris screening.

Two questions, two methods (SALib: describe the problem once, sample with a seed, evaluate here,
analyse):

* **Sobol (variance-based)**, per scenario: how much of the variance of its total impact and of its
  risk, both at its shown level (the level of the risk diagram), comes from each criterion weight,
  each of its own criterion estimates and its likelihood estimate. A per-scenario problem of
  ``D = K weights + K scores + 1 likelihood`` inputs; every other cell stays at its central
  position, so only the scenario and the scenarios it is linked to by cascades are evaluated
  (:meth:`nsra.engine.evaluate.RiskModel.restricted`). Reported: first-order ``S1`` (the input
  alone) and total ``ST`` (with its interactions) with bootstrap confidence intervals. The
  likelihood does not enter the impact, so its indices there are exactly 0.
* **Morris (elementary effects)**, all scenarios at once: which inputs move a scenario's *rank*.
  Ranks need every scenario, so all inputs vary together, grouped (SALib ``groups``): one group
  per criterion weight and one group per scenario (all its cells, every level). Reported per
  scenario and group: ``mu_star`` (mean absolute change of the rank per unit of the input range),
  its confidence interval, and ``sigma`` (spread of the effects: interactions, non-linearity).

Parameterisation (every input is ``u ~ U(0, 1)``; see docs/decisions.md)
----------------------------------------------------------------------------
* **Weights** (weighted methods only; a monetised method sums euros and has no weights):

  - ``uniform`` (default): one raw weight ``u_k ~ U(0, 1)`` per criterion, normalised
    ``w = u / sum(u)``. Each raw weight is an input of its own, so an index is that of the raw
    weight: it carries the criterion's own weight and its share of the normalisation. This is not
    uniform on the simplex: normalised uniforms crowd round equal weights, so weightings in which
    one or two criteria dominate are rarer than under a flat Dirichlet (SMAA's weight space). The
    indices describe moderate disagreement about weights, not every conceivable weighting.
  - ``profile``: raw weight ``w0_k * (1 + spread * (2u - 1))`` around the profile's weights,
    normalised; criteria with weight 0 in the profile stay at 0 (held fixed).
  - ``fixed``: the profile's weights, not an input.

* **Estimates**: the interval of a cell is the Monte Carlo one (:func:`position_sampler`: from the
  lowest to the highest class any analyst gave, consensus included). On a continuous method
  (``method.continuous``) ``u`` maps to a position uniform in ``[low, high]``; on a discrete
  method to a class drawn uniformly among the whole classes of the interval (class ``c`` when
  ``floor(u * n) = c - first``), because a discrete method has no positions between classes.
* **Held fixed**: cells nobody estimated, cells without uncertainty (``low == high``; on a
  discrete method an interval of one class) and weights without range are not inputs (SALib needs
  ``low < high``); they stay at the central position, and results list them under ``fixed``.

Every analysis is a pure function of (model, intervals, central positions, options, seed); the
streams are spawned from the seed per scenario, so one scenario's indices do not depend on which
other scenarios were analysed. SALib's bootstrap is seeded as well.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
from SALib.analyze import morris as morris_analyze
from SALib.analyze import sobol as sobol_analyze
from SALib.sample import morris as morris_sample
from SALib.sample import sobol as sobol_sample

from nsra.analysis.uncertainty import PositionSampler
from nsra.engine.evaluate import RiskModel
from nsra.engine.inputs import FloatArray, IntArray
from nsra.engine.ranking import competition_ranks

WeightSpace = Literal["uniform", "profile", "fixed"]
InputKind = Literal["weight", "score", "likelihood"]
Model = Callable[[FloatArray], FloatArray]
"""A vectorised model: unit-cube inputs (n, D) -> outputs (n, M)."""

DEFAULT_SOBOL_SAMPLES = 512
DEFAULT_TRAJECTORIES = 20
_CELLS_PER_CHUNK = 4_000_000
_EPS = 1e-9


# -- options and results ---------------------------------------------------------------------------
@dataclass(frozen=True)
class SensitivityOptions:
    """How the analysis samples; recorded with every result."""

    sobol_samples: int = DEFAULT_SOBOL_SAMPLES  # N, a power of 2; N * (D + 2) evaluations
    morris_trajectories: int = DEFAULT_TRAJECTORIES  # r; r * (G + 1) evaluations
    morris_levels: int = 4
    weights: WeightSpace = "uniform"
    weight_spread: float = 0.5  # "profile": each raw weight within +-50% of the profile's
    resamples: int = 100  # bootstrap resamples for the confidence intervals
    confidence: float = 0.95

    def __post_init__(self) -> None:
        n = self.sobol_samples
        if n < 2 or n & (n - 1):
            raise ValueError(f"sobol_samples must be a power of 2 (256, 512, ...), not {n}")
        if self.morris_trajectories < 2:
            raise ValueError("morris_trajectories must be at least 2")
        if self.morris_levels < 2 or self.morris_levels % 2:
            raise ValueError("morris_levels must be even (4 is usual)")
        if not 0.0 <= self.weight_spread < 1.0:
            raise ValueError("weight_spread must be at least 0 and below 1")
        if not 0.0 < self.confidence < 1.0:
            raise ValueError("confidence must lie between 0 and 1")
        if self.resamples < 2:
            raise ValueError("resamples must be at least 2")


@dataclass(frozen=True)
class Input:
    """One input of a problem: a raw criterion weight or one cell's estimate."""

    name: str  # "weight 2.1", "score 2.1", "likelihood" (Morris: prefixed with the scenario)
    kind: InputKind
    slot: int  # criterion index; K for likelihood
    scenario: int  # -1 for a weight
    level: int  # -1 for a weight
    low: float  # raw weight, position or class at u = 0
    high: float  # ... at u = 1


@dataclass(frozen=True)
class SobolIndices:
    """First-order and total indices of outputs (rows) to inputs (columns), shapes (M, D)."""

    inputs: tuple[str, ...]
    outputs: tuple[str, ...]
    s1: FloatArray
    s1_conf: FloatArray
    st: FloatArray
    st_conf: FloatArray
    variance: FloatArray  # (M,) of each output over the samples; 0 constant, NaN undefined
    samples: int
    evaluations: int


@dataclass(frozen=True)
class MorrisEffects:
    """Elementary-effect statistics of outputs (rows) per group (columns), shapes (M, G)."""

    groups: tuple[str, ...]
    outputs: tuple[str, ...]
    mu_star: FloatArray
    mu_star_conf: FloatArray
    sigma: FloatArray
    trajectories: int
    levels: int
    evaluations: int


@dataclass(frozen=True)
class ScenarioSensitivity:
    """Sobol indices of one scenario's impact and risk at its shown level."""

    scenario: str
    index: int
    level: int
    inputs: tuple[Input, ...]
    fixed: tuple[str, ...]  # inputs held at their central value (no range)
    sobol: SobolIndices  # outputs ("impact", "risk")


@dataclass(frozen=True)
class SensitivityResult:
    """Sobol per scenario and Morris of the ranks, with the options and the seed."""

    seed: int
    options: SensitivityOptions
    discrete: bool
    monetised: bool
    scenarios: tuple[ScenarioSensitivity, ...]
    morris: MorrisEffects  # outputs: scenario ids (their rank); groups: weights, scenarios
    morris_inputs: tuple[Input, ...]
    level_ids: tuple[str, ...] = ()  # the method's intensity levels, if any


# -- seeds -----------------------------------------------------------------------------------------
def _rng(seed: int, key: tuple[int, ...]) -> np.random.Generator:
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(*key, 0)))


def _int_seed(seed: int, key: tuple[int, ...]) -> int:
    """A positive int for SALib's analysers (``seed=0`` would leave their bootstrap unseeded)."""
    state = np.random.SeedSequence(seed, spawn_key=(*key, 1)).generate_state(1)
    return int(state[0]) + 1


# -- SALib around a vectorised model ---------------------------------------------------------------
def _unit_problem(names: Sequence[str], groups: Sequence[str] | None = None) -> dict[str, Any]:
    problem: dict[str, Any] = {
        "num_vars": len(names),
        "names": list(names),
        "bounds": [[0.0, 1.0]] * len(names),
    }
    if groups is not None:
        problem["groups"] = list(groups)
    return problem


def _outputs(func: Model, x: FloatArray, m: int) -> FloatArray:
    y = np.asarray(func(x), dtype=float)
    return y.reshape(x.shape[0], m)


def _constant(y: FloatArray) -> bool:
    scale = max(float(np.max(np.abs(y))), np.finfo(float).tiny)
    return float(np.ptp(y)) <= 1e-12 * scale


def sobol_indices(
    func: Model,
    inputs: Sequence[str],
    outputs: Sequence[str],
    samples: int,
    seed: int,
    *,
    key: tuple[int, ...] = (),
    resamples: int = 100,
    confidence: float = 0.95,
) -> SobolIndices:
    """Sobol S1 and ST of ``func`` (unit-cube inputs (n, D) -> outputs (n, M)), seeded.

    Saltelli's scheme without second-order indices: ``samples * (D + 2)`` evaluations, all in
    one call of ``func``. An output that does not vary gets indices 0 (variance 0); one with NaN
    values gets NaN indices.
    """
    d, m = len(inputs), len(outputs)
    zeros = np.zeros((m, d))
    if d == 0:
        return SobolIndices(
            tuple(inputs), tuple(outputs), zeros, zeros, zeros, zeros, np.zeros(m), samples, 0
        )
    problem = _unit_problem(inputs)
    x = np.asarray(
        sobol_sample.sample(problem, samples, calc_second_order=False, seed=_rng(seed, key)),
        dtype=float,
    )
    y = _outputs(func, x, m)
    s1, s1c, st, stc = (np.zeros((m, d)) for _ in range(4))
    variance = np.zeros(m)
    for j in range(m):
        col = y[:, j]
        if not np.all(np.isfinite(col)):
            for a in (s1, s1c, st, stc):
                a[j] = np.nan
            variance[j] = np.nan
            continue
        variance[j] = float(np.var(col))
        if _constant(col):
            variance[j] = 0.0
            continue
        si = sobol_analyze.analyze(
            problem,
            col,
            calc_second_order=False,
            num_resamples=resamples,
            conf_level=confidence,
            seed=_int_seed(seed, key),
        )
        s1[j], s1c[j], st[j], stc[j] = si["S1"], si["S1_conf"], si["ST"], si["ST_conf"]
    return SobolIndices(
        tuple(inputs), tuple(outputs), s1, s1c, st, stc, variance, samples, int(x.shape[0])
    )


def group_effects(x: FloatArray, y: FloatArray, group_of: IntArray, levels: int) -> FloatArray:
    """Elementary effects (M, r, G) of a grouped Morris sample ``x`` (r * (G + 1), D).

    Each step of a trajectory moves one group; its effect is the change of the output divided
    by the step (``levels / (2 * (levels - 1))``), signed by the net direction of the group's
    move (the sum of its inputs' changes; for a one-input group, Morris's own sign).
    """
    n_groups = int(group_of.max()) + 1
    r = x.shape[0] // (n_groups + 1)
    delta = levels / (2.0 * (levels - 1))
    xt = x.reshape(r, n_groups + 1, x.shape[1])
    yt = y.reshape(r, n_groups + 1, y.shape[1])
    dx = np.diff(xt, axis=1)  # (r, G, D)
    dy = np.diff(yt, axis=1)  # (r, G, M)
    moved = np.abs(dx) > _EPS
    first = np.argmax(moved, axis=2)  # an input that moved in each step
    group = group_of[first]  # (r, G)
    sign = np.where(dx.sum(axis=2) >= 0, 1.0, -1.0)
    effects = np.zeros((y.shape[1], r, n_groups))
    rows = np.arange(r)[:, None]
    effects[:, rows, group] = np.moveaxis(dy * sign[..., None] / delta, 2, 0)
    return effects


def morris_effects(
    func: Model,
    inputs: Sequence[str],
    groups: Sequence[str],
    outputs: Sequence[str],
    trajectories: int,
    seed: int,
    *,
    key: tuple[int, ...] = (),
    levels: int = 4,
    resamples: int = 100,
    confidence: float = 0.95,
) -> MorrisEffects:
    """Grouped Morris screening of ``func`` (unit-cube inputs (n, D) -> outputs (n, M)), seeded.

    ``mu_star`` and its confidence come from SALib's analyser; ``sigma`` from
    :func:`group_effects` (SALib leaves it undefined for groups of several inputs).
    """
    names = list(dict.fromkeys(groups))
    m, g = len(outputs), len(names)
    if not inputs:
        z = np.zeros((m, 0))
        return MorrisEffects((), tuple(outputs), z, z, z, trajectories, levels, 0)
    problem = _unit_problem(inputs, groups)
    x = np.asarray(
        morris_sample.sample(problem, trajectories, num_levels=levels, seed=_rng(seed, key)),
        dtype=float,
    )
    y = _outputs(func, x, m)
    index = {name: i for i, name in enumerate(names)}
    group_of = np.array([index[gr] for gr in groups], dtype=np.int64)
    ee = group_effects(x, y, group_of, levels)
    mu_star, conf = np.zeros((m, g)), np.zeros((m, g))
    sigma = np.std(ee, axis=1, ddof=1)
    for j in range(m):
        col = y[:, j]
        if not np.all(np.isfinite(col)):
            mu_star[j], conf[j], sigma[j] = np.nan, np.nan, np.nan
            continue
        if _constant(col):
            sigma[j] = 0.0
            continue
        si = morris_analyze.analyze(
            problem,
            x,
            col,
            num_resamples=resamples,
            conf_level=confidence,
            num_levels=levels,
            seed=_int_seed(seed, key),
        )
        order = [index[str(nm)] for nm in si["names"]]
        mu_star[j, order] = np.asarray(si["mu_star"], dtype=float)
        conf[j, order] = np.asarray(si["mu_star_conf"], dtype=float)
    return MorrisEffects(
        tuple(names), tuple(outputs), mu_star, conf, sigma, trajectories, levels, int(x.shape[0])
    )


# -- evaluation with a weight vector per sample ----------------------------------------------------
@dataclass(frozen=True)
class Outcome:
    """What the sensitivity analyses read from an evaluation: shapes (n, S, L) and (n, S)."""

    total_impact: FloatArray
    level_risk: FloatArray
    risk: FloatArray


def evaluate_weighted(
    model: RiskModel, positions: FloatArray, weights: FloatArray | None
) -> Outcome:
    """:meth:`RiskModel.evaluate` of positions (n, S, L, K + 1) with normalised weights (n, K).

    ``weights`` None: the model's own weights. Otherwise the weighted total of each sample uses
    that sample's weights, exactly as :func:`nsra.engine.impact.weighted_total` does with one
    weight vector (``RiskModel.with_weights`` takes one vector for all samples), and the cascade
    and risk steps of ``evaluate`` follow.
    """
    ev = model.evaluate(positions, weights)
    return Outcome(ev.total_impact, ev.level_risk, ev.risk)


def linked_scenarios(model: RiskModel, scenario: int, n_levels: int) -> IntArray:
    """The scenario first, then every scenario it is linked to by a cascade (either way)."""
    cells = scenario * n_levels + np.arange(n_levels)
    effects = model.cascades[cells].nonzero()[1]
    causes = model.cascades_t[cells].nonzero()[1]
    others = sorted({int(c) // n_levels for c in np.concatenate((effects, causes))} - {scenario})
    return np.array([scenario, *others], dtype=np.int64)


# -- the parameterisation --------------------------------------------------------------------------
@dataclass(frozen=True)
class InputSpace:
    """Unit-cube inputs -> per-sample weights (n, K) and positions (n, S, L, K + 1).

    The first ``len(weight_slots)`` inputs are raw weights, the others cells; ``central`` holds
    the positions of every cell that is not an input.
    """

    inputs: tuple[Input, ...]
    central: FloatArray  # (S, L, K + 1) for the scenarios evaluated
    weight_mode: WeightSpace
    base_weights: FloatArray | None  # (K,) raw weights where not an input; None: model's own
    weight_slots: IntArray
    cells: IntArray  # flat index into central of each cell input
    low: FloatArray  # (D,)
    high: FloatArray
    discrete: bool

    @property
    def names(self) -> list[str]:
        return [i.name for i in self.inputs]

    def weights(self, u: FloatArray) -> FloatArray | None:
        """Normalised weights (n, K), or None when the weights are not inputs."""
        if self.base_weights is None:
            return None
        nw = self.weight_slots.shape[0]
        raw = np.repeat(self.base_weights[None, :], u.shape[0], axis=0)
        raw[:, self.weight_slots] = self.low[:nw] + u[:, :nw] * (self.high[:nw] - self.low[:nw])
        total = raw.sum(axis=1, keepdims=True)
        even = np.full_like(raw, 1.0 / raw.shape[1])
        with np.errstate(invalid="ignore", divide="ignore"):
            out: FloatArray = np.where(total > 0, raw / np.where(total > 0, total, 1.0), even)
        return out

    def positions(self, u: FloatArray) -> FloatArray:
        """Positions (n, S, L, K + 1): central, with the cell inputs mapped from ``u``."""
        nw = self.weight_slots.shape[0]
        uc, lo, hi = u[:, nw:], self.low[nw:], self.high[nw:]
        if self.discrete:
            count = hi - lo + 1.0
            values = lo + np.minimum(np.floor(uc * count), count - 1.0)
        else:
            values = lo + uc * (hi - lo)
        out = np.repeat(self.central.reshape(1, -1), u.shape[0], axis=0)
        out[:, self.cells] = values
        return out.reshape(u.shape[0], *self.central.shape)


def _cell_range(low: float, high: float, discrete: bool) -> tuple[float, float] | None:
    """The range of a cell input, or None when it has none (held fixed)."""
    if np.isnan(low) or np.isnan(high):
        return None
    if discrete:
        lo, hi = float(np.floor(low + 0.5 + _EPS)), float(np.ceil(high - 0.5 - _EPS))
        return (lo, hi) if hi > lo else None
    return (float(low), float(high)) if high - low > _EPS else None


def _weight_inputs(
    model: RiskModel, options: SensitivityOptions, criteria: Sequence[str]
) -> tuple[list[Input], list[str], FloatArray | None]:
    """Weight inputs, the weights held fixed and the raw base weights (None: not inputs)."""
    if model.impact.monetised:
        return [], [], None
    names = [f"weight {c}" for c in criteria]
    w0 = np.asarray(model.impact.weights, dtype=float)
    if options.weights == "fixed" or (options.weights == "profile" and options.weight_spread == 0):
        return [], names, None
    inputs: list[Input] = []
    fixed: list[str] = []
    for k, name in enumerate(names):
        if options.weights == "uniform":
            lo, hi = 0.0, 1.0
        else:
            lo = float(w0[k] * (1 - options.weight_spread))
            hi = float(w0[k] * (1 + options.weight_spread))
        if hi - lo > _EPS * max(float(w0.max()), 1.0):
            inputs.append(Input(name, "weight", k, -1, -1, lo, hi))
        else:
            fixed.append(name)
    base = np.zeros(len(names)) if options.weights == "uniform" else w0.copy()
    return inputs, fixed, base


def input_space(
    model: RiskModel,
    sampler: PositionSampler,
    central: FloatArray,
    options: SensitivityOptions,
    scenarios: IntArray,
    vary: dict[int, list[int]],
    names: Callable[[int, int, str], str],
) -> tuple[InputSpace, list[str]]:
    """The inputs over ``scenarios`` (evaluated in that order): the weights, then the cells of
    ``vary`` (original scenario -> levels). ``names(scenario, level, 'score 2.1')`` names a cell.
    Returns the space and the names of the inputs held fixed."""
    criteria = [c.id for c in model.method.criteria]
    k = len(criteria)
    discrete = not model.method.continuous
    weights, fixed, base = _weight_inputs(model, options, criteria)
    inputs = list(weights)
    flat: list[int] = []
    sub_central = np.asarray(central[scenarios], dtype=float)
    shape = sub_central.shape
    where = {int(s): i for i, s in enumerate(scenarios)}
    for s, levels in vary.items():
        for lv in levels:
            for slot in range(k + 1):
                label = "likelihood" if slot == k else f"score {criteria[slot]}"
                name = names(s, lv, label)
                if np.isnan(central[s, lv, slot]):
                    continue  # nobody estimated it: not an input, not listed
                span = _cell_range(sampler.low[s, lv, slot], sampler.high[s, lv, slot], discrete)
                if span is None:
                    fixed.append(name)
                    continue
                kind: InputKind = "likelihood" if slot == k else "score"
                inputs.append(Input(name, kind, slot, s, lv, *span))
                flat.append(int(np.ravel_multi_index((where[s], lv, slot), shape)))
    space = InputSpace(
        inputs=tuple(inputs),
        central=sub_central,
        weight_mode=options.weights,
        base_weights=base,
        weight_slots=np.array([i.slot for i in weights], dtype=np.int64),
        cells=np.array(flat, dtype=np.int64),
        low=np.array([i.low for i in inputs], dtype=float),
        high=np.array([i.high for i in inputs], dtype=float),
        discrete=discrete,
    )
    return space, fixed


def _in_chunks(func: Model, u: FloatArray, cells: int) -> FloatArray:
    """``func`` over rows of ``u`` in chunks of at most about 4 million evaluated cells."""
    rows = max(64, _CELLS_PER_CHUNK // max(cells, 1))
    parts = [func(u[i : i + rows]) for i in range(0, u.shape[0], rows)]
    return np.concatenate(parts, axis=0)


def _default_ids(model: RiskModel, scenario_ids: Sequence[str] | None) -> list[str]:
    n = model.malicious.shape[0]
    ids = (
        list(scenario_ids) if scenario_ids is not None else [f"scenario {i + 1}" for i in range(n)]
    )
    if len(ids) != n:
        raise ValueError(f"{len(ids)} scenario ids given for {n} scenarios")
    return ids


MORRIS_MAX_INPUTS = 2000
"""Above this many uncertain inputs the rank screening is skipped (its design is (D+1) x D)."""


# -- the analyses ----------------------------------------------------------------------------------
def scenario_sobol(
    model: RiskModel,
    sampler: PositionSampler,
    central: FloatArray,
    level: IntArray,
    scenario: int,
    options: SensitivityOptions | None = None,
    seed: int = 0,
    scenario_ids: Sequence[str] | None = None,
) -> ScenarioSensitivity:
    """Sobol indices of one scenario's total impact and risk at its shown level ``level[s]``."""
    options = options or SensitivityOptions()
    ids = _default_ids(model, scenario_ids)
    n_levels = central.shape[1]
    scenarios = linked_scenarios(model, scenario, n_levels)
    sub = model.restricted(scenarios)
    lv = int(level[scenario])
    space, fixed = input_space(
        model, sampler, central, options, scenarios, {scenario: [lv]}, lambda s, lv_, label: label
    )

    def run(u: FloatArray) -> FloatArray:
        out = evaluate_weighted(sub, space.positions(u), space.weights(u))
        return np.stack((out.total_impact[:, 0, lv], out.level_risk[:, 0, lv]), axis=1)

    indices = sobol_indices(
        lambda u: _in_chunks(run, u, int(space.central.size)),
        space.names,
        ("impact", "risk"),
        options.sobol_samples,
        seed,
        key=(1, scenario),
        resamples=options.resamples,
        confidence=options.confidence,
    )
    return ScenarioSensitivity(ids[scenario], scenario, lv, space.inputs, tuple(fixed), indices)


def rank_morris(
    model: RiskModel,
    sampler: PositionSampler,
    central: FloatArray,
    options: SensitivityOptions | None = None,
    seed: int = 0,
    scenario_ids: Sequence[str] | None = None,
) -> tuple[MorrisEffects, tuple[Input, ...]]:
    """Grouped Morris screening of every scenario's rank: a group per weight and per scenario."""
    options = options or SensitivityOptions()
    ids = _default_ids(model, scenario_ids)
    s_count, n_levels = central.shape[:2]
    level_ids = [lv.id for lv in model.method.intensity_levels]

    def name(s: int, lv: int, label: str) -> str:
        at = f" {level_ids[lv]}" if n_levels > 1 and lv < len(level_ids) else ""
        return f"{ids[s]}{at} {label}"

    every = np.arange(s_count, dtype=np.int64)
    space, _ = input_space(
        model,
        sampler,
        central,
        options,
        every,
        {s: list(range(n_levels)) for s in range(s_count)},
        name,
    )
    groups = [i.name if i.kind == "weight" else f"scenario {ids[i.scenario]}" for i in space.inputs]

    def run(u: FloatArray) -> FloatArray:
        risk = evaluate_weighted(model, space.positions(u), space.weights(u)).risk
        ranks: FloatArray = competition_ranks(risk).astype(float)
        return ranks

    effects = morris_effects(
        lambda u: _in_chunks(run, u, int(central.size)),
        space.names,
        groups,
        ids,
        options.morris_trajectories,
        seed,
        key=(2,),
        levels=options.morris_levels,
        resamples=options.resamples,
        confidence=options.confidence,
    )
    return effects, space.inputs


def sensitivity(
    model: RiskModel,
    sampler: PositionSampler,
    central: FloatArray,
    level: IntArray,
    *,
    scenario_ids: Sequence[str] | None = None,
    options: SensitivityOptions | None = None,
    seed: int = 0,
    only: Sequence[int] | None = None,
    morris_max_inputs: int = MORRIS_MAX_INPUTS,
) -> SensitivityResult:
    """Sobol of every scenario's impact and risk, and Morris of every scenario's rank.

    ``central`` (S, L, K + 1) are the central positions (``Results.cells.central``), ``level``
    (S,) the level shown per scenario (``Results.level``), ``sampler`` the intervals
    (:func:`nsra.analysis.uncertainty.position_sampler`). ``only``: the scenarios to give Sobol
    indices (default: all), to bound the cost on large assessments. The rank screening (Morris)
    is skipped, and says so, when it would need more than ``morris_max_inputs`` inputs: its
    design grows with the square of the inputs.
    """
    options = options or SensitivityOptions()
    ids = _default_ids(model, scenario_ids)
    chosen = range(len(ids)) if only is None else only
    per_scenario = tuple(
        scenario_sobol(model, sampler, central, level, s, options, seed, ids) for s in chosen
    )
    n_inputs = int(np.sum(sampler.high > sampler.low)) + model.n_criteria
    if n_inputs <= morris_max_inputs:
        morris, morris_inputs = rank_morris(model, sampler, central, options, seed, ids)
    else:
        nothing = np.zeros((len(ids), 0))
        morris = MorrisEffects((), tuple(ids), nothing, nothing, nothing, 0, 0, 0)
        morris_inputs = ()
    return SensitivityResult(
        seed=seed,
        options=options,
        discrete=not model.method.continuous,
        monetised=model.impact.monetised,
        scenarios=per_scenario,
        morris=morris,
        morris_inputs=morris_inputs,
        level_ids=tuple(lv.id for lv in model.method.intensity_levels),
    )
