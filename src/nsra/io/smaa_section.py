"""The SMAA-2 section of ``nsra-analysis/1``: per scenario its rank acceptability, central
weights, confidence factor and holistic acceptability, with samples, seed and the weight
preferences it ran with (see :func:`nsra.analysis.smaa_inputs.weight_preferences`)."""

from __future__ import annotations

import numpy as np

from nsra.analysis.smaa import SmaaResult
from nsra.io.contract import SmaaScenario, SmaaSection
from nsra.io.jsondoc import json_numbers, num
from nsra.model.assessment import Assessment
from nsra.model.method import Method

FIXED_WEIGHTS = "fixed (monetised method: euros add up)"


def smaa_section(
    assessment: Assessment, method: Method, result: SmaaResult, weights: str, varied: bool
) -> SmaaSection:
    """The section; ``weights`` is the preference text, ``varied`` False for fixed weights."""
    ids = [c.id for c in method.criteria] if varied else []
    scenarios: list[SmaaScenario] = []
    for i, sc in enumerate(assessment.scenarios):
        central = result.central_weights[i]
        scenarios.append(
            {
                "id": sc.id,
                "rank_acceptability": json_numbers(result.rank_acceptability[i]),
                "rank_acceptability_se": json_numbers(result.rank_acceptability_se[i]),
                "central_weights": (
                    dict(zip(ids, json_numbers(central), strict=True))
                    if varied and np.all(np.isfinite(central))
                    else None
                ),
                "confidence": None if result.confidence is None else num(result.confidence[i]),
                "confidence_se": (
                    None if result.confidence_se is None else num(result.confidence_se[i])
                ),
                "holistic": num(result.holistic[i]),
                "holistic_se": num(result.holistic_se[i]),
            }
        )
    opts = result.options
    return {
        "samples": opts.n,
        "seed": opts.seed,
        "weights": weights if varied else FIXED_WEIGHTS,
        "criteria": ids,
        "values_sampled": opts.values_sampled,
        "meta_weights": "linear",
        "scenarios": scenarios,
        "pairwise_winning": None if result.pairwise is None else json_numbers(result.pairwise),
    }
