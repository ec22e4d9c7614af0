"""Pure computation: aggregation, impact, likelihood, risk, ranking. No I/O, no printing."""
