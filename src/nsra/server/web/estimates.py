"""Estimate entry: an analyst (or a coordinator on an analyst's behalf) estimates a scenario,
per intensity level where the method has levels, per criterion and for the likelihood, and,
for a method with horizons (the BNRA's 2050), the likelihood at each horizon beside today's:
on the same scale, checked by the same :func:`~nsra.server.api.estimates.write_estimate`.

* The method's class scale is shown while choosing: each class with its label, its bounds in
  the unit and its descriptor (as the BNRA's guided input does). An estimate is a class, a class
  range (class .. up to class) or a value in the unit, with a rationale, and is stored exactly
  as an assessment file writes it (``C``, ``C..D``, ``{value: 12}``, with ``rationale`` in the
  mapping form), so ``nsra validate`` and the report read it as they read a file.
* Saving writes only the slots that changed, all in one transaction, through the API's own
  :func:`~nsra.server.api.estimates.write_estimate` (the same checks, permissions, round rules,
  optimistic locking and audit entry). If any slot is refused, nothing is written and the form
  comes back with what the user typed and the message at the slot.
* A save conflict (someone changed a slot since the form was read: HTTP 409 in the API) shows
  the other person's value, who changed it and when, and lets the user keep theirs (save again)
  or take the other; nothing is lost silently.
* Radio buttons make the scale keyboard-friendly: Tab to a slot, arrows to choose a class.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select

from nsra import i18n
from nsra.io.estimates import targets
from nsra.model.method import ClassScale
from nsra.model.text import tr
from nsra.server.api.deps import AssessmentId
from nsra.server.api.errors import ApiError
from nsra.server.api.estimates import LIKELIHOOD, EstimateWrite, write_estimate
from nsra.server.api.transaction import SessionDep, engine_of, write
from nsra.server.api.workflow import submit_change
from nsra.server.db import audit
from nsra.server.db import workflow as wf
from nsra.server.db.models import AnalystRow, EstimateRow, ScenarioRow
from nsra.server.db.slots import filled_slots, horizon_slot, slot_of, slots_per_scenario
from nsra.server.db.specs import row_spec
from nsra.server.web.assessment import ESTIMATORS, Here, form, here, one
from nsra.server.web.home import to_sign_in
from nsra.server.web.pages import (
    NO_STORE,
    edited_text,
    estimate_rationale,
    estimate_text,
    when,
)

router = APIRouter(include_in_schema=False)


@dataclass
class Slot:
    """One estimate of the form: where it lives, its scale, what is stored and what was typed."""

    key: str  # the form's name for it: s0, s1, ...
    level: str | None
    slot: str  # a criterion id, "likelihood" or "likelihood@<horizon>" (nsra.server.db.slots)
    level_label: str
    label: str
    group: str  # the interest, or the likelihood
    help: str
    unit: str | None  # values accepted in this unit (None: classes only)
    classes: list[dict[str, str]]
    stored: Any = None
    version: int | None = None
    cls: str = ""
    to: str = ""
    value: str = ""
    rationale: str = ""
    problem: str | None = None
    conflict: dict[str, Any] | None = None
    horizon: str = ""  # the horizon id of a likelihood at a horizon

    @property
    def id(self) -> str:
        return f"{self.level or ''}/{self.slot}"


def _bounds(scale: ClassScale, index: int, unit: str | None, lang: str) -> str:
    c = scale.classes[index]
    lo, hi = c.lower, c.upper
    if lo is None and hi is None:
        return ""
    u = f" {unit}" if unit else ""
    if lo is not None and hi is not None:
        return f"{i18n.plain(lo, lang)} – {i18n.plain(hi, lang)}{u}"
    if lo is not None:
        return f"≥ {i18n.plain(lo, lang)}{u}"
    assert hi is not None
    return f"< {i18n.plain(hi, lang)}{u}"


def _classes(scale: ClassScale, unit: str | None, lang: str) -> list[dict[str, str]]:
    return [
        {
            "code": c.code,
            "label": tr(c.label, lang) if c.label else "",
            "description": tr(c.description, lang) if c.description else "",
            "bounds": _bounds(scale, i, unit, lang),
        }
        for i, c in enumerate(scale.classes)
    ]


def likelihood_slots(h: Here) -> list[tuple[str, str, str]]:
    """The likelihood today, then at each horizon of the method (the same scale and checks):
    (slot, label in the page's language, horizon id or "")."""
    return [(LIKELIHOOD, h.t("web_likelihood"), "")] + [
        (
            horizon_slot(hz.id),
            h.t("web_est_likelihood_at", horizon=tr(hz.label, h.lang) if hz.label else hz.id),
            hz.id,
        )
        for hz in h.method.likelihood.horizons
    ]


def _slots(h: Here, scenario: ScenarioRow) -> list[Slot]:
    """Every slot of the method for this scenario, in the order of the method's file."""
    m, lang = h.method, h.lang
    crit_targets, lik_targets, _ = targets(m)
    lik = m.likelihood.scale_for(scenario.malicious)
    lik_scale = m.scale(lik.scale)
    lik_unit = (
        tr(lik.value_unit, lang)
        if lik.value_unit
        else (tr(lik_scale.unit, lang) if lik_scale.unit else None)
    )
    interests = {i.id: tr(i.label, lang) for i in m.interests}
    levels: list[tuple[str | None, str]] = [
        (lv.id, tr(lv.label, lang)) for lv in m.intensity_levels
    ]
    out: list[Slot] = []
    lik_help = tr(lik_scale.label, lang) if lik_scale.label else ""
    lik_classes = _classes(lik_scale, lik_unit, lang)
    helps = {"": lik_help} | {
        hz.id: h.t("web_est_horizon_help", year=str(hz.year)) for hz in m.likelihood.horizons
    }
    for level, level_label in levels or [(None, "")]:
        for slot, label, horizon in likelihood_slots(h):
            help_text = helps[horizon]
            out.append(
                Slot(
                    key=f"s{len(out)}",
                    level=level,
                    slot=slot,
                    level_label=level_label,
                    label=label,
                    group=label,
                    help=help_text,
                    unit=lik_unit if lik_targets[scenario.malicious].unit else None,
                    classes=lik_classes,
                    horizon=horizon,
                )
            )
        for c, target in zip(m.criteria, crit_targets, strict=True):
            scale = m.scale(c.scale)
            unit = tr(scale.unit, lang) if scale.unit else None
            out.append(
                Slot(
                    key=f"s{len(out)}",
                    level=level,
                    slot=c.id,
                    level_label=level_label,
                    label=tr(c.label, lang),
                    group=interests.get(c.interest, c.interest),
                    help=tr(c.description, lang) if c.description else "",
                    unit=unit if target.unit else None,
                    classes=_classes(scale, unit, lang),
                )
            )
    return out


def _stored(h: Here, scenario: ScenarioRow, analyst: AnalystRow, slots: list[Slot]) -> None:
    """Fill each slot with the stored estimate and its version."""
    rows = h.s.scalars(
        select(EstimateRow).where(
            EstimateRow.scenario_id == scenario.id, EstimateRow.analyst_id == analyst.id
        )
    ).all()
    entries = {(row.level, slot_of(e.criterion)): e for row in rows for e in row.entries}
    for sl in slots:
        entry = entries.get((sl.level, sl.slot))
        if entry is not None:
            sl.stored, sl.version = row_spec(entry), entry.version
            _show(sl, sl.stored, h.lang)


def _show(sl: Slot, spec: Any, lang: str) -> None:
    """Put an estimate as written in a file into the slot's form fields (its rationale in the
    page's language)."""
    sl.cls = sl.to = sl.value = sl.rationale = ""
    raw = spec
    if isinstance(spec, dict):
        sl.rationale = estimate_rationale(spec, lang)
        if "value" in spec:
            sl.value = str(spec["value"])
            return
        if "scale" in spec:
            sl.value = ""
            return
        raw = spec.get("class")
    text = str(raw) if raw is not None else ""
    if ".." in text:
        a, _, b = text.partition("..")
        sl.cls, sl.to = a.strip(), b.strip()
    else:
        sl.cls = text


def _typed(sl: Slot, fields: dict[str, list[str]]) -> None:
    sl.cls = one(fields, f"{sl.key}-class").strip()
    sl.to = one(fields, f"{sl.key}-to").strip()
    sl.value = one(fields, f"{sl.key}-value").strip()
    sl.rationale = one(fields, f"{sl.key}-rationale").strip()


def _spec(sl: Slot, h: Here) -> Any:
    """The estimate the form asks for, as a file writes it; None for none. Raises ValueError
    with a message for the user when the fields contradict each other. The rationale typed is
    the text in the page's language: a stored rationale per language keeps its others."""
    before = sl.stored.get("rationale") if isinstance(sl.stored, dict) else None
    rationale = edited_text(before, sl.rationale, h.lang)
    if sl.value:
        if sl.unit is None:
            raise ValueError(h.t("web_est_no_values"))
        if sl.cls:
            raise ValueError(h.t("web_est_class_or_value"))
        text = sl.value.replace(" ", "").replace("\u202f", "")
        if text.count(",") == 1 and "." not in text:
            text = text.replace(",", ".")  # a decimal comma (nl, fr)
        try:
            number = float(text)
            if not math.isfinite(number):
                raise ValueError(text)
        except ValueError:
            raise ValueError(h.t("web_est_not_a_number", value=sl.value)) from None
        written: Any = int(number) if number.is_integer() and abs(number) < 2**53 else number
        out: dict[str, Any] = {"value": written}
        if rationale:
            out["rationale"] = rationale
        return out
    if not sl.cls:
        if sl.to:
            raise ValueError(h.t("web_est_from_first"))
        return None
    text = sl.cls if not sl.to or sl.to == sl.cls else f"{sl.cls}..{sl.to}"
    return {"class": text, "rationale": rationale} if rationale else text


def _same(a: Any, b: Any) -> bool:
    def norm(x: Any) -> Any:
        if isinstance(x, dict):
            return {k: norm(v) for k, v in x.items()}
        return str(x) if isinstance(x, int | str) and not isinstance(x, bool) else x

    return bool(norm(a) == norm(b))


def _written(h: Here, spec: Any) -> str:
    """An estimate in words for the conflict message: 'C', 'C..D — why', or none."""
    if spec is None:
        return h.t("web_est_none")
    why = estimate_rationale(spec, h.lang)
    return estimate_text(spec) + (f" — {why}" if why else "")


class _Refused(Exception):
    """Some slots could not be written: nothing was (the transaction is rolled back)."""


def _analyst(h: Here, wanted: str | None) -> AnalystRow | None:
    """The analyst whose estimates the page shows: the one asked for (a coordinator may pick
    any; an analyst only one linked to them), else the member's own single analyst."""
    own = wf.own_analysts(h.s, h.user.id, h.id)
    if wanted:
        analyst = wf.analyst_by_key(h.s, h.id, wanted)
        if not h.edits and analyst.user_id != h.user.id:
            raise ApiError(403, f"analyst {wanted!r} is not linked to you", "analyst")
        return analyst
    if len(own) >= 1:
        return own[0]
    return None


def _assigned(h: Here, analyst: AnalystRow) -> list[ScenarioRow]:
    keys = [a.scenario.id for a in wf.assignments(h.s, h.id) if a.analyst_id == analyst.id]
    if not keys and h.edits:
        return list(
            h.s.scalars(
                select(ScenarioRow)
                .where(ScenarioRow.assessment_id == h.id)
                .order_by(ScenarioRow.position)
            )
        )
    rows = [h.s.get(ScenarioRow, k) for k in keys]
    return sorted((r for r in rows if r is not None), key=lambda r: r.position)


@router.get("/a/{assessment_id}/estimates")
def estimates_list(
    request: Request, assessment_id: AssessmentId, s: SessionDep, analyst: str | None = None
) -> Response:
    """The scenarios the analyst estimates, with how far each is, and where to enter them."""
    h = here(request, s, assessment_id, roles=ESTIMATORS)
    if h is None:
        return to_sign_in(request)
    chosen = _analyst(h, analyst)
    analysts = (
        sorted(
            h.s.scalars(select(AnalystRow).where(AnalystRow.assessment_id == h.id)),
            key=lambda a: a.key,
        )
        if h.edits
        else wf.own_analysts(h.s, h.user.id, h.id)
    )
    if chosen is None and h.edits and analysts:
        chosen = analysts[0]  # a coordinator who is no analyst: the first one, to switch from
    r = wf.open_round_of(h.s, h.id)
    submitted = (
        {(sub.analyst_id, sub.scenario_id) for sub in wf.submissions(h.s, r.id)} if r else set()
    )
    items = []
    if chosen is not None:
        total = slots_per_scenario(h.method)
        for sc in _assigned(h, chosen):
            filled = filled_slots(h.method, (e for e in sc.estimates if e.analyst_id == chosen.id))
            items.append(
                {
                    "key": sc.key,
                    "title": tr(sc.title, h.lang),
                    "filled": filled,
                    "total": total,
                    "submitted": (chosen.id, sc.id) in submitted,
                }
            )
    return h.page(
        "estimates.html.j2",
        "estimates",
        h.t("web_tab_estimates"),
        analysts=[{"key": a.key, "name": tr(a.name, h.lang) or a.key} for a in analysts],
        chosen=chosen.key if chosen else None,
        items=items,
        round_number=r.number if r else None,
    )


def _entry_page(
    h: Here,
    scenario: ScenarioRow,
    analyst: AnalystRow,
    slots: list[Slot],
    status: int = 200,
    notice: str | None = None,
    problem: str | None = None,
) -> Response:
    r = wf.open_round_of(h.s, h.id)
    submitted = r is not None and any(
        sub.analyst_id == analyst.id and sub.scenario_id == scenario.id
        for sub in wf.submissions(h.s, r.id)
    )
    blocked: str | None = None
    if h.role == "analyst":
        try:
            wf.check_analyst_may_write(h.s, h.user.id, h.user.name, analyst, scenario)
        except wf.WorkflowError as exc:
            blocked = exc.message
    groups: list[dict[str, Any]] = []
    for sl in slots:
        if not groups or groups[-1]["level"] != sl.level:
            groups.append({"level": sl.level, "label": sl.level_label, "rows": []})
        rows = groups[-1]["rows"]
        if sl.horizon and rows:
            rows[-1].append(sl)  # beside the present likelihood
        else:
            rows.append([sl])
    return h.page(
        "estimate.html.j2",
        "estimates",
        tr(scenario.title, h.lang),
        status=status,
        notice=notice,
        problem=problem,
        scenario={
            "key": scenario.key,
            "description": tr(scenario.description, h.lang) if scenario.description else "",
            "malicious": scenario.malicious,
        },
        analyst={"key": analyst.key, "name": tr(analyst.name, h.lang) or analyst.key},
        groups=groups,
        blocked=blocked,
        round_number=r.number if r else None,
        submitted=submitted,
        conflicts=sum(1 for sl in slots if sl.conflict),
    )


def _target(h: Here, scenario_key: str, analyst_key: str | None) -> tuple[ScenarioRow, AnalystRow]:
    scenario = wf.scenario_by_key(h.s, h.id, scenario_key)
    analyst = _analyst(h, analyst_key)
    if analyst is None:
        raise ApiError(
            403, "you are not linked to an analyst of this assessment: ask the coordinator"
        )
    return scenario, analyst


@router.get("/a/{assessment_id}/estimates/{scenario}")
def estimate_page(
    request: Request,
    assessment_id: AssessmentId,
    scenario: str,
    s: SessionDep,
    analyst: str | None = None,
    saved: int = 0,
    submitted: int = 0,
) -> Response:
    h = here(request, s, assessment_id, roles=ESTIMATORS)
    if h is None:
        return to_sign_in(request)
    sc, an = _target(h, scenario, analyst)
    slots = _slots(h, sc)
    _stored(h, sc, an, slots)
    notice = None
    if saved:
        notice = h.t("web_est_saved", n=saved)
    elif submitted:
        notice = h.t("web_est_submitted")
    return _entry_page(h, sc, an, slots, notice=notice)


@router.post("/a/{assessment_id}/estimates/{scenario}")
def save_estimates(
    request: Request, assessment_id: AssessmentId, scenario: str, s: SessionDep
) -> Response:
    h = here(request, s, assessment_id, roles=ESTIMATORS)
    if h is None:
        return to_sign_in(request)
    fields = form(request)
    sc, an = _target(h, scenario, one(fields, "analyst") or None)
    slots = _slots(h, sc)
    _stored(h, sc, an, slots)  # what is stored now, to tell what the form changes
    plan: list[tuple[Slot, Any, int | None]] = []
    for sl in slots:
        _typed(sl, fields)
        seen = one(fields, f"{sl.key}-version")
        version = int(seen) if seen.isdigit() else None
        if one(fields, f"{sl.key}-resolve") == "theirs":
            _show(sl, sl.stored, h.lang)  # take the other person's value: nothing to write
            continue
        try:
            spec = _spec(sl, h)
        except ValueError as exc:
            sl.problem = str(exc)
            continue
        if spec is None or (_same(spec, sl.stored) and version == sl.version):
            continue
        plan.append((sl, spec, version))
    if any(sl.problem for sl in slots):
        return _entry_page(h, sc, an, slots, problem=h.t("web_est_not_saved"))

    user, analyst_key = h.user, an.key

    def work(w: Any) -> int:
        refused = False
        for sl, spec, version in plan:
            body = EstimateWrite(estimate=spec, rationale=sl.rationale or None, version=version)
            try:
                write_estimate(
                    w, user, assessment_id, scenario, analyst_key, sl.slot, sl.level, body
                )
            except ApiError as exc:
                refused = True
                if exc.status == 409:
                    sl.conflict = {
                        "current": exc.extra.get("current"),
                        "version": exc.extra.get("version"),
                    }
                else:
                    sl.problem = exc.message
        if refused:
            raise _Refused
        return len(plan)

    try:
        n = write(engine_of(request), work)
    except _Refused:
        for sl in slots:
            if sl.conflict is not None:
                _describe_conflict(h, sl, sc, an)
        has_conflict = any(sl.conflict for sl in slots)
        return _entry_page(
            h,
            sc,
            an,
            slots,
            problem=h.t("web_est_conflict" if has_conflict else "web_est_not_saved"),
        )
    query = urlencode({"analyst": an.key, "saved": n})
    return RedirectResponse(
        f"{h.url('/estimates/' + scenario)}?{query}", status_code=303, headers=NO_STORE
    )


def _describe_conflict(h: Here, sl: Slot, sc: ScenarioRow, an: AnalystRow) -> None:
    """Who changed the slot, when, to what; the form's version becomes the current one so that
    'keep mine' saves over it knowingly."""
    assert sl.conflict is not None
    key = f"{sc.key}/{an.key}/{sl.level or ''}/{sl.slot}"
    last = h.s.scalars(
        select(audit.AuditEntryRow)
        .where(
            audit.AuditEntryRow.assessment_id == h.id,
            audit.AuditEntryRow.entity_table == "estimate_entries",
            audit.AuditEntryRow.entity_key == key,
        )
        .order_by(audit.AuditEntryRow.seq.desc())
        .limit(1)
    ).first()
    sl.conflict.update(
        {
            "text": _written(h, sl.conflict.get("current")),
            "by": (last.user_name or "") if last is not None else "",
            "at": when(last.at, h.lang) if last is not None else "",
        }
    )
    sl.version = sl.conflict.get("version")


@router.post("/a/{assessment_id}/estimates/{scenario}/submit")
def submit_scenario(
    request: Request, assessment_id: AssessmentId, scenario: str, s: SessionDep
) -> Response:
    """Submit the analyst's estimates of the scenario in the open round (final for the round)."""
    h = here(request, s, assessment_id, roles=ESTIMATORS)
    if h is None:
        return to_sign_in(request)
    fields = form(request)
    sc, an = _target(h, scenario, one(fields, "analyst") or None)
    user = h.user
    try:
        write(engine_of(request), lambda w: submit_change(w, user, assessment_id, scenario, an.key))
    except ApiError as exc:
        slots = _slots(h, sc)
        _stored(h, sc, an, slots)
        return _entry_page(h, sc, an, slots, problem=exc.message)
    query = urlencode({"analyst": an.key, "submitted": 1})
    return RedirectResponse(
        f"{h.url('/estimates/' + scenario)}?{query}", status_code=303, headers=NO_STORE
    )
