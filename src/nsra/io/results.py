"""Computed results as a stable JSON contract, a CSV table and a text table.

The JSON contract (``format: nsra-results/1``, typed in :mod:`nsra.io.contract`), per scenario
at least: ``id``, ``title``, ``impact`` (``criteria``, ``interests``, ``total``), ``likelihood``
(``class``, ``probability``), ``risk``, ``rank``, ``serious`` and the analysts' ``spread``.
Numbers are plain JSON numbers; a value that could not be computed (nothing estimated) is
``null``. Every number and class comes from the engine's results; this module only writes them.
"""

from __future__ import annotations

import csv
import io
from typing import Any

import numpy as np

from nsra.engine.classes import NO_CLASS
from nsra.engine.compute import Results
from nsra.engine.inputs import IntArray
from nsra.engine.ranking import rank_order
from nsra.io.contract import (
    RESULTS_FORMAT,
    HorizonLikelihood,
    LevelBlock,
    ResultsDoc,
    ScenarioResult,
)
from nsra.io.gcpause import gc_paused
from nsra.io.jsondoc import json_numbers, num
from nsra.io.validate import Loaded
from nsra.model.method import ClassScale
from nsra.model.text import DEFAULT_LANG, Lang, tr
from nsra.version import __version__


def _codes(scale: ClassScale, indices: IntArray) -> Any:
    """Class codes of class indices as nested lists, None where there is no class."""
    idx = np.asarray(indices, dtype=np.int64)
    table = np.array([*scale.codes, None], dtype=object)
    missing = idx == NO_CLASS
    return table[np.where(missing, len(scale.codes), idx - scale.first_index)].tolist()


def results_document(loaded: Loaded, results: Results, lang: Lang = DEFAULT_LANG) -> ResultsDoc:
    """The whole result as plain data (JSON-ready)."""
    with gc_paused():
        return _document(loaded, results, lang)


def _document(loaded: Loaded, results: Results, lang: Lang) -> ResultsDoc:
    a, m = loaded.assessment, loaded.method
    total_scale = m.scale(m.aggregation.total_scale)
    crit_scales = [m.scale(c.scale) for c in m.criteria]
    lik_scales = {flag: m.scale(m.likelihood.scale_for(flag).scale) for flag in (True, False)}
    cells = results.cells
    cls = results.classes
    k = len(m.criteria)
    has_levels = bool(m.intensity_levels)
    crit_ids = [c.id for c in m.criteria]
    interest_ids = [i.id for i in m.interests]

    # everything converted once, as whole arrays (a per-number loop is 10x slower)
    c_central, c_low, c_high = (
        json_numbers(x[:, :, :k]) for x in (cells.central, cells.low, cells.high)
    )
    c_median = json_numbers(cells.median)
    c_class = [_codes(crit_scales[j], cls.criterion[:, :, j]) for j in range(k)]
    c_min = [_codes(crit_scales[j], cls.criterion_low[:, :, j]) for j in range(k)]
    c_max = [_codes(crit_scales[j], cls.criterion_high[:, :, j]) for j in range(k)]
    analysts = cells.analysts.tolist()
    consensus = cells.consensus.tolist()
    values = json_numbers(results.criterion_values)
    interests = json_numbers(results.interest_impact)
    direct_i, indirect_i, total_i = (
        json_numbers(x)
        for x in (results.direct_impact, results.indirect_impact, results.total_impact)
    )
    direct_p, indirect_p, total_p = (
        json_numbers(x)
        for x in (
            results.direct_probability,
            results.indirect_probability,
            results.total_probability,
        )
    )
    level_risk = json_numbers(results.level_risk)
    lik_pos, imp_pos = (
        json_numbers(results.likelihood_position),
        json_numbers(results.impact_position),
    )
    x_low, x_high = json_numbers(results.likelihood_low), json_numbers(results.likelihood_high)
    y_low, y_high = json_numbers(results.impact_low), json_numbers(results.impact_high)
    imp_class = _codes(total_scale, cls.impact)
    # each scenario's likelihood classes are on its own scale (malicious or not): read the codes
    # of each scale only for its own scenarios (the scales may have different classes)
    malicious = np.array([sc.malicious for sc in a.scenarios], dtype=bool)[:, None]

    def own(indices: IntArray, flag: bool) -> IntArray:
        return np.where(malicious == flag, indices, NO_CLASS)

    lik_class, lik_min, lik_max = (
        {f: _codes(sc, own(x, f)) for f, sc in lik_scales.items()}
        for x in (cls.likelihood, cls.likelihood_low, cls.likelihood_high)
    )
    basis = m.likelihood.time_basis_months
    horizons = {
        hid: (
            h.year,
            h.given.tolist(),
            *(
                json_numbers(x)
                for x in (
                    h.likelihood_position,
                    h.total_probability,
                    h.direct_probability,
                    h.indirect_probability,
                    h.level_risk,
                )
            ),
        )
        for hid, h in results.horizons.items()
    }

    def at_horizons(s: int, lv: int) -> dict[str, HorizonLikelihood]:
        return {
            hid: {
                "year": year,
                "estimated": bool(given[s][lv]),
                "position": pos[s][lv],
                "probability": total[s][lv],
                "direct_probability": direct[s][lv],
                "indirect_probability": indirect[s][lv],
                "risk": risk[s][lv],
            }
            for hid, (year, given, pos, total, direct, indirect, risk) in horizons.items()
        }

    def level_block(s: int, lv: int, malicious: bool) -> LevelBlock:
        cen, lo, hi = c_central[s][lv], c_low[s][lv], c_high[s][lv]
        n_an, cons, med = analysts[s][lv], consensus[s][lv], c_median[s][lv]
        block: LevelBlock = {
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
                    "min_position": num(cells.low[s, lv, k]),
                    "max_position": num(cells.high[s, lv, k]),
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
        if horizons:
            block["likelihood"]["horizons"] = at_horizons(s, lv)
        return block

    scenarios = []
    for s, sc in enumerate(a.scenarios):
        lv = int(results.level[s])
        main = level_block(s, lv, sc.malicious)
        entry: ScenarioResult = {
            "id": sc.id,
            "title": tr(sc.title, lang),
            "theme": a.theme_name(sc.theme, lang),
            "domain": sc.domain,
            "malicious": sc.malicious,
            "owner": sc.owner,
            "rank": int(results.rank[s]) or None,
            "risk": num(results.risk[s]),
            "serious": bool(results.serious[s]),
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
    order = rank_order(results.rank)
    return {
        "format": RESULTS_FORMAT,
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


def results_csv(doc: ResultsDoc, interests: list[str]) -> str:
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
