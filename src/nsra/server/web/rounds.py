"""The coordinator's pages: the Delphi rounds (open, close, compare what converged) and, per
scenario, who said what with which rationale, the spread, and the consensus with its rationale.

Every change goes through the API's own service functions
(:func:`~nsra.server.api.workflow.open_round_change`, ``close_round_change``,
:func:`~nsra.server.api.content.consensus_write`): the same roles, checks, messages and audit.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import RedirectResponse
from sqlalchemy.orm import Session

from nsra.io.jsondoc import Json
from nsra.model.method import ClassScale
from nsra.model.text import tr
from nsra.server.api.content import consensus_write
from nsra.server.api.deps import AssessmentId
from nsra.server.api.errors import ApiError
from nsra.server.api.estimates import LIKELIHOOD
from nsra.server.api.transaction import SessionDep, engine_of, write
from nsra.server.api.workflow import close_round_change, compare_rounds, open_round_change
from nsra.server.db import workflow as wf
from nsra.server.web.assessment import EDITORS, Here, form, here, one
from nsra.server.web.dashboard import overview
from nsra.server.web.estimates import likelihood_slots
from nsra.server.web.home import to_sign_in
from nsra.server.web.pages import (
    NO_STORE,
    edited_text,
    estimate_rationale,
    estimate_text,
    when,
)

router = APIRouter(include_in_schema=False)


@router.get("/a/{assessment_id}/rounds")
def rounds_page(
    request: Request,
    assessment_id: AssessmentId,
    s: SessionDep,
    compare_from: int | None = None,
    compare_to: int | None = None,
    done: str | None = None,
) -> Response:
    h = here(request, s, assessment_id, roles=EDITORS)
    if h is None:
        return to_sign_in(request)
    return _rounds(h, compare_from, compare_to, notice=_notice(h, done))


def _notice(h: Here, done: str | None) -> str | None:
    return h.t(f"web_rounds_done_{done}") if done in ("opened", "closed", "consensus") else None


def _rounds(
    h: Here,
    compare_from: int | None = None,
    compare_to: int | None = None,
    notice: str | None = None,
    problem: str | None = None,
) -> Response:
    rounds = wf.rounds(h.s, h.id)
    current = next((r for r in rounds if r.status == "open"), None)
    items = [
        {
            "number": r.number,
            "status": h.t(f"web_round_status_{r.status}"),
            "open": r.status == "open",
            "opened": f"{when(r.opened_at, h.lang)} · {r.opened_by}",
            "closed": f"{when(r.closed_at, h.lang)} · {r.closed_by}" if r.closed_at else "",
            "note": r.note or "",
            "submissions": len(wf.submissions(h.s, r.id)),
        }
        for r in rounds
    ]
    comparison = None
    closed = [r.number for r in rounds]
    if compare_from and compare_to:
        comparison = _comparison(h, compare_from, compare_to)
    o = overview(h)
    scenarios = [
        {
            "id": r["id"],
            "rank": r["rank"],
            "title": r["title"],
            "analysts": r["analysts"],
            "lik_spread": r["lik_spread"],
            "consensus": r["consensus"],
            "state": r["consensus_state"],
        }
        for r in sorted(o["rows"], key=lambda r: (r["rank"] is None, r["rank"] or 0))
    ]
    return h.page(
        "rounds.html.j2",
        "rounds",
        h.t("web_tab_rounds"),
        notice=notice,
        problem=problem,
        rounds=items,
        current=current.number if current else None,
        next_number=(rounds[-1].number + 1) if rounds else 1,
        numbers=closed,
        compare_from=compare_from,
        compare_to=compare_to,
        comparison=comparison,
        scenarios=scenarios,
    )


def _comparison(h: Here, first: int, second: int) -> dict[str, Any]:
    """The API's comparison of two rounds, with the scenarios' titles."""
    result = compare_rounds(h.id, h.s, h.user, Response(), first, second)
    titles = {r["id"]: r["title"] for r in overview(h)["rows"]}
    labels = _slot_labels(h)
    rows = []
    for sc in result["scenarios"]:
        slots = [
            {
                "label": labels.get(x["slot"], x["slot"]),
                "before": _width(x["from"]),
                "after": _width(x["to"]),
                "narrowed": x["narrowed"],
            }
            for x in sc["slots"]
        ]
        rows.append(
            {
                "id": sc["id"],
                "title": titles.get(sc["id"], sc["id"]),
                "rank_from": sc["rank"]["from"],
                "rank_to": sc["rank"]["to"],
                "moved": sc["rank_moved"],
                "slots": slots,
                "narrowed": sum(1 for x in slots if x["narrowed"]),
            }
        )
    return {"rows": rows, "from": first, "to": second}


def _width(cell: Json | None) -> str:
    if cell is None:
        return "–"
    return f"{cell['width']:.1f}".rstrip("0").rstrip(".")


def _slot_labels(h: Here) -> dict[str, str]:
    out = {LIKELIHOOD: h.t("web_likelihood")}
    out.update({c.id: tr(c.label, h.lang) for c in h.method.criteria})
    return out


@router.post("/a/{assessment_id}/rounds/open")
def open_round_form(request: Request, assessment_id: AssessmentId, s: SessionDep) -> Response:
    h = here(request, s, assessment_id, roles=EDITORS)
    if h is None:
        return to_sign_in(request)
    note = one(form(request), "note").strip() or None
    user = h.user
    try:
        write(engine_of(request), lambda w: open_round_change(w, user, assessment_id, note))
    except ApiError as exc:
        return _rounds(h, problem=exc.message)
    return RedirectResponse(h.url("/rounds?done=opened"), status_code=303, headers=NO_STORE)


@router.post("/a/{assessment_id}/rounds/{number}/close")
def close_round_form(
    request: Request, assessment_id: AssessmentId, number: int, s: SessionDep
) -> Response:
    h = here(request, s, assessment_id, roles=EDITORS)
    if h is None:
        return to_sign_in(request)
    form(request)
    user = h.user
    try:
        write(engine_of(request), lambda w: close_round_change(w, user, assessment_id, number))
    except ApiError as exc:
        return _rounds(h, problem=exc.message)
    return RedirectResponse(h.url("/rounds?done=closed"), status_code=303, headers=NO_STORE)


# -- one scenario: who said what, the spread, the consensus ----------------------------------


def _class_text(scale: ClassScale, position: float | None) -> str:
    if position is None or not math.isfinite(position):
        return "–"
    top = scale.first_index + len(scale.classes) - 1
    return scale.code_of(min(max(math.floor(position + 0.5), scale.first_index), top))


def _written(spec: Any, lang: str) -> tuple[str, str]:
    """An estimate as written, and its own rationale (in the page's language)."""
    return estimate_text(spec), estimate_rationale(spec, lang)


def _plain(spec: Any) -> Any:
    """An estimate of the model as a file writes it (a mapping form is a pydantic model)."""
    dump = getattr(spec, "model_dump", None)
    return dump(exclude_none=True) if callable(dump) else spec


def _said(item: Any, slot: str, horizon: str) -> Any:
    """The estimate of a slot in an analyst's estimate or a consensus (None: none)."""
    if horizon:
        return item.horizon.get(horizon)
    return item.likelihood if slot == LIKELIHOOD else item.impact.get(slot)


def _consensus_context(h: Here, key: str) -> dict[str, Any]:
    sc_row = wf.scenario_by_key(h.s, h.id, key)
    loaded, _results, doc = h.results()
    model = next(x for x in loaded.assessment.scenarios if x.id == key)
    entry = next(e for e in doc["scenarios"] if e["id"] == key)
    m = h.method
    levels: list[tuple[str | None, str]] = [
        (lv.id, tr(lv.label, h.lang)) for lv in m.intensity_levels
    ] or [(None, "")]
    spreads: dict[str | None, Any] = {None: entry["spread"]}
    for lv in entry.get("levels") or []:
        spreads[lv["id"]] = lv["spread"]
    analysts = {a.id: (tr(a.name, h.lang) or a.id) for a in loaded.assessment.analysts}
    lik_scale = m.scale(m.likelihood.scale_for(model.malicious).scale)
    blocks = []
    for level, level_label in levels:
        estimates = [e for e in model.estimates if e.level == level]
        who = [
            {
                "id": e.analyst,
                "name": analysts.get(e.analyst, e.analyst),
                "rationale": tr(e.rationale, h.lang),
            }
            for e in estimates
        ]
        consensus = next((c for c in model.consensus if c.level == level), None)
        row_c = next((c for c in sc_row.consensus if c.level == level), None)
        slots = []
        for slot, label, scale, horizon in [
            *[(sl, label, lik_scale, hz) for sl, label, hz in likelihood_slots(h)],
            *[(c.id, tr(c.label, h.lang), m.scale(c.scale), "") for c in m.criteria],
        ]:
            spread = spreads.get(level, entry["spread"])
            # the spread is the present likelihood's and the criteria's (none at a horizon)
            cell = (
                None
                if horizon
                else spread["likelihood"]
                if slot == LIKELIHOOD
                else spread["impact"].get(slot)
            )
            said = []
            for e in estimates:
                said.append(_written(_plain(_said(e, slot, horizon)), h.lang))
            agreed: Any = None
            if consensus is not None:
                agreed = _said(consensus, slot, horizon)
            agreed_text = _written(_plain(agreed), h.lang)[0] if agreed is not None else ""
            slots.append(
                {
                    "slot": slot,
                    "label": label,
                    "said": said,
                    "low": cell["min"] if cell else None,
                    "high": cell["max"] if cell else None,
                    "median": _class_text(scale, cell["median_position"]) if cell else "–",
                    "wide": bool(cell and cell["min"] != cell["max"]),
                    "codes": scale.codes,
                    "agreed": agreed_text,
                }
            )
        blocks.append(
            {
                "level": level or "",
                "label": level_label,
                "who": who,
                "slots": slots,
                "rationale": tr(consensus.rationale, h.lang) if consensus else "",
                "date": (
                    consensus.date.isoformat()
                    if consensus and consensus.date
                    else dt.date.today().isoformat()
                ),
                "version": row_c.version if row_c is not None else "",
                "exists": consensus is not None,
                "problem": None,
            }
        )
    return {
        "scenario": {"id": key, "title": entry["title"], "rank": entry["rank"]},
        "blocks": blocks,
    }


def _stored_rationale(h: Here, key: str, level: str | None) -> Any:
    """The consensus rationale as stored (plain or per language), None when there is none."""
    sc_row = wf.scenario_by_key(h.s, h.id, key)
    row = next((c for c in sc_row.consensus if c.level == level), None)
    return row.rationale if row is not None else None


@router.get("/a/{assessment_id}/consensus/{scenario}")
def consensus_page(
    request: Request, assessment_id: AssessmentId, scenario: str, s: SessionDep, saved: int = 0
) -> Response:
    h = here(request, s, assessment_id, roles=EDITORS)
    if h is None:
        return to_sign_in(request)
    ctx = _consensus_context(h, scenario)
    notice = h.t("web_rounds_done_consensus") if saved else None
    return h.page("consensus.html.j2", "rounds", ctx["scenario"]["title"], notice=notice, **ctx)


@router.post("/a/{assessment_id}/consensus/{scenario}")
def save_consensus(
    request: Request, assessment_id: AssessmentId, scenario: str, s: SessionDep
) -> Response:
    h = here(request, s, assessment_id, roles=EDITORS)
    if h is None:
        return to_sign_in(request)
    fields = form(request)
    level = one(fields, "level") or None
    version_text = one(fields, "version")
    version = int(version_text) if version_text.isdigit() else None
    rationale = one(fields, "rationale").strip()
    item: Json = {
        "rationale": edited_text(_stored_rationale(h, scenario, level), rationale, h.lang)
    }
    date = one(fields, "date").strip()
    if date:
        item["date"] = date
    if level is not None:
        item["level"] = level
    likelihood = one(fields, f"c-{LIKELIHOOD}")
    if likelihood:
        item["likelihood"] = likelihood
    impact = {c.id: one(fields, f"c-{c.id}") for c in h.method.criteria if one(fields, f"c-{c.id}")}
    if impact:
        item["impact"] = impact
    at_horizons = {hz: one(fields, f"c-{sl}") for sl, _, hz in likelihood_slots(h)[1:]}
    if any(at_horizons.values()):
        item["horizon"] = {hz: v for hz, v in at_horizons.items() if v}
    remove = one(fields, "remove") == "1"
    user = h.user

    def work(w: Session) -> Json:
        return consensus_write(
            w,
            user,
            assessment_id,
            scenario,
            level,
            None if remove else item,
            version,
            rationale or None,
        )

    try:
        write(engine_of(request), work)
    except ApiError as exc:
        ctx = _consensus_context(h, scenario)
        for block in ctx["blocks"]:
            if (block["level"] or None) == level:
                block["rationale"] = rationale
                block["problem"] = exc.message
                if exc.status == 409:
                    block["problem"] = h.t("web_consensus_conflict")
                for sl in block["slots"]:
                    typed = one(fields, f"c-{sl['slot']}")
                    sl["agreed"] = typed
        return h.page(
            "consensus.html.j2",
            "rounds",
            ctx["scenario"]["title"],
            problem=h.t("web_consensus_not_saved"),
            **ctx,
        )
    return RedirectResponse(
        h.url(f"/consensus/{scenario}?saved=1"), status_code=303, headers=NO_STORE
    )
