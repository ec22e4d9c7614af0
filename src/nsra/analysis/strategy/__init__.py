"""Strategy analysis: international developments, measures and residual risk, the portfolio under
a budget, capabilities, and the coherence of the national and the international strategy.

:func:`strategy_analysis` runs all of it on a computed assessment and returns one typed
:class:`StrategyAnalysis`; each part is also a function of its own module:

* :mod:`~nsra.analysis.strategy.effects`: effects of developments and measures as rows;
* :mod:`~nsra.analysis.strategy.picture`: the compiled model and the risk picture of any state;
* :mod:`~nsra.analysis.strategy.developments`: what-if, exposure, uncertainty of the shifts;
* :mod:`~nsra.analysis.strategy.measures`: inherent, current and target risk; measure values;
  the portfolio's tables;
* :mod:`~nsra.analysis.strategy.portfolio`: the exact portfolio choice (MILP), greedy, robustness;
* :mod:`~nsra.analysis.strategy.capabilities`: the capability gap agenda;
* :mod:`~nsra.analysis.strategy.flags`: coherence flags, the strategy matrix and network.
"""
