"""Published versions: the list, publishing one (coordinators), comparing two (rank moves and
changed estimates), and downloading a version's report and assessment file.

Publishing calls the API's :func:`~nsra.server.api.versions.publish_change` and comparing its
:func:`~nsra.server.api.versions.compare_versions`; the downloads are the API's own endpoints,
which a signed-in browser reaches with its session cookie."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import RedirectResponse

from nsra.server.api.deps import AssessmentId
from nsra.server.api.errors import ApiError
from nsra.server.api.transaction import SessionDep, engine_of, write
from nsra.server.api.versions import compare_versions, publish_change
from nsra.server.db import versions as vs
from nsra.server.db import workflow as wf
from nsra.server.db.versions import DEFAULT_SEED
from nsra.server.web.assessment import EDITORS, Here, form, here, one
from nsra.server.web.dashboard import overview
from nsra.server.web.home import to_sign_in
from nsra.server.web.pages import NO_STORE, estimate_text, when

router = APIRouter(include_in_schema=False)


def _page(
    h: Here,
    compare: tuple[int, str] | None = None,
    notice: str | None = None,
    problem: str | None = None,
    typed: dict[str, str] | None = None,
) -> Response:
    found = vs.versions(h.s, h.id)
    items = [
        {
            "number": v.number,
            "label": v.label or "",
            "note": v.note or "",
            "by": v.published_by,
            "at": when(v.published_at, h.lang),
            "method": f"{v.method_id} {v.method_version}",
            "classification": v.classification,
            "report": f"/api/assessments/{h.id}/versions/{v.number}/report?lang={h.lang}",
            "file": f"/api/assessments/{h.id}/versions/{v.number}/export?format=yaml",
        }
        for v in reversed(found)
    ]
    comparison = _comparison(h, *compare) if compare else None
    open_round = wf.open_round_of(h.s, h.id)
    return h.page(
        "versions.html.j2",
        "versions",
        h.t("web_tab_versions"),
        notice=notice,
        problem=problem,
        versions=items,
        numbers=[v.number for v in found],
        compare=compare,
        comparison=comparison,
        open_round=open_round.number if open_round else None,
        typed=typed or {"label": "", "note": "", "seed": str(DEFAULT_SEED)},
        live_report=f"/api/assessments/{h.id}/report?lang={h.lang}",
        live_file=f"/api/assessments/{h.id}/export?format=yaml",
        live_excel=f"/api/assessments/{h.id}/export.xlsx",
    )


def _comparison(h: Here, first: int, second: str) -> dict[str, Any]:
    result = compare_versions(
        h.id, h.s, h.user, h.request.app.state.results_cache, Response(), first, second
    )
    titles = {r["id"]: r["title"] for r in overview(h)["rows"]}
    moves = [
        {
            "title": titles.get(r["id"], r["id"]),
            "old": r["old"]["rank"],
            "new": r["new"]["rank"],
            "moved": r["moved"],
        }
        for r in result["ranking"]
        if r["moved"]
    ]
    estimates = [
        {
            "scenario": titles.get(sc["id"], sc["id"]),
            "analyst": e["analyst"],
            "level": e["level"] or "",
            "slot": e["slot"] or h.t("web_est_rationale"),
            "old": estimate_text(e["old"]),
            "new": estimate_text(e["new"]),
        }
        for sc in result["scenarios"]["changed"]
        for e in sc["estimates"]
    ]
    consensus = [
        {"scenario": titles.get(sc["id"], sc["id"]), "level": c["level"] or ""}
        for sc in result["scenarios"]["changed"]
        for c in sc["consensus"]
    ]
    return {
        "from": first,
        "to": second,
        "changed": result["changed"],
        "moves": moves,
        "estimates": estimates,
        "consensus": consensus,
        "added": [titles.get(k, k) for k in result["scenarios"]["added"]],
        "removed": result["scenarios"]["removed"],
    }


@router.get("/a/{assessment_id}/versions")
def versions_page(
    request: Request,
    assessment_id: AssessmentId,
    s: SessionDep,
    compare_from: int | None = None,
    compare_to: str | None = None,
    published: int = 0,
) -> Response:
    h = here(request, s, assessment_id)
    if h is None:
        return to_sign_in(request)
    wanted = compare_to == "live" or (compare_to or "").isdigit()
    compare = (compare_from, compare_to) if compare_from and compare_to and wanted else None
    notice = h.t("web_versions_published", n=published) if published else None
    return _page(h, compare, notice=notice)


@router.post("/a/{assessment_id}/versions")
def publish_form(request: Request, assessment_id: AssessmentId, s: SessionDep) -> Response:
    h = here(request, s, assessment_id, roles=EDITORS)
    if h is None:
        return to_sign_in(request)
    fields = form(request)
    typed = {k: one(fields, k).strip() for k in ("label", "note", "seed")}
    seed_text = typed["seed"] or str(DEFAULT_SEED)
    if not seed_text.isdigit() or int(seed_text) > 2**31 - 1:
        return _page(h, problem=h.t("web_versions_bad_seed"), typed=typed)
    user = h.user
    label, note, seed = typed["label"] or None, typed["note"] or None, int(seed_text)
    try:
        made = write(
            engine_of(request),
            lambda w: publish_change(w, user, assessment_id, label, note, seed),
        )
    except ApiError as exc:
        return _page(h, problem=exc.message, typed=typed)
    return RedirectResponse(
        h.url(f"/versions?published={made['number']}"), status_code=303, headers=NO_STORE
    )
