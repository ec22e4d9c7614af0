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
from nsra.io.gcpause import gc_paused
from nsra.io.validate import Loaded
from nsra.model.text import tr

FORMAT = "nsra-results/1"


def _num(x: Any) -> float | None:
    v = float(x)
    return None if math.isnan(v) or math.isinf(v) else v


def json_numbers(a: Any) -> Any:
    """A numpy array (or number) as nested lists of floats, None where not finite."""
    arr = np.asarray(a, dtype=float)
    out = arr.astype(object)
    out[~np.isfinite(arr)] = None
    return out.tolist()


_nums = json_numbers


def _codes(kernel: ScaleKernel, positions: Any) -> Any:
    """Class codes of positions as nested lists, None where a position is missing."""
    pos = np.asarray(positions, dtype=float)
    missing = np.isnan(pos)
    idx = kernel.classes(np.where(missing, 0.0, pos)) - kernel.first_index
    table = np.array([*kernel.scale.codes, None], dtype=object)
    return table[np.where(missing, len(kernel.scale.codes), idx)].tolist()


def results_document(loaded: Loaded, results: Results, lang: str = "en") -> dict[str, Any]:
    """The whole result as plain data (JSON-ready)."""
    with gc_paused():
        return _document(loaded, results, lang)


def _document(loaded: Loaded, results: Results, lang: str) -> dict[str, Any]:
    a, m = loaded.assessment, loaded.method
    total_kernel = ScaleKernel.of(m.scale(m.aggregation.total_scale))
    crit_kernels = [ScaleKernel.of(m.scale(c.scale)) for c in m.criteria]
    lik_kernels = {
        flag: ScaleKernel.of(m.scale(m.likelihood.scale_for(flag).scale)) for flag in (True, False)
    }
    cells = results.cells
    k = len(m.criteria)
    has_levels = bool(m.intensity_levels)
    crit_ids = [c.id for c in m.criteria]
    interest_ids = [i.id for i in m.interests]

    # everything converted once, as whole arrays (a per-number loop is 10x slower)
    c_central, c_low, c_high = (_nums(x[:, :, :k]) for x in (cells.central, cells.low, cells.high))
    c_median = _nums(cells.median)
    c_class = [_codes(crit_kernels[j], cells.central[:, :, j]) for j in range(k)]
    c_min = [_codes(crit_kernels[j], cells.low[:, :, j]) for j in range(k)]
    c_max = [_codes(crit_kernels[j], cells.high[:, :, j]) for j in range(k)]
    analysts = cells.analysts.tolist()
    consensus = cells.consensus.tolist()
    values = _nums(results.criterion_values)
    interests = _nums(results.interest_impact)
    direct_i, indirect_i, total_i = (
        _nums(x) for x in (results.direct_impact, results.indirect_impact, results.total_impact)
    )
    direct_p, indirect_p, total_p = (
        _nums(x)
        for x in (
            results.direct_probability,
            results.indirect_probability,
            results.total_probability,
        )
    )
    level_risk = _nums(results.level_risk)
    lik_pos, imp_pos = (
        _nums(results.likelihood_position),
        _nums(results.impact_position),
    )
    x_low, x_high = _nums(results.likelihood_low), _nums(results.likelihood_high)
    y_low, y_high = _nums(results.impact_low), _nums(results.impact_high)
    imp_class = _codes(total_kernel, results.impact_position)
    lik_class = {f: _codes(kn, results.likelihood_position) for f, kn in lik_kernels.items()}
    lik_min = {f: _codes(kn, cells.low[:, :, k]) for f, kn in lik_kernels.items()}
    lik_max = {f: _codes(kn, cells.high[:, :, k]) for f, kn in lik_kernels.items()}
    basis = m.likelihood.time_basis_months

    def level_block(s: int, lv: int, malicious: bool) -> dict[str, Any]:
        cen, lo, hi = c_central[s][lv], c_low[s][lv], c_high[s][lv]
        n_an, cons, med = analysts[s][lv], consensus[s][lv], c_median[s][lv]
        return {
            "impact": {
                "criteria": {
                    cid: {"class": c_class[j][s][lv], "position": cen[j], "value": values[s][lv][j]}
                    for j, cid in enumerate(crit_ids)
                },
                "interests": dict(zip(interest_ids, interests[s][lv], strict=True)),
                "direct": direct_i[s][lv],
                "indirect": indirect_i[s][lv],
                "total": total_i[s][lv],
                "class": imp_class[s][lv],
                "position": imp_pos[s][lv],
            },
            "likelihood": {
                "class": lik_class[malicious][s][lv],
                "position": lik_pos[s][lv],
                "probability": total_p[s][lv],
                "direct_probability": direct_p[s][lv],
                "indirect_probability": indirect_p[s][lv],
                "time_basis_months": basis,
            },
            "risk": level_risk[s][lv],
            "diagram": {
                "x": lik_pos[s][lv],
                "y": imp_pos[s][lv],
                "x_low": x_low[s][lv],
                "x_high": x_high[s][lv],
                "y_low": y_low[s][lv],
                "y_high": y_high[s][lv],
            },
            "spread": {
                "likelihood": {
                    "min": lik_min[malicious][s][lv],
                    "max": lik_max[malicious][s][lv],
                    "min_position": _num(cells.low[s, lv, k]),
                    "max_position": _num(cells.high[s, lv, k]),
                    "median_position": med[k],
                    "analysts": n_an[k],
                    "consensus": cons[k],
                },
                "impact": {
                    cid: {
                        "min": c_min[j][s][lv],
                        "max": c_max[j][s][lv],
                        "min_position": lo[j],
                        "max_position": hi[j],
                        "median_position": med[j],
                        "analysts": n_an[j],
                        "consensus": cons[j],
                    }
                    for j, cid in enumerate(crit_ids)
                },
            },
        }

    scenarios = []
    for s, sc in enumerate(a.scenarios):
        lv = int(results.level[s])
        main = level_block(s, lv, sc.malicious)
        ip, lp = main["impact"]["position"], main["likelihood"]["position"]
        serious = m.diagram.serious(
            None if lp is None else int(lik_kernels[sc.malicious].classes(lp)),
            None if ip is None else int(total_kernel.classes(ip)),
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
    """One row per scenario (in rank order), impact per interest as extra columns, and the
    assessment's classification label as the last column of every row (a spreadsheet keeps it
    with any row copied out of the file)."""
    label = doc["assessment"]["classification"]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([*CSV_COLUMNS, *(f"impact_{i}" for i in interests), "classification"])
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
                label,
            ]
        )
    return out.getvalue()


def _fmt(x: float | None) -> str:
    return "" if x is None else f"{x:.6g}"
