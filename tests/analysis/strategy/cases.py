"""Small assessment texts and helpers shared by the strategy tests."""

from __future__ import annotations

from nsra.analysis.strategy.picture import StrategyModel
from nsra.engine.compute import Results, compute
from nsra.io.validate import Loaded
from tests.helpers import parse

HEAD = """
title: strategy test
method: nl-snv
date: 2026-01-01
classification: test
organisations: [{id: jv, name: JV}, {id: bz, name: BZ}, {id: def, name: DEF}]
"""

IMPACT = '{"2.1": C, "3.1": B, "5.1": C}'


def scenario(
    sid: str, likelihood: str = "B", domain: str = "internal", impact: str = IMPACT
) -> str:
    return (
        f"  - {{id: {sid}, title: {sid.upper()}, theme: t, domain: {domain}, malicious: false, "
        f"owner: jv, consensus: [{{likelihood: {likelihood}, impact: {impact}}}]}}\n"
    )


def model(text: str) -> tuple[Loaded, Results, StrategyModel]:
    loaded = parse(text)
    results = compute(loaded.inputs, loaded.method)
    sm = StrategyModel.of(loaded.assessment, loaded.inputs, loaded.method, results.cells.central)
    return loaded, results, sm
