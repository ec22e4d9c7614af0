"""An assessment as the rows of the workbook's sheets (what the export and the template write).

Each row is a mapping from a column's key (:mod:`nsra.io.excel.layout`) to the field's value as
the assessment file has it (a multilingual text stays a text or a mapping per language; the
writer spreads it over its columns). A row may carry ``SCALE``, the id of the scale its class
cells are on, for their drop-down list.

Estimates, consensus, cascades and effects are *long*: one row per analyst x scenario x level x
criterion or likelihood (per cause level x effect level for a cascade; per criterion, interest
or likelihood for an effect). What belongs to the estimate as a whole (its rationale, the
consensus date) is written on its first row.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from nsra.io.excel.layout import FORMAT, LIKELIHOOD, horizon_item, horizon_of
from nsra.model.assessment import Assessment, Effect, ScenarioEstimate, Source
from nsra.model.method import Method

Row = dict[str, Any]
SCALE = "_scale"
"""The key of a row's scale id (for the drop-down list of its class cells)."""
MALICIOUS = "_malicious"


def spec_cells(spec: Any) -> Row:
    """The class, range, value, scale and rationale cells of one estimate as written in a file:
    ``"C"``, ``"C..D"``, ``3`` or a mapping with ``class``, ``value``, ``scale``, ``rationale``."""
    out: Row = {}
    code = spec.get("class") if isinstance(spec, dict) else spec
    if isinstance(code, str) and ".." in code:
        out["class"], out["up to class"] = code.split("..", 1)
    elif code is not None:
        out["class"] = code
    if isinstance(spec, dict):
        for key in ("value", "scale", "rationale"):
            if spec.get(key) is not None:
                out[key] = spec[key]
    return out


def shift_cells(spec: Any) -> Row:
    """The steps, factor, low and high cells of a shift (a bare number is class steps)."""
    if isinstance(spec, dict):
        return {k: spec[k] for k in ("steps", "factor", "low", "high") if spec.get(k) is not None}
    return {"steps": spec}


def about_row(a: Assessment, method: Method) -> Row:
    return {
        "format": FORMAT,
        "method": a.method,
        "method version": method.version,
        "title": a.title,
        "date": a.date.isoformat(),
        "classification": a.classification,
        "description": a.description,
        "illustrative": a.illustrative,
        "measures basis": a.measures_basis,
    }


def _likelihood_scale(method: Method, malicious: bool) -> str:
    return method.likelihood.scale_for(malicious).scale


def item_scale(method: Method, item: str, malicious: bool) -> str | None:
    """The scale of an ``estimate of`` item: the likelihood's or the criterion's."""
    if item == LIKELIHOOD or horizon_of(item) is not None:
        return _likelihood_scale(method, malicious)
    try:
        return method.criterion(item).scale
    except KeyError:
        return None


def judgement_rows(
    j: Any, method: Method, malicious: bool, keys: Row, group: str, items: list[str] | None = None
) -> list[Row]:
    """The rows of one estimate or consensus: likelihood, then each criterion (``items``: every
    item in this order, blank where not given, for a template). The estimate's own rationale
    (``group``) goes on the first row; an estimate with nothing in it gets one row of its own."""
    given: dict[str, Any] = {}
    if j.likelihood is not None:
        given[LIKELIHOOD] = j.likelihood
    for horizon, spec in j.horizon.items():
        given[horizon_item(horizon)] = spec
    given.update(j.impact)
    order = list(given) if items is None else [*items, *(k for k in given if k not in items)]
    rows = [
        {
            **keys,
            "estimate of": item,
            **spec_cells(given.get(item)),
            SCALE: item_scale(method, item, malicious),
        }
        for item in order
    ] or [dict(keys)]
    rows[0][group] = j.rationale
    return rows


def estimate_rows(a: Assessment, method: Method) -> list[Row]:
    out: list[Row] = []
    for sc in a.scenarios:
        for e in sc.estimates:
            keys = {"scenario": sc.id, "level": e.level, "analyst": e.analyst}
            out += judgement_rows(e, method, sc.malicious, keys, "estimate rationale")
    return out


def estimate_grid(a: Assessment, method: Method) -> list[Row]:
    """The estimates of a template: every analyst's estimate with a row for each item (blank
    where not given), then a blank estimate for each analyst and level not yet estimated."""
    items = [LIKELIHOOD, *(c.id for c in method.criteria)]
    levels: list[str | None] = [lv.id for lv in method.intensity_levels] or [None]
    out: list[Row] = []
    for sc in a.scenarios:
        seen: set[tuple[str, str | None]] = set()
        for e in sc.estimates:
            seen.add((e.analyst, e.level))
            keys = {"scenario": sc.id, "level": e.level, "analyst": e.analyst}
            out += judgement_rows(e, method, sc.malicious, keys, "estimate rationale", items)
        analysts = list(dict.fromkeys(e.analyst for e in sc.estimates)) or [
            x.id for x in a.analysts
        ]
        for analyst in analysts:
            for level in levels:
                if (analyst, level) not in seen:
                    blank = ScenarioEstimate(analyst=analyst, level=level)
                    keys = {"scenario": sc.id, "level": level, "analyst": analyst}
                    out += judgement_rows(
                        blank, method, sc.malicious, keys, "estimate rationale", items
                    )
    return out


