"""What SMAA-2 ranks in nsra: risk as a linear function of the criterion weights.

For weighted methods a scenario's risk is linear in the weights ``w``:
``risk = mean over levels of p_l x (v_l + c_l) . w``, where ``v_l`` are the criterion scores of
level ``l`` and ``c_l`` the scores its first-order cascades bring in (where the method counts
cascades in risk). So SMAA's ``values . w`` with *effective values*
``e = mean_l p_l (v_l + c_l)`` ranks exactly what the engine ranks. Criteria nobody scored count
as 0; for a ``weighted_average`` method whose scenarios leave criteria unscored the weights are
then not renormalised per scenario (a documented approximation: with every criterion scored it
is exact).

For monetised methods (the BNRA) the weights are fixed (euros add up), so SMAA only propagates
the uncertainty of the estimates: the effective value is the risk itself (K = 1, weight 1).

:class:`EffectiveValues` draws positions with the Monte Carlo sampler and returns effective
values per sample: SMAA's value sampler.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from nsra.analysis.uncertainty import PositionSampler
from nsra.analysis.weights import FixedWeights, IntervalWeights, OrdinalWeights, UniformWeights
from nsra.engine.cascade import through
from nsra.engine.evaluate import RiskModel
from nsra.engine.inputs import FloatArray


def weights_matter(model: RiskModel) -> bool:
    """True when the method combines criteria with weights (not monetised)."""
    return model.method.aggregation.kind != "monetised"


def effective_values(model: RiskModel, positions: FloatArray) -> FloatArray:
    """Effective values (..., S, K) of positions (..., S, L, K + 1); (..., S, 1) if monetised."""
    if not weights_matter(model):
        risk = model.evaluate(positions).risk
        return np.nan_to_num(risk)[..., None]
    k = model.n_criteria
    crit = positions[..., :k]
    values = np.nan_to_num(model.impact.criterion_values(crit))  # (..., S, L, K)
    probability = model.probability(positions[..., k])  # (..., S, L)
    if model.cascades_in_risk:
        # first-order cascades: indirect impact is linear in the effect's scores
        extra = np.stack([through(model.cascades_t, values[..., j]) for j in range(k)], axis=-1)
        values = values + extra
        ind_p = through(model.cascades, probability)
        probability = np.where(
            np.isnan(probability), probability, np.minimum(1.0, probability + ind_p)
        )
    assessed = ~np.isnan(probability) & ~np.all(np.isnan(crit), axis=-1)
    weighted = np.where(assessed[..., None], np.nan_to_num(probability)[..., None] * values, 0.0)
    how = model.method.level_risk
    if how == "sum":
        out: FloatArray = weighted.sum(axis=-2)
    elif how == "max":  # not linear in w; the level with the highest central risk stands in
        out = weighted.max(axis=-2)
    else:
        out = weighted.sum(axis=-2) / np.maximum(assessed.sum(axis=-1), 1)[..., None]
    return out


@dataclass(frozen=True)
class EffectiveValues:
    """SMAA value sampler: positions drawn within the analysts' spread -> effective values."""

    model: RiskModel
    sampler: PositionSampler

    def __call__(self, n: int, rng: np.random.Generator) -> FloatArray:
        return effective_values(self.model, self.sampler.sample(n, rng))


WeightSampler = UniformWeights | OrdinalWeights | IntervalWeights | FixedWeights


class PreferenceError(ValueError):
    """Weight preferences that do not fit the method (the message says why, for people)."""


@dataclass(frozen=True)
class WeightPreferences:
    """The weight space SMAA explores: its sampler, whether weights vary at all (not for a
    monetised method), and the preference text it came from (recorded in the results)."""

    sampler: WeightSampler
    varied: bool
    text: str


def weight_preferences(spec: str, model: RiskModel) -> WeightPreferences:
    """The weight space a preference text asks for.

    * ``uniform``: uniform on the simplex (Dirichlet(1));
    * ``ordinal:2.1>3.1=5.2>1.1``: a ranking of criteria, most important first; ``=`` puts
      criteria in one group (not ordered among themselves); criteria not named come last;
    * ``interval:0.5``: each weight within +-50% of the method's default profile.

    A monetised method has fixed weights whatever the text. Raises a ``ValueError`` with a
    message for people (:class:`PreferenceError`) when the text does not fit the method.
    """
    ids = [c.id for c in model.method.criteria]
    k = len(ids)
    if not weights_matter(model):
        return WeightPreferences(FixedWeights((1.0,)), False, spec)
    kind, _, arg = spec.partition(":")
    if kind == "uniform" and not arg:
        return WeightPreferences(UniformWeights(k), True, spec)
    if kind == "ordinal" and arg:
        groups: list[list[int]] = []
        seen: set[int] = set()
        for part in arg.split(">"):
            group = []
            for raw in part.split("="):
                name = raw.strip()
                if name not in ids:
                    raise PreferenceError(
                        f"unknown criterion {name!r} in --weights; criteria: {', '.join(ids)}"
                    )
                if ids.index(name) in seen:
                    raise PreferenceError(f"criterion {name} appears twice in --weights")
                seen.add(ids.index(name))
                group.append(ids.index(name))
            groups.append(group)
        rest = [i for i in range(k) if i not in seen]
        if rest:
            groups.append(rest)
        return WeightPreferences(OrdinalWeights.of(groups, k), True, spec)
    if kind == "interval" and arg:
        try:
            spread = float(arg)
        except ValueError:
            raise PreferenceError(
                f"--weights interval:{arg}: give a fraction such as interval:0.5"
            ) from None
        if not 0 <= spread <= 10:
            raise PreferenceError("--weights interval: the fraction must be between 0 and 10")
        w = model.impact.weights
        try:
            sampler = IntervalWeights(
                tuple(float(x) for x in w * (1 - min(spread, 1.0))),
                tuple(float(x) for x in np.minimum(1.0, w * (1 + spread))),
            )
        except ValueError as exc:
            raise PreferenceError(f"--weights {spec}: {exc}") from None
        return WeightPreferences(sampler, True, spec)
    raise PreferenceError(
        f"unknown --weights {spec!r}; use uniform, ordinal:2.1>3.1=5.2 or interval:0.5"
    )
