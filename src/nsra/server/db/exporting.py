"""An assessment from the database back to an assessment file.

The file written reads back (:func:`nsra.io.validate.read_assessment`) as the same assessment that
was imported: every estimate in the form the analyst wrote it, every list in its order.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import Engine
from sqlalchemy.orm import Session, selectinload

from nsra.io.jsondoc import Json
from nsra.io.problems import InputError, Problem
from nsra.server.db.models import (
    HORIZON_PREFIX,
    AnalystRow,
    AssessmentRow,
    CapabilityOwnerRow,
    CapabilityRow,
    CascadeRow,
    ConsensusRow,
    DevelopmentRow,
    DevelopmentSourceRow,
    EstimateRow,
    MeasureRow,
    ReinforcementRow,
    ScenarioRow,
    ScenarioSourceRow,
    StrategyRow,
    StrategySourceRow,
)
from nsra.server.db.specs import row_spec


def _put(out: Json, key: str, value: Any) -> None:
    """Write a field only when it has a value (the file leaves optional fields out)."""
    if value is not None and value != []:
        out[key] = value


def _sources(
    rows: list[ScenarioSourceRow] | list[StrategySourceRow] | list[DevelopmentSourceRow],
) -> list[Json]:
    out = []
    for s in rows:
        item: Json = {"ref": s.ref}
        _put(item, "title", s.title)
        _put(item, "url", s.url)
        _put(item, "date", s.date.isoformat() if s.date else None)
        out.append(item)
    return out


def _judgement(row: EstimateRow | ConsensusRow, out: Json) -> Json:
    _put(out, "level", row.level)
    impact: Json = {}
    horizon: Json = {}
    for entry in row.entries:
        if entry.criterion is None:
            out["likelihood"] = row_spec(entry)
        elif entry.criterion.startswith(HORIZON_PREFIX):
            horizon[entry.criterion.removeprefix(HORIZON_PREFIX)] = row_spec(entry)
        else:
            impact[entry.criterion] = row_spec(entry)
    if horizon:
        out["horizon"] = horizon
    if impact:
        out["impact"] = impact
    _put(out, "rationale", row.rationale)
    return out


S, E, C = AssessmentRow.scenarios, ScenarioRow.estimates, ScenarioRow.consensus
# Load an assessment's rows in a few queries (one per relationship), not one per row.
_EAGER = (
    selectinload(AssessmentRow.organisations),
    selectinload(AssessmentRow.analysts).selectinload(AnalystRow.organisation),
    selectinload(S).selectinload(ScenarioRow.owner),
    selectinload(S).selectinload(ScenarioRow.sources),
    selectinload(S).selectinload(ScenarioRow.reinforces).selectinload(ReinforcementRow.target),
    selectinload(S).selectinload(E).selectinload(EstimateRow.entries),
    selectinload(S).selectinload(E).selectinload(EstimateRow.analyst),
    selectinload(S).selectinload(C).selectinload(ConsensusRow.entries),
    selectinload(AssessmentRow.cascades).selectinload(CascadeRow.entries),
    selectinload(AssessmentRow.cascades).selectinload(CascadeRow.cause),
    selectinload(AssessmentRow.cascades).selectinload(CascadeRow.effect),
    selectinload(AssessmentRow.strategies).selectinload(StrategyRow.owner),
    selectinload(AssessmentRow.strategies).selectinload(StrategyRow.sources),
    selectinload(AssessmentRow.measures).selectinload(MeasureRow.owners),
    selectinload(AssessmentRow.measures).selectinload(MeasureRow.scenarios),
    selectinload(AssessmentRow.measures).selectinload(MeasureRow.strategy),
    selectinload(AssessmentRow.measures).selectinload(MeasureRow.lead),
    selectinload(AssessmentRow.developments).selectinload(DevelopmentRow.sources),
    selectinload(AssessmentRow.capabilities)
    .selectinload(CapabilityRow.owners)
    .selectinload(CapabilityOwnerRow.organisation),
)


def scenario_item(sc: ScenarioRow, judgements: bool = True) -> Json:
    """A scenario as in the file; without its estimates and consensus when ``judgements`` is
    false (the API writes those through their own endpoints)."""
    s: Json = {
        "id": sc.key,
        "title": sc.title,
        "theme": sc.theme,
        "domain": sc.domain,
    }
    if sc.kind != "acute":  # the file's default is left out
        s["kind"] = sc.kind
    _put(s, "trend", sc.trend)
    _put(s, "horizon", sc.horizon)
    s["malicious"] = sc.malicious
    if sc.actor:
        s["actor"] = True
    _put(s, "cascade_rule", sc.cascade_rule)
    s["owner"] = sc.owner.key
    _put(s, "description", sc.description)
    _put(s, "sources", _sources(sc.sources))
    _put(s, "reinforces", [r.target.key for r in sc.reinforces])
    if judgements:
        _put(s, "estimates", [_judgement(e, {"analyst": e.analyst.key}) for e in sc.estimates])
        _put(s, "consensus", [consensus_item(c) for c in sc.consensus])
    return s


def consensus_item(c: ConsensusRow) -> Json:
    item = _judgement(c, {})
    _put(item, "date", c.date.isoformat() if c.date else None)
    return item


def cascade_item(cz: CascadeRow) -> Json:
    item: Json = {"cause": cz.cause.key, "effect": cz.effect.key}
    if cz.by_levels:
        levels: dict[str, Json] = {}
        for e in cz.entries:
            assert e.cause_level is not None and e.effect_level is not None
            levels.setdefault(e.cause_level, {})[e.effect_level] = row_spec(e)
        item["levels"] = levels
    elif cz.entries:
        item["probability"] = row_spec(cz.entries[0])
    _put(item, "rationale", cz.rationale)
    return item


def strategy_item(st: StrategyRow) -> Json:
    item = {"id": st.key, "title": st.title, "scope": st.scope, "owner": st.owner.key}
    _put(item, "description", st.description)
    _put(item, "sources", _sources(st.sources))
    return item


def measure_item(m: MeasureRow) -> Json:
    item = {
        "id": m.key,
        "title": m.title,
        "owners": [o.organisation.key for o in m.owners],
    }
    _put(item, "lead", m.lead.key if m.lead is not None else None)
    item["strategy"] = m.strategy.key
    item["phase"] = m.phase
    item["scenarios"] = [s.scenario.key for s in m.scenarios]
    _put(item, "description", m.description)
    if m.status != "in_place":  # the file's default is left out, as an optional field
        item["status"] = m.status
    _put(item, "cost", _number(m.cost))
    _put(item, "effects", m.effects)
    _put(item, "side_effects", m.side_effects)
    return item


def _number(x: float | None) -> float | int | None:
    """A whole number of euros as an integer (45000000, not 45000000.0)."""
    return int(x) if x is not None and x.is_integer() else x


def development_item(d: DevelopmentRow) -> Json:
    item: Json = {"id": d.key, "title": d.title, "kind": d.kind}
    _put(item, "description", d.description)
    _put(item, "where", d.where)
    _put(item, "horizon", d.horizon)
    _put(item, "sources", _sources(d.sources))
    item["effects"] = d.effects
    return item


def capability_item(c: CapabilityRow) -> Json:
    item: Json = {
        "id": c.key,
        "title": c.title,
        "kind": c.kind,
        "owners": [o.organisation.key for o in c.owners],
    }
    _put(item, "description", c.description)
    _put(item, "needed", c.needed)
    return item


def assessment_data(session: Session, assessment_id: int) -> Json:
    """The plain data of an assessment file (mappings, lists, text, numbers)."""
    a = session.get(AssessmentRow, assessment_id, options=_EAGER)
    if a is None:
        raise InputError([Problem(f"there is no assessment {assessment_id} in the database")])
    out: Json = {
        "title": a.title,
        "method": a.method_ref,
        "date": a.date.isoformat(),
        "classification": a.classification,
    }
    _put(out, "description", a.description)
    out["illustrative"] = a.illustrative
    out["organisations"] = [{"id": o.key, "name": o.name} for o in a.organisations]
    analysts = []
    for x in a.analysts:
        item: Json = {"id": x.key}
        _put(item, "name", x.name)
        item["organisation"] = x.organisation.key
        analysts.append(item)
    out["analysts"] = analysts
    _put(out, "themes", a.themes)
    scenarios = [scenario_item(sc) for sc in a.scenarios]
    out["scenarios"] = scenarios
    _put(out, "cascades", [cascade_item(cz) for cz in a.cascades])
    _put(out, "strategies", [strategy_item(st) for st in a.strategies])
    _put(out, "measures", [measure_item(m) for m in a.measures])
    if a.measures_basis != "current":  # the file's default is left out
        out["measures_basis"] = a.measures_basis
    _put(out, "developments", [development_item(d) for d in a.developments])
    _put(out, "capabilities", [capability_item(c) for c in a.capabilities])
    return out


def file_text(data: Json, path: str) -> str:
    """JSON for a ``.json`` file, YAML otherwise."""
    if path.lower().endswith(".json"):
        return json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    header = "# Exported by nsra from the database.\n"
    return header + yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)


def export_file(engine: Engine, assessment_id: int, path: str) -> None:
    """Write an assessment to a file (whole or not at all)."""
    with Session(engine) as session:
        text = file_text(assessment_data(session, assessment_id), path)
    target = Path(path)
    tmp = target.with_name(f".{target.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(target)