def consensus_rows(a: Assessment, method: Method) -> list[Row]:
    out: list[Row] = []
    for sc in a.scenarios:
        for c in sc.consensus:
            keys = {"scenario": sc.id, "level": c.level}
            rows = judgement_rows(c, method, sc.malicious, keys, "consensus rationale")
            rows[0]["date"] = c.date.isoformat() if c.date else None
            out += rows
    return out


def cascade_rows(a: Assessment, method: Method) -> list[Row]:
    scale = method.cascades.scale if method.cascades else None
    out: list[Row] = []
    for cz in a.cascades:
        keys = {"cause": cz.cause, "effect": cz.effect}
        rows: list[Row] = []
        if cz.probability is not None:
            rows.append({**keys, **spec_cells(cz.probability), SCALE: scale})
        for cause_level, effects in (cz.levels or {}).items():
            for effect_level, spec in effects.items():
                levels = {"cause level": cause_level, "effect level": effect_level}
                rows.append({**keys, **levels, **spec_cells(spec), SCALE: scale})
        rows = rows or [dict(keys)]
        rows[0]["cascade rationale"] = cz.rationale
        out += rows
    return out


def _sources(kind: str, owner: str, sources: list[Source]) -> Iterator[Row]:
    for s in sources:
        yield {
            "for": kind,
            "id": owner,
            "ref": s.ref,
            "title": s.title,
            "url": s.url,
            "date": s.date.isoformat() if s.date else None,
        }


def _effect_rows(kind: str, owner: str, effects: list[Effect]) -> Iterator[Row]:
    for n, e in enumerate(effects, start=1):
        shifts: list[tuple[str, Any]] = []
        if e.likelihood is not None:
            shifts.append((LIKELIHOOD, e.likelihood))
        shifts += list(e.impact.items())
        rows: list[Row] = [{"shift of": what, **shift_cells(spec)} for what, spec in shifts]
        rows = rows or [{}]
        rows[0].update(
            scenario=e.scenario, levels=e.levels, confidence=e.confidence, rationale=e.rationale
        )
        for r in rows:
            yield {"for": kind, "id": owner, "effect": n, **r}


def sheet_rows(a: Assessment, method: Method) -> dict[str, list[Row]]:
    """Every sheet's rows (``About`` as one row) of an assessment."""
    return {
        "About": [about_row(a, method)],
        "Organisations": [{"id": o.id, "name": o.name} for o in a.organisations],
        "Analysts": [
            {"id": x.id, "name": x.name, "organisation": x.organisation} for x in a.analysts
        ],
        "Themes": [
            {"id": t.id, "name": t.name, "colour": t.colour, "description": t.description}
            for t in a.themes
        ],
        "Scenarios": [
            {
                "id": sc.id,
                "title": sc.title,
                "theme": sc.theme,
                "domain": sc.domain,
                "kind": sc.kind,
                "trend": sc.trend,
                "horizon": sc.horizon,
                "malicious": sc.malicious,
                "actor": sc.actor,
                "owner": sc.owner,
                "description": sc.description,
                "reinforces": sc.reinforces,
                "cascade_rule": sc.cascade_rule,
            }
            for sc in a.scenarios
        ],
        "Sources": [
            *(r for sc in a.scenarios for r in _sources("scenario", sc.id, sc.sources)),
            *(r for st in a.strategies for r in _sources("strategy", st.id, st.sources)),
            *(r for d in a.developments for r in _sources("development", d.id, d.sources)),
        ],
        "Estimates": estimate_rows(a, method),
        "Consensus": consensus_rows(a, method),
        "Cascades": cascade_rows(a, method),
        "Strategies": [
            {
                "id": st.id,
                "title": st.title,
                "scope": st.scope,
                "owner": st.owner,
                "description": st.description,
            }
            for st in a.strategies
        ],
        "Measures": [
            {
                "id": m.id,
                "title": m.title,
                "owners": m.owners,
                "lead": m.lead,
                "strategy": m.strategy,
                "phase": m.phase,
                "scenarios": m.scenarios,
                "description": m.description,
                "status": m.status,
                "cost": m.cost,
            }
            for m in a.measures
        ],
        "Effects": [
            *(r for m in a.measures for r in _effect_rows("measure", m.id, m.effects)),
            *(r for d in a.developments for r in _effect_rows("development", d.id, d.effects)),
        ],
        "Side effects": [
            {
                "measure": m.id,
                "scenario": s.scenario,
                "direction": s.direction,
                "rationale": s.rationale,
            }
            for m in a.measures
            for s in m.side_effects
        ],
        "Developments": [
            {
                "id": d.id,
                "title": d.title,
                "kind": d.kind,
                "description": d.description,
                "where": d.where,
                "horizon": d.horizon,
            }
            for d in a.developments
        ],
        "Capabilities": [
            {
                "id": c.id,
                "title": c.title,
                "kind": c.kind,
                "owners": c.owners,
                "description": c.description,
            }
            for c in a.capabilities
        ],
        "Needs": [
            {
                "capability": c.id,
                "scenario": n.scenario,
                "phases": n.phases,
                "adequacy": n.adequacy,
                "rationale": n.rationale,
            }
            for c in a.capabilities
            for n in c.needed
        ],
    }


def languages_of(a: Assessment) -> set[str]:
    """Every language code a text of the assessment is given in."""
    found: set[str] = set()

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node and all(isinstance(v, str) for v in node.values()):
                from nsra.model.text import is_lang

                if all(is_lang(k) for k in node):
                    found.update(node)
                    return
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    walk(a.model_dump(mode="python", by_alias=True))
    return found
