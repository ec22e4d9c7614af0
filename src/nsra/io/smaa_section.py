"""SMAA-2 of an assessment: weight preferences from the command line, and the JSON section.

Weight preferences (``--weights``):

* ``uniform`` (default): uniform on the simplex (Dirichlet(1));
* ``ordinal:2.1>3.1=5.2>1.1``: a ranking of criteria, most important first; ``=`` puts
  criteria in one group (not ordered among themselves); criteria not named come last, unordered;
* ``interval:0.5``: each weight within +-50% of the method's default profile.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from nsra.analysis.smaa import SmaaResult, smaa
from nsra.analysis.smaa_inputs import EffectiveValues, weights_matter
from nsra.analysis.uncertainty import PositionSampler
from nsra.analysis.weights import FixedWeights, IntervalWeights, OrdinalWeights, UniformWeights
from nsra.engine.compute import Results
from nsra.engine.evaluate import RiskModel
from nsra.io.problems import InputError, Problem
from nsra.io.results import json_numbers
from nsra.io.validate import Loaded

WeightSampler = UniformWeights | OrdinalWeights | IntervalWeights | FixedWeights


def weight_sampler(spec: str, model: RiskModel) -> WeightSampler:
    """The weight sampler a ``--weights`` text asks for (see the module docstring)."""
    ids = [c.id for c in model.method.criteria]
    k = len(ids)
    if not weights_matter(model):
        return FixedWeights((1.0,))
    kind, _, arg = spec.partition(":")
    if kind == "uniform" and not arg:
        return UniformWeights(k)
    if kind == "ordinal" and arg:
        groups: list[list[int]] = []
        seen: set[int] = set()
        for part in arg.split(">"):
            group = []
            for name in part.split("="):
                name = name.strip()
                if name not in ids:
                    raise _bad(
                        f"unknown criterion {name!r} in --weights; criteria: {', '.join(ids)}"
                    )
                if ids.index(name) in seen:
                    raise _bad(f"criterion {name} appears twice in --weights")
                seen.add(ids.index(name))
                group.append(ids.index(name))
            groups.append(group)
        rest = [i for i in range(k) if i not in seen]
        if rest:
            groups.append(rest)
        return OrdinalWeights.of(groups, k)
    if kind == "interval" and arg:
        try:
            spread = float(arg)
        except ValueError:
            raise _bad(f"--weights interval:{arg}: give a fraction such as interval:0.5") from None
        if not 0 <= spread <= 10:
            raise _bad("--weights interval: the fraction must be between 0 and 10")
        w = model.impact.weights
        try:
            return IntervalWeights(
                tuple(float(x) for x in w * (1 - min(spread, 1.0))),
                tuple(float(x) for x in np.minimum(1.0, w * (1 + spread))),
            )
        except ValueError as exc:
            raise _bad(f"--weights {spec}: {exc}") from None
    raise _bad(f"unknown --weights {spec!r}; use uniform, ordinal:2.1>3.1=5.2 or interval:0.5")


def _bad(message: str) -> InputError:
    return InputError([Problem(message)])


def smaa_document(
    loaded: Loaded, model: RiskModel, result: SmaaResult, weights: str
) -> dict[str, Any]:
    """The SMAA section: per scenario its rank acceptability, central weights, confidence."""
    varied = weights_matter(model)
    ids = [c.id for c in loaded.method.criteria] if varied else []
    scenarios = []
    for i, sc in enumerate(loaded.assessment.scenarios):
        entry: dict[str, Any] = {
            "id": sc.id,
            "rank_acceptability": json_numbers(result.rank_acceptability[i]),
            "rank_acceptability_se": json_numbers(result.rank_acceptability_se[i]),
            "central_weights": (
                dict(zip(ids, json_numbers(result.central_weights[i]), strict=True))
                if varied and np.all(np.isfinite(result.central_weights[i]))
                else None
            ),
            "confidence": None if result.confidence is None else json_numbers(result.confidence[i]),
            "confidence_se": (
                None if result.confidence_se is None else json_numbers(result.confidence_se[i])
            ),
            "holistic": json_numbers(result.holistic[i]),
            "holistic_se": json_numbers(result.holistic_se[i]),
        }
        scenarios.append(entry)
    opts = result.options
    return {
        "samples": opts.n,
        "seed": opts.seed,
        "weights": weights if varied else "fixed (monetised method: euros add up)",
        "criteria": ids,
        "values_sampled": opts.values_sampled,
        "meta_weights": "linear",
        "scenarios": scenarios,
        "pairwise_winning": None if result.pairwise is None else json_numbers(result.pairwise),
    }


def smaa_section(
    loaded: Loaded,
    results: Results,
    model: RiskModel,
    sampler: PositionSampler,
    options: Any,
    executor: Any,
) -> dict[str, Any]:
    """SMAA-2 over the weight space and the analysts' spread."""
    del results
    spec = getattr(options, "weights", "uniform")
    weights = weight_sampler(spec, model)
    result = smaa(
        EffectiveValues(model, sampler),
        weights,
        n=options.samples,
        seed=options.seed,
        executor=executor,
        with_confidence=True,
        with_pairwise=len(loaded.assessment.scenarios) <= 60,
    )
    return smaa_document(loaded, model, result, spec)
