"""The report's section per scenario: its description and sources, its results per intensity
level, each analyst's estimates with their rationales next to the consensus, its cascades and
"reinforces" links, and the measures that address it."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any

from nsra import i18n
from nsra.io.contract import LevelBlock, ScenarioResult
from nsra.model.assessment import Scenario
from nsra.model.text import tr
from nsra.report.view import RankingRow, View


def _given(
    v: View,
    spec: Any,
    unit: str,
    value_text: Callable[[float], str] | None = None,
    scale: str | None = None,
) -> tuple[str, str | None]:
    """What an analyst wrote, for people, and its rationale."""
    if spec is None:
        return "", None
    if isinstance(spec, bool):
        return str(spec), None
    if isinstance(spec, int):
        return str(spec), None
    if isinstance(spec, float):
        return i18n.plain(spec, v.lang), None
    if isinstance(spec, str):
        return spec.replace("..", "–"), None
    if isinstance(spec, Mapping):
        rationale = spec.get("rationale")
        if "class" in spec:
            text = str(spec["class"]).replace("..", "–")
        elif "value" in spec:
            value = float(spec["value"])
            if value_text is not None:
                text = value_text(value)
            elif unit == "EUR":
                text = i18n.euros(value, v.lang)
            else:
                text = i18n.plain(value, v.lang) + (f" {unit}" if unit else "")
        elif "scale" in spec:
            text = _position(v, float(spec["scale"]), scale)
        else:
            text = "?"
        return text, tr(rationale, v.lang) if rationale else None
    return str(spec), None


def _block(v: View, sc: Scenario, entry_block: LevelBlock, level: str | None) -> dict[str, Any]:
    """The criterion table of one scenario at one level (or the scenario without levels)."""
    m = v.m
    lik_spec = m.likelihood.scale_for(sc.malicious)
    lik_unit = ""

    def lik_value(x: float) -> str:
        # as nsra.io.validate reads it: a return period in years, or a probability
        if lik_spec.quantity == "return_period_months":
            return v.t("return_period", n=i18n.plain(x, v.lang))
        period = i18n.period(lik_spec.period_months or v.time_basis, v.lang)
        return f"{i18n.percent(x, v.lang)} ({period})"

    estimates = [e for e in sc.estimates if (e.level or None) == level]
    consensus = next((c for c in sc.consensus if (c.level or None) == level), None)
    analysts = []
    for e in estimates:
        a = v.analysts.get(e.analyst)
        analysts.append(
            {
                "id": e.analyst,
                "name": (tr(a.name, v.lang) if a and a.name else e.analyst),
                "org": v.org(a.organisation) if a else "",
            }
        )
    rationales: list[dict[str, Any]] = []

    def collect(what: str, text: str | None, sink: list[dict[str, str]]) -> None:
        if text:
            sink.append({"what": what, "text": text})

    rows = []
    lik_name = v.t("likelihood")
    spread = entry_block["spread"]
    per_analyst: list[list[dict[str, str]]] = [[] for _ in estimates]
    cons_notes: list[dict[str, str]] = []

    # likelihood row
    lik = entry_block["likelihood"]
    sp = spread["likelihood"]
    cells = []
    for n, e in enumerate(estimates):
        text, why = _given(v, e.likelihood, lik_unit, lik_value, lik_spec.scale)
        cells.append(text + (" *" if why else ""))
        collect(lik_name, why, per_analyst[n])
    ctext, cwhy = _given(
        v, consensus.likelihood if consensus else None, lik_unit, lik_value, lik_spec.scale
    )
    if cwhy:
        cons_notes.append({"what": lik_name, "text": cwhy})
    rows.append(
        {
            "code": "",
            "name": lik_name,
            "interest": "",
            "cls": lik["class"],
            "label": v.class_label(lik_spec.scale, lik["class"]),
            "spread": v.spread(sp["min"], sp["max"]),
            "n": sp["analysts"],
            "consensus": sp["consensus"],
            "given": cells,
            "agreed": ctext + (" *" if cwhy else ""),
            "lik": True,
        }
    )
    interests = {i.id: tr(i.label, v.lang) for i in m.interests}
    previous_interest = None
    for c in m.criteria:
        res = entry_block["impact"]["criteria"][c.id]
        sp = spread["impact"][c.id]
        scale = m.scale(c.scale)
        unit = tr(scale.unit, v.lang) if scale.unit and scale.quantitative else ""
        name = tr(c.label, v.lang)
        cells = []
        for n, e in enumerate(estimates):
            text, why = _given(v, e.impact.get(c.id), unit, scale=c.scale)
            cells.append(text + (" *" if why else ""))
            collect(f"{c.id} {name}", why, per_analyst[n])
        spec = consensus.impact.get(c.id) if consensus else None
        ctext, cwhy = _given(v, spec, unit, scale=c.scale)
        if cwhy:
            cons_notes.append({"what": f"{c.id} {name}", "text": cwhy})
        rows.append(
            {
                "code": c.id,
                "name": name,
                "interest": interests.get(c.interest, c.interest)
                if c.interest != previous_interest
                else "",
                "cls": res["class"],
                "label": v.class_text(c.scale, res["class"]) if res["class"] else "",
                "spread": v.spread(sp["min"], sp["max"]),
                "n": sp["analysts"],
                "consensus": sp["consensus"],
                "given": cells,
                "agreed": ctext + (" *" if cwhy else ""),
                "lik": False,
            }
        )
        previous_interest = c.interest
    for n, e in enumerate(estimates):
        items = list(per_analyst[n])
        if e.rationale:
            items.insert(0, {"what": v.t("overall"), "text": tr(e.rationale, v.lang)})
        if items:
            rationales.append({**analysts[n], "notes": items})
    cons = None
    if consensus is not None:
        items = list(cons_notes)
        cons = {
            "rationale": tr(consensus.rationale, v.lang),
            "date": i18n.long_date(consensus.date, v.lang) if consensus.date else "",
            "notes": items,
        }
    return {
        "level": v.level_label(level) if level else "",
        "level_colour": v.levels[level].colour if level in v.levels else None,
        "analysts": analysts,
        "rows": rows,
        "has_consensus": consensus is not None,
        "rationales": rationales,
        "consensus": cons,
    }


def _position(v: View, x: float, scale: str | None) -> str:
    """A position on a continuous class scale in plain words: the class it lies in, with the
    position in brackets ("class 2 (1.6)"); class k spans k - 0.5 to k + 0.5."""
    value = i18n.plain(x, v.lang)
    if scale is None:
        return v.t("scale_position", value=value)
    code = v.m.scale(scale).code_of(math.floor(x + 0.5))
    return v.t("scale_position_class", cls=code, value=value)


def _cascade_prob(v: View, spec: Any) -> str:
    if v.m.cascades is None:
        return ""
    text, _ = _given(v, spec, "", scale=v.m.cascades.scale)
    code = (
        spec
        if isinstance(spec, str)
        else (spec.get("class") if isinstance(spec, Mapping) else None)
    )
    if isinstance(code, str) and ".." not in code:
        label = v.class_label(v.m.cascades.scale, code)
        if label and label != code:
            return f"{text} ({label})"
    if isinstance(spec, Mapping) and "value" in spec:
        return i18n.percent(float(spec["value"]), v.lang)
    return text


def _cascades(v: View, sc: Scenario) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {"effects": [], "causes": []}
    for cz in v.a.cascades:
        if sc.id not in (cz.cause, cz.effect):
            continue
        other = cz.effect if cz.cause == sc.id else cz.cause
        grid = None
        if cz.levels:
            grid = _cascade_grid(v, cz.levels)
            prob = ""
        else:
            prob = _cascade_prob(v, cz.probability)
        entry = v.entries.get(other)
        out["effects" if cz.cause == sc.id else "causes"].append(
            {
                "id": other,
                "title": entry["title"] if entry else other,
                "rank": entry["rank"] if entry else None,
                "anchor": f"sc-{other}",
                "prob": prob,
                "grid": grid,
                "rationale": tr(cz.rationale, v.lang),
            }
        )
    return out


def _cascade_grid(v: View, levels: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    """A cascade between intensity levels as a table: a row per level of the cause, a column
    per level of the effect, the conditional probability in each cell ("–": not given, 0)."""
    ids = [lv.id for lv in v.m.intensity_levels]
    ids += [x for row in levels.values() for x in row if x not in ids]
    ids += [x for x in levels if x not in ids]
    columns = [{"label": v.level_label(b), "colour": v.level_colour(b)} for b in ids]
    rows = []
    for a in ids:
        given = levels.get(a, {})
        cells = [_cascade_prob(v, given[b]) if b in given else "–" for b in ids]
        rows.append({"label": v.level_label(a), "colour": v.level_colour(a), "cells": cells})
    return {"columns": columns, "rows": rows}


def _levels_table(v: View, e: ScenarioResult) -> list[dict[str, Any]]:
    rows = []
    lik_scale = v.lik_scale(e["malicious"])
    for lv in e.get("levels", []):
        imp, lik = lv["impact"], lv["likelihood"]
        rows.append(
            {
                "label": v.level_label(lv["id"]),
                "colour": v.level_colour(lv["id"]),
                "shown": lv["id"] == e.get("level"),
                "lik_class": lik["class"] or "–",
                "lik_label": v.class_label(lik_scale, lik["class"]),
                "p_direct": v.prob(lik["direct_probability"]),
                "p_indirect": v.prob(lik["indirect_probability"]),
                "p_total": v.prob(lik["probability"]),
                "i_direct": v.impact(imp["direct"]),
                "i_indirect": v.impact(imp["indirect"]),
                "i_total": v.impact(imp["total"]),
                "i_class": imp["class"] or "–",
                "risk": v.risk(lv["risk"]),
            }
        )
    return rows


def scenario_sections(
    v: View, rows: list[RankingRow], coh: dict[str, Any], only: str | None = None
) -> list[dict[str, Any]]:
    """The section of each scenario (or of the scenario ``only``: one page of the web site)."""
    sections = []
    by_id = {r["id"]: r for r in rows}
    for e in v.doc["scenarios"]:
        if only is not None and e["id"] != only:
            continue
        sc = v.scenarios[e["id"]]
        if "levels" in e:
            blocks = [_block(v, sc, lv_block, lv_block["id"]) for lv_block in e["levels"]]
        else:
            blocks = [_block(v, sc, e, None)]
        sources = [
            {
                "ref": s.ref,
                "title": tr(s.title, v.lang),
                "url": s.url or "",
                "date": i18n.long_date(s.date, v.lang) if s.date else "",
            }
            for s in sc.sources
        ]
        reinforced_by = [other.id for other in v.a.scenarios if sc.id in other.reinforces]

        def ref(sid: str) -> dict[str, Any]:
            entry = v.entries.get(sid)
            return {
                "id": sid,
                "title": entry["title"] if entry else sid,
                "rank": entry["rank"] if entry else None,
                "anchor": f"sc-{sid}",
            }

        sections.append(
            {
                **by_id[e["id"]],
                "description": tr(sc.description, v.lang) if sc.description else "",
                "sources": sources,
                "levels": _levels_table(v, e),
                "blocks": blocks,
                "cascades": _cascades(v, sc),
                "reinforces": [ref(x) for x in sc.reinforces],
                "reinforced_by": [ref(x) for x in reinforced_by],
                "gap": e["id"] in coh["gap_ids"],
                "measures": coh["by_scenario"].get(e["id"], []),
            }
        )
    return sections
