"""Computed results as a stable JSON contract, a CSV table and a text table.

The JSON contract (``format: nsra-results/1``), per scenario at least: ``id``, ``title``,
``impact`` (``criteria``, ``interests``, ``total``), ``likelihood`` (``class``, ``probability``),
``risk``, ``rank`` and the analysts' ``spread``. Numbers are plain JSON numbers; a value that
could not be computed (nothing estimated) is ``null``.
"""

from __future__ import annotations

import csv
import io
import math
from typing import Any

import numpy as np

from nsra import __version__
from nsra.engine.compute import Results
from nsra.engine.scales import ScaleKernel
from nsra.io.validate import Loaded
from nsra.model.text import tr

FORMAT = "nsra-results/1"


def _num(x: Any) -> float | None:
    v = float(x)
    return None if math.isnan(v) or math.isinf(v) else v


def _code(kernel: ScaleKernel, position: float) -> str | None:
    if math.isnan(position):
        return None
    return kernel.scale.code_of(int(kernel.classes(position)))


def results_document(loaded: Loaded, results: Results, lang: str = "en") -> dict[str, Any]:
    """The whole result as plain data (JSON-ready)."""
    a, m = loaded.assessment, loaded.method
    total_kernel = ScaleKernel.of(m.scale(m.aggregation.total_scale))
    crit_kernels = [ScaleKernel.of(m.scale(c.scale)) for c in m.criteria]
    lik_kernels = {
        flag: ScaleKernel.of(m.scale(m.likelihood.scale_for(flag).scale)) for flag in (True, False)
    }
    cells = results.cells
    k = len(m.criteria)
    has_levels = bool(m.intensity_levels)

    def level_block(s: int, lv: int, malicious: bool) -> dict[str, Any]:
        lik_kernel = lik_kernels[malicious]
        crit = {}
        for j, c in enumerate(m.criteria):
            pos = float(cells.central[s, lv, j])
            crit[c.id] = {
                "class": _code(crit_kernels[j], pos),
                "position": _num(pos),
                "value": _num(results.criterion_values[s, lv, j]),
            }
        lik_pos = float(results.likelihood_position[s, lv])
        imp_pos = float(results.impact_position[s, lv])
        block: dict[str, Any] = {
            "impact": {
                "criteria": crit,
                "interests": {
                    i.id: _num(results.interest_impact[s, lv, n]) for n, i in enumerate(m.interests)
                },
                "direct": _num(results.direct_impact[s, lv]),
                "indirect": _num(results.indirect_impact[s, lv]),
                "total": _num(results.total_impact[s, lv]),
                "class": _code(total_kernel, imp_pos),
                "position": _num(imp_pos),
            },
            "likelihood": {
                "class": _code(lik_kernel, lik_pos),
                "position": _num(lik_pos),
                "probability": _num(results.total_probability[s, lv]),
                "direct_probability": _num(results.direct_probability[s, lv]),
                "indirect_probability": _num(results.indirect_probability[s, lv]),
                "time_basis_months": m.likelihood.time_basis_months,
            },
            "risk": _num(results.level_risk[s, lv]),
            "diagram": {
                "x": _num(lik_pos),
                "y": _num(imp_pos),
                "x_low": _num(results.likelihood_low[s, lv]),
                "x_high": _num(results.likelihood_high[s, lv]),
                "y_low": _num(results.impact_low[s, lv]),
                "y_high": _num(results.impact_high[s, lv]),
            },
        }
        spread_imp = {}
        for j, c in enumerate(m.criteria):
            n = int(cells.analysts[s, lv, j])
            lo, hi = float(cells.low[s, lv, j]), float(cells.high[s, lv, j])
            spread_imp[c.id] = {
                "min": _code(crit_kernels[j], lo),
                "max": _code(crit_kernels[j], hi),
                "min_position": _num(lo),
                "max_position": _num(hi),
                "median_position": _num(cells.median[s, lv, j]),
                "analysts": n,
                "consensus": bool(cells.consensus[s, lv, j]),
            }
        lo, hi = float(cells.low[s, lv, k]), float(cells.high[s, lv, k])
        block["spread"] = {
            "likelihood": {
                "min": _code(lik_kernel, lo),
                "max": _code(lik_kernel, hi),
                "min_position": _num(lo),
                "max_position": _num(hi),
                "median_position": _num(cells.median[s, lv, k]),
                "analysts": int(cells.analysts[s, lv, k]),
                "consensus": bool(cells.consensus[s, lv, k]),
            },
            "impact": spread_imp,
        }
        return block

    scenarios = []
    for s, sc in enumerate(a.scenarios):
        lv = int(results.level[s])
        main = level_block(s, lv, sc.malicious)
        imp_pos, lik_pos = main["impact"]["position"], main["likelihood"]["position"]
        serious = m.diagram.serious(
            None if lik_pos is None else int(lik_kernels[sc.malicious].classes(lik_pos)),
            None if imp_pos is None else int(total_kernel.classes(imp_pos)),
        )
        entry: dict[str, Any] = {
            "id": sc.id,
            "title": tr(sc.title, lang),
            "theme": sc.theme,
            "domain": sc.domain,
            "malicious": sc.malicious,
            "owner": sc.owner,
            "rank": int(results.rank[s]) or None,
            "risk": _num(results.risk[s]),
            "serious": serious,
            "impact": main["impact"],
            "likelihood": main["likelihood"],
            "spread": main["spread"],
            "diagram": main["diagram"],
        }
        if has_levels:
            entry["level"] = m.intensity_levels[lv].id
            entry["levels"] = [
                {"id": level.id, **level_block(s, n, sc.malicious)}
                for n, level in enumerate(m.intensity_levels)
            ]
        scenarios.append(entry)
    order = np.argsort(
        np.where(results.rank > 0, results.rank, np.iinfo(np.int64).max), kind="stable"
    )
    return {
        "format": FORMAT,
        "nsra_version": __version__,
        "assessment": {
            "title": tr(a.title, lang),
            "date": a.date.isoformat(),
            "classification": a.classification,
            "illustrative": a.illustrative,
            "source": loaded.source,
        },
        "method": {
            "id": m.id,
            "version": m.version,
            "aggregation": m.aggregation.kind,
            "profile": results.profile_id,
            "impact_unit": tr(m.aggregation.total_unit, lang) if m.aggregation.total_unit else None,
            "time_basis_months": m.likelihood.time_basis_months,
            "levels": [lv.id for lv in m.intensity_levels],
            "level_risk": m.level_risk if has_levels else None,
        },
        "scenarios": [scenarios[i] for i in order],
    }


CSV_COLUMNS = [
    "rank",
    "id",
    "title",
    "domain",
    "malicious",
    "owner",
    "level",
    "likelihood_class",
    "probability",
    "impact_class",
    "impact_total",
    "risk",
]


def results_csv(doc: dict[str, Any], interests: list[str]) -> str:
    """One row per scenario (in rank order), impact per interest as extra columns."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([*CSV_COLUMNS, *(f"impact_{i}" for i in interests)])
    for sc in doc["scenarios"]:
        writer.writerow(
            [
                sc["rank"] if sc["rank"] is not None else "",
                sc["id"],
                sc["title"],
                sc["domain"],
                "yes" if sc["malicious"] else "no",
                sc["owner"],
                sc.get("level", ""),
                sc["likelihood"]["class"] or "",
                _fmt(sc["likelihood"]["probability"]),
                sc["impact"]["class"] or "",
                _fmt(sc["impact"]["total"]),
                _fmt(sc["risk"]),
                *(_fmt(sc["impact"]["interests"][i]) for i in interests),
            ]
        )
    return out.getvalue()


def _fmt(x: float | None) -> str:
    return "" if x is None else f"{x:.6g}"
