"""The strategy analysis of a member's view of an assessment, as the API and the pages serve it."""

from __future__ import annotations

import json

from nsra.analysis.strategy.run import StrategyAnalysis, strategy_analysis
from nsra.engine.compute import Results
from nsra.io.strategy_doc import strategy_document
from nsra.io.validate import Loaded
from nsra.model.text import Lang
from nsra.server.api.errors import ApiError


def analyse_strategy(
    loaded: Loaded, results: Results, budget: float | None, samples: int, seed: int
) -> StrategyAnalysis:
    """The analysis, or a 422 in plain words when the file cannot be weighed (for example more
    proposed measures on one scenario than the portfolio weighs)."""
    try:
        return strategy_analysis(
            loaded.assessment,
            loaded.inputs,
            loaded.method,
            results,
            budget=budget,
            samples=samples,
            seed=seed,
        )
    except ValueError as e:
        raise ApiError(422, str(e)) from None


def strategy_body(
    loaded: Loaded,
    results: Results,
    lang: Lang,
    budget: float | None,
    samples: int,
    seed: int,
) -> bytes:
    sa = analyse_strategy(loaded, results, budget, samples, seed)
    doc = strategy_document(loaded, sa, lang)
    return json.dumps(doc, ensure_ascii=False).encode()
