"""The assessment's dashboard: the risk diagram (the report's own figure, made interactive by
``static/js/dashboard.js``: hover shows the scenario and its spread, click opens it, filters by
domain, theme and malicious, uncertainty shown or hidden), the highest risks, the gaps in
coverage, and the state of the current Delphi round per organisation and analyst."""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from markupsafe import Markup

from nsra import i18n
from nsra.model.text import tr
from nsra.report.html import overview_context
from nsra.report.view import RankingRow
from nsra.server.api.deps import AssessmentId
from nsra.server.api.transaction import SessionDep
from nsra.server.db import workflow as wf
from nsra.server.web.assessment import Here, here
from nsra.server.web.home import to_sign_in

router = APIRouter(include_in_schema=False)


class OverviewCache:
    """The overviews of one application (one per worker process): per view of an assessment,
    its revision and the language; at most ``size``, least recently used dropped first."""

    def __init__(self, size: int = 32) -> None:
        self._lock = threading.Lock()
        self._items: OrderedDict[tuple[Any, ...], dict[str, Any]] = OrderedDict()
        self._size = size

    def get(self, key: tuple[Any, ...]) -> dict[str, Any] | None:
        with self._lock:
            hit = self._items.get(key)
            if hit is not None:
                self._items.move_to_end(key)
            return hit

    def put(self, key: tuple[Any, ...], value: dict[str, Any]) -> None:
        with self._lock:
            self._items[key] = value
            while len(self._items) > self._size:
                self._items.popitem(last=False)


def overview(h: Here) -> dict[str, Any]:
    """The report's overview of what this member may see, in their language; kept per
    revision of the assessment (any change makes a new one)."""
    cache: OverviewCache = h.request.app.state.overviews
    view = h.view()
    key = (*view.view_key, view.revision, h.lang)
    hit = cache.get(key)
    if hit is not None:
        return hit
    loaded, results, _doc = h.results()
    made = overview_context(loaded, results, h.lang)
    cache.put(key, made)
    return made


def _progress(h: Here) -> dict[str, Any] | None:
    """The open round: per organisation and analyst, scenarios submitted of those assigned."""
    r = wf.open_round_of(h.s, h.id)
    if r is None:
        return None
    done = {(sub.analyst.key, sub.scenario.key) for sub in wf.submissions(h.s, r.id)}
    analysts: dict[str, dict[str, Any]] = {}
    for a in wf.assignments(h.s, h.id):
        an = a.analyst
        item = analysts.setdefault(
            an.key,
            {
                "id": an.key,
                "name": an.name or an.key,
                "org": tr(an.organisation.name, h.lang) if an.organisation else "",
                "assigned": 0,
                "submitted": 0,
            },
        )
        item["assigned"] += 1
        item["submitted"] += (an.key, a.scenario.key) in done
    orgs: dict[str, dict[str, Any]] = {}
    for item in analysts.values():
        org = orgs.setdefault(
            item["org"], {"name": item["org"], "assigned": 0, "submitted": 0, "analysts": []}
        )
        org["assigned"] += item["assigned"]
        org["submitted"] += item["submitted"]
        org["analysts"].append(item)
    for group in (*orgs.values(), *analysts.values()):
        group["percent"] = (
            round(100 * group["submitted"] / group["assigned"]) if group["assigned"] else 0
        )
    return {"number": r.number, "orgs": sorted(orgs.values(), key=lambda o: o["name"])}


@router.get("/a/{assessment_id}")
def dashboard(request: Request, assessment_id: AssessmentId, s: SessionDep) -> Response:
    h = here(request, s, assessment_id)
    if h is None:
        return to_sign_in(request)
    o = overview(h)
    if "points" not in o:  # what the figure's script reads, made once per overview
        o["points"] = _points(h, o["rows"])
    rows = o["rows"]
    theme_names = sorted({r["theme"] for r in rows if r["theme"]})
    ranked = [r for r in sorted(rows, key=lambda r: r["rank"] or 10**9) if r["rank"] is not None]
    return h.page(
        "dashboard.html.j2",
        "overview",
        h.t("web_tab_overview"),
        o=o,
        top=ranked[:10],
        themes=theme_names,
        points=o["points"],
        progress=_progress(h),
        serious_n=o["summary"]["serious"],
        method_name=tr(h.method.name, h.lang),
        date=i18n.long_date(h.row.date, h.lang),
    )


def _points(h: Here, rows: list[RankingRow]) -> Markup:
    """Per scenario: what the filters test, where a click goes, what hovering says (JSON for a
    ``<script type="application/json">``, with ``</`` escaped)."""
    points = {
        r["id"]: {
            "domain": r["domain"],
            "malicious": r["malicious"],
            "theme": r["theme"] or "",
            "href": h.url(f"/scenarios/{r['id']}"),
            "text": _hover(h, r),
        }
        for r in rows
    }
    return Markup(json.dumps(points, ensure_ascii=False).replace("</", "<\\/"))


def _hover(h: Here, row: RankingRow) -> str:
    """What hovering over a marker says: the scenario, its classes and the analysts' spread."""
    parts = [f"{row['rank']}. {row['title']}" if row["rank"] else row["title"]]
    parts.append(f"{h.t('web_likelihood')}: {row['lik_class']} {row['lik_label']}".rstrip())
    parts.append(f"{h.t('web_impact')}: {row['imp_class']} {row['imp_label']}".rstrip())
    if row["analysts"] > 1 and row["lik_spread"]:
        parts.append(f"{h.t('web_spread')}: {row['lik_spread']} ({row['analysts']})")
    parts.append(f"{h.t('web_consensus')}: {row['consensus']}")
    return "\n".join(parts)
