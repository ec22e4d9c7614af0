"""Analyses over the engine, each pure and seeded: Monte Carlo uncertainty, weight profiles,
SMAA-2, Sobol and Morris sensitivity, the cascade simulation, the threat network and the
coherence of strategies and measures; :mod:`nsra.analysis.pipeline` runs them all."""
