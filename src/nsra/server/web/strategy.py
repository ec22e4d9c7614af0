"""The page "Developments and capabilities" (in the coherence tab): the international
developments with their effects on scenarios, the capabilities with the scenarios and phases
that need them, what each measure costs and does (status, lead, cost, effects), and whether the
estimates describe current or inherent risk.

Decisions (read before changing):

* It shows the data as recorded, in words (a shift of ``{steps: 1, low: 0.5, high: 1.5}`` reads
  "+1 class (+0.5 to +1.5)"); what the data mean for the risks is the strategy analysis, not
  this page.
* Its items are created, changed and removed in the forms of :mod:`nsra.server.web.coherence`
  (one form machinery for strategies, measures, developments and capabilities: the API's own
  write, its checker, version check, roles and audit). The measures basis is set here, through
  the API's :func:`~nsra.server.api.content.measures_basis_write`.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from nsra import i18n
from nsra.io.jsondoc import Json
from nsra.io.problems import InputError
from nsra.model.assessment import shift_of
from nsra.model.text import tr
from nsra.server.api.content import CAPABILITIES, DEVELOPMENTS, MEASURES, measures_basis_write
from nsra.server.api.deps import AssessmentId
from nsra.server.api.errors import ApiError
from nsra.server.api.transaction import SessionDep, engine_of, write
from nsra.server.web.assessment import Here, form, here, one
from nsra.server.web.coherence import TAB, _items, choice_text
from nsra.server.web.home import to_sign_in
from nsra.server.web.pages import NO_STORE

router = APIRouter(include_in_schema=False)

BASES = ("current", "inherent")
ADEQUACY_MARK = {"sufficient": "✓", "partly": "◐", "insufficient": "✗"}


def shift_text(h: Here, spec: Any) -> str:
    """A shift in words: "+1 class", "−0.5 class (−1 to 0)", "×0.8 (×0.6 to ×0.95)"."""
    try:
        shift = shift_of(spec)
    except ValueError:
        return str(spec)
    low, high = shift.bounds

    def one_(x: float) -> str:
        if shift.steps is not None:
            return "0" if x == 0 else f"{x:+g}".replace("-", "−")
        return f"×{x:g}"

    if shift.steps is not None:
        text = h.t("web_strategy_steps", n=one_(shift.steps))
    else:
        text = one_(shift.central)
    if (low, high) != (shift.central, shift.central):
        text += " " + h.t("web_strategy_between", low=one_(low), high=one_(high))
    return text


def _effects(h: Here, effects: list[Json], scenarios: dict[str, str]) -> list[Json]:
    names = {c.id: tr(c.label, h.lang) for c in h.method.criteria}
    names.update({i.id: tr(i.label, h.lang) for i in h.method.interests})
    rows = []
    for e in effects:
        sid = e.get("scenario")
        impact = e.get("impact") or {}
        rows.append(
            {
                "scenario": scenarios.get(sid, sid) if sid else None,
                "scenario_id": sid,
                "levels": ", ".join(e.get("levels") or []),
                "likelihood": shift_text(h, e["likelihood"]) if "likelihood" in e else "",
                "impact": [f"{names.get(k, k)}: {shift_text(h, v)}" for k, v in impact.items()],
                "confidence": h.t(f"web_strategy_confidence_{e['confidence']}")
                if e.get("confidence")
                else "",
                "rationale": tr(e.get("rationale"), h.lang),
            }
        )
    return rows


def _page(h: Here, notice: str | None = None, basis_error: str | None = None) -> Response:
    loaded, _results, _doc = h.results()
    a = loaded.assessment
    scenarios = {sc.id: tr(sc.title, h.lang) for sc in a.scenarios}
    developments = []
    for entry in _items(h, DEVELOPMENTS):
        d = entry["item"]
        developments.append(
            {
                "id": d["id"],
                "title": tr(d["title"], h.lang),
                "kind": h.t(f"web_strategy_kind_{d['kind']}"),
                "where": tr(d.get("where"), h.lang),
                "horizon": d.get("horizon"),
                "description": tr(d.get("description"), h.lang),
                "sources": [s.get("title") or s["ref"] for s in d.get("sources", [])],
                "effects": _effects(h, d["effects"], scenarios),
            }
        )
    capabilities = []
    for entry in _items(h, CAPABILITIES):
        c = entry["item"]
        capabilities.append(
            {
                "id": c["id"],
                "title": tr(c["title"], h.lang),
                "kind": h.t(f"web_strategy_kind_{c['kind']}"),
                "owners": [choice_text(h, "owners", o) for o in c["owners"]],
                "description": tr(c.get("description"), h.lang),
                "needed": [
                    {
                        "scenario": scenarios.get(n["scenario"], n["scenario"]),
                        "scenario_id": n["scenario"],
                        "phases": [h.t(f"phase_{p}") for p in n["phases"]],
                        "adequacy": h.t(f"web_strategy_adequacy_{n['adequacy']}"),
                        "mark": ADEQUACY_MARK.get(n["adequacy"], ""),
                        "level": n["adequacy"],
                        "rationale": tr(n.get("rationale"), h.lang),
                    }
                    for n in c.get("needed", [])
                ],
            }
        )
    measures = []
    for entry in _items(h, MEASURES):
        m = entry["item"]
        cost = m.get("cost")
        measures.append(
            {
                "id": m["id"],
                "title": tr(m["title"], h.lang),
                "strategy": choice_text(h, "strategy", m["strategy"]),
                "status": h.t(f"web_strategy_status_{m.get('status', 'in_place')}"),
                "lead": choice_text(h, "lead", m["lead"]) if m.get("lead") else "",
                "cost": h.t("web_strategy_euros", amount=i18n.number(cost, h.lang))
                if cost is not None
                else "",
                "effects": _effects(h, m.get("effects", []), scenarios),
                "side_effects": [
                    {
                        "scenario": scenarios.get(x["scenario"], x["scenario"]),
                        "direction": h.t(f"web_strategy_direction_{x['direction']}"),
                        "rationale": tr(x.get("rationale"), h.lang),
                    }
                    for x in m.get("side_effects", [])
                ],
            }
        )
    return h.page(
        "strategy.html.j2",
        TAB,
        h.t("web_strategy_title"),
        notice=notice,
        problem=h.t("web_coherence_not_saved") if basis_error else None,
        basis_error=basis_error,
        developments=developments,
        capabilities=capabilities,
        measures=measures,
        basis=a.measures_basis,
        bases=[(b, h.t(f"web_strategy_basis_{b}")) for b in BASES],
        basis_version=h.row.version,
    )


@router.get("/a/{assessment_id}/developments")
def strategy_page(request: Request, assessment_id: AssessmentId, s: SessionDep) -> Response:
    h = here(request, s, assessment_id)
    if h is None:
        return to_sign_in(request)
    notice = {
        "saved": "web_coherence_saved",
        "removed": "web_coherence_removed",
        "basis": "web_strategy_basis_saved",
    }.get(request.query_params.get("done", ""))
    return _page(h, notice=h.t(notice) if notice else None)


@router.post("/a/{assessment_id}/developments/basis")
def save_basis(request: Request, assessment_id: AssessmentId, s: SessionDep) -> Response:
    h = here(request, s, assessment_id)  # who may write is decided by the write itself
    if h is None:
        return to_sign_in(request)
    fields = form(request)
    raw = one(fields, "version")
    version = int(raw) if raw.isdigit() else None
    chosen = one(fields, "measures_basis")
    rationale = one(fields, "rationale").strip() or None
    user = h.user
    try:
        write(
            engine_of(request),
            lambda w: measures_basis_write(w, user, h.id, chosen, version, rationale),
        )
    except InputError as exc:
        return _page(h, basis_error=exc.problems[0].message)
    except ApiError as exc:
        if exc.status != 409:
            raise
        h.s.expire_all()  # the page shows the setting as it is now
        return _page(h, basis_error=h.t("web_strategy_basis_conflict"))
    return RedirectResponse(
        h.url("/developments?done=basis"), status_code=303, headers=dict(NO_STORE)
    )
