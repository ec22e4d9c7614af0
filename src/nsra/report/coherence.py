"""The report's coherence section: which strategies and measures address each scenario in
which phase, the serious risks nothing addresses, where the national and the international
strategy meet, measures with several owners, strategies that address no serious risk. The
analysis itself is :func:`nsra.analysis.coherence.coherence`."""

from __future__ import annotations

from typing import Any

from nsra.analysis.coherence import PHASES, coherence
from nsra.engine.compute import Results
from nsra.model.text import tr
from nsra.report.view import RankingRow, View


def coherence_section(v: View, rows: list[RankingRow], results: Results) -> dict[str, Any]:
    a = v.a
    c = coherence(a, results.serious)
    strategies = {s.id: s for s in a.strategies}
    measures = {m.id: m for m in a.measures}
    by_rank = {r["id"]: r for r in rows}
    phase_labels = {p: v.t(f"phase_{p}") for p in PHASES}

    def strategy_title(sid: str) -> str:
        s = strategies.get(sid)
        return tr(s.title, v.lang) if s else sid

    columns = [
        {
            "id": s.id,
            "title": tr(s.title, v.lang),
            "scope": v.t(f"scope_{s.scope}"),
            "owner": v.org(s.owner),
        }
        for s in a.strategies
    ]
    matrix = []
    by_scenario: dict[str, list[dict[str, str]]] = {}
    for r in rows:
        cov = c.coverage(r["id"])
        cells = []
        for s in a.strategies:
            groups = []
            for p in PHASES:
                titles = [
                    tr(measures[mid].title, v.lang)
                    for mid in cov.phases.get(p, [])
                    if measures[mid].strategy == s.id
                ]
                if titles:
                    groups.append({"phase": phase_labels[p], "measures": titles})
            cells.append(groups)
        by_scenario[r["id"]] = [
            {
                "title": tr(measures[mid].title, v.lang),
                "phase": phase_labels[measures[mid].phase],
                "strategy": strategy_title(measures[mid].strategy),
            }
            for mid in cov.measures
        ]
        matrix.append(
            {
                **r,
                "gap": cov.gap,
                "any_measure": bool(cov.measures),
                "cells": cells,
                "phases": [
                    {"label": phase_labels[p], "short": str(n + 1), "on": bool(cov.phases[p])}
                    for n, p in enumerate(PHASES)
                ],
            }
        )
    shared = []
    for sid in c.shared:
        cov = c.coverage(sid)
        nat = [
            tr(measures[mid].title, v.lang)
            for mid in cov.measures
            if strategies.get(measures[mid].strategy)
            and strategies[measures[mid].strategy].scope == "national"
        ]
        intl = [
            tr(measures[mid].title, v.lang)
            for mid in cov.measures
            if strategies.get(measures[mid].strategy)
            and strategies[measures[mid].strategy].scope == "international"
        ]
        shared.append({**by_rank[sid], "national": nat, "international": intl})
    shared.sort(key=lambda x: (x["rank"] is None, x["rank"] or 0))
    multi = [
        {
            "title": tr(measures[mid].title, v.lang),
            "owners": [v.org(o) for o in dict.fromkeys(measures[mid].owners)],
            "strategy": strategy_title(measures[mid].strategy),
            "phase": phase_labels[measures[mid].phase],
        }
        for mid in c.multi_owner_measures
    ]
    idle = [
        {"title": strategy_title(sid), "scope": v.t(f"scope_{strategies[sid].scope}")}
        for sid in c.strategies_without_serious
    ]
    gaps = sorted(
        (by_rank[sid] for sid in c.gaps),
        key=lambda x: (x["rank"] is None, x["rank"] or 0),
    )
    return {
        "has_measures": bool(a.strategies or a.measures),
        "columns": columns,
        "matrix": matrix,
        "shared": shared,
        "multi": multi,
        "idle": idle,
        "gaps": gaps,
        "gap_ids": set(c.gaps),
        "by_scenario": by_scenario,
        "phase_names": [phase_labels[p] for p in PHASES],
    }
