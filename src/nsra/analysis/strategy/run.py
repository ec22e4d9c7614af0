"""The whole strategy analysis of a computed assessment, as one typed result."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from nsra.analysis.coherence import Coherence, coherence
from nsra.analysis.strategy.capabilities import CapabilityAgenda, capability_agenda
from nsra.analysis.strategy.developments import (
    DevelopmentUncertainty,
    WhatIf,
    development_uncertainty,
    what_if,
)
from nsra.analysis.strategy.flags import (
    Flag,
    StrategyMatrix,
    coherence_flags,
    strategy_matrix,
)
from nsra.analysis.strategy.measures import (
    MeasureValues,
    PortfolioTables,
    RiskStates,
    measure_values,
    portfolio_tables,
    risk_states,
)
from nsra.analysis.strategy.picture import StrategyModel
from nsra.analysis.strategy.portfolio import (
    Portfolio,
    Robustness,
    best_portfolio,
    greedy_portfolio,
    portfolio_robustness,
)
from nsra.analysis.uncertainty import PositionSampler, position_sampler
from nsra.engine.compute import Results
from nsra.engine.inputs import AssessmentInput, BoolArray
from nsra.model.assessment import Assessment
from nsra.model.method import Method

DEFAULT_SAMPLES = 1000


@dataclass(frozen=True)
class PortfolioChoice:
    """The proposed measures funded under a budget: exact, greedy, and how robust."""

    budget: float
    tables: PortfolioTables
    best: Portfolio
    greedy: Portfolio
    robustness: Robustness | None


@dataclass(frozen=True)
class StrategyAnalysis:
    model: StrategyModel
    states: RiskStates
    values: MeasureValues
    what_if: WhatIf
    uncertainty: DevelopmentUncertainty | None
    raised: BoolArray  # (D, S) raised directly or through a cascade
    coherence: Coherence
    flags: list[Flag]
    matrix: StrategyMatrix
    capabilities: CapabilityAgenda
    portfolio: PortfolioChoice | None
    samples: int
    seed: int


def choose_portfolio(
    sm: StrategyModel,
    budget: float,
    inputs: AssessmentInput,
    results: Results,
    samples: int = DEFAULT_SAMPLES,
    seed: int = 0,
    workers: int = 1,
    sampler: PositionSampler | None = None,
) -> PortfolioChoice:
    """Fund proposed measures under ``budget`` euros a year: the exact MILP and the greedy
    answer on the central estimates, and over ``samples`` draws of the estimates and the effects
    the share of draws in which each measure is in the best portfolio (none when 0)."""
    tables = portfolio_tables(sm)
    central = [v[0] for v in tables.values]
    best = best_portfolio(tables.costs, budget, tables.members, central)
    greedy = greedy_portfolio(tables.costs, budget, tables.members, central)
    robust = None
    if samples > 0 and len(tables.measures):
        if sampler is None:
            sampler = position_sampler(inputs, sm.model.method, results.cells)
        rng = np.random.default_rng(seed)
        draws: list[list[np.ndarray]] = [[] for _ in tables.members]
        block = 100
        for start in range(0, samples, block):
            n = min(block, samples - start)
            pos = sampler.sample(n, rng)
            vals = sm.measures.draw(n, rng)
            part = portfolio_tables(sm, pos, vals)
            for g, v in enumerate(part.values):
                draws[g].append(v)
        value_draws = [np.concatenate(d) for d in draws]
        robust = portfolio_robustness(
            tables.costs, budget, tables.members, value_draws, workers=workers
        )
    return PortfolioChoice(
        budget=budget, tables=tables, best=best, greedy=greedy, robustness=robust
    )


def strategy_analysis(
    assessment: Assessment,
    inputs: AssessmentInput,
    method: Method,
    results: Results,
    budget: float | None = None,
    samples: int = DEFAULT_SAMPLES,
    seed: int = 0,
    workers: int = 1,
) -> StrategyAnalysis:
    """Everything of issue "strategy" on one computed assessment (``results`` from
    :func:`nsra.engine.compute.compute` with the same profile)."""
    sm = StrategyModel.of(assessment, inputs, method, results.cells.central, results.profile_id)
    states = risk_states(sm)
    values = measure_values(sm)
    wi = what_if(sm)
    d = sm.developments.n_items
    raised = wi.direct[:d] | wi.through_cascades[:d]
    unc = None
    sampler = position_sampler(inputs, method, results.cells) if samples > 0 else None
    if sampler is not None and d:
        unc = development_uncertainty(sm, sampler, samples, seed)
    cov = coherence(assessment, states.current.serious)
    flags = coherence_flags(assessment, cov, wi.pictures.serious[:d], raised)
    ev = states.current.evaluation
    at = (np.arange(len(sm.scenarios)), states.current.level)
    interest = np.nan_to_num(ev.interest_impact[at])  # (S, I)
    total = interest.sum(axis=-1, keepdims=True)
    share = np.where(total > 0, interest / np.where(total > 0, total, 1.0), 0.0)
    matrix = strategy_matrix(
        assessment,
        [i.id for i in method.interests],
        values.alone_by_scenario,
        states.current.risk,
        share,
    )
    caps = capability_agenda(assessment, states.current.risk)
    portfolio = (
        None
        if budget is None
        else choose_portfolio(sm, budget, inputs, results, samples, seed, workers, sampler)
    )
    return StrategyAnalysis(
        model=sm,
        states=states,
        values=values,
        what_if=wi,
        uncertainty=unc,
        raised=raised,
        coherence=cov,
        flags=flags,
        matrix=matrix,
        capabilities=caps,
        portfolio=portfolio,
        samples=samples,
        seed=seed,
    )
