"""The history of an assessment (coordinators and administrators): its audit trail, newest
first, of one scenario and/or one user, in pages of :data:`PER_PAGE`, each entry readable:
who, when (the reader's language and local time), what in plain words, the scenario, old ->
new (an estimate as written, e.g. ``C`` -> ``D``; for other items the fields that changed) and
the rationale. The entries are the API's (:func:`nsra.server.db.audit.entries`, ``as_dict``)."""

from __future__ import annotations

import re
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from nsra import i18n
from nsra.io.jsondoc import Json
from nsra.model.text import tr
from nsra.server.api.deps import DB_INT_MAX, AssessmentId
from nsra.server.api.transaction import SessionDep
from nsra.server.db import audit
from nsra.server.web.assessment import EDITORS, Here, here
from nsra.server.web.home import to_sign_in
from nsra.server.web.pages import estimate_text, when

router = APIRouter(include_in_schema=False)
PER_PAGE = 50
SHORT = 80  # characters of one value shown
FIELDS = 6  # fields of one item shown
_LANG_CODE = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$")
_HIDDEN = {"user_id"}  # bookkeeping the trail keeps, not worth showing

# action -> label of the sentence saying what was done ({key}, {analyst}, {what}, ...)
SENTENCES = {
    "estimate.create": "web_people_did_estimate_create",
    "estimate.update": "web_people_did_estimate_update",
    "organisations.create": "web_people_did_organisation_create",
    "analysts.create": "web_people_did_analyst_create",
    "analysts.update": "web_people_did_analyst_update",
    "assignments.create": "web_people_did_assignment_create",
    "assignments.delete": "web_people_did_assignment_delete",
    "rounds.open": "web_people_did_round_open",
    "rounds.close": "web_people_did_round_close",
    "submissions.create": "web_people_did_submission",
    "versions.publish": "web_people_did_publish",
    "import": "web_people_did_import",
}
for _section in ("scenarios", "strategies", "measures", "cascades", "consensus"):
    for _verb in ("create", "update", "delete"):
        SENTENCES[f"{_section}.{_verb}"] = f"web_people_did_{_section}_{_verb}"
for _section in ("developments", "capabilities"):
    for _verb in ("create", "update", "delete"):
        SENTENCES[f"{_section}.{_verb}"] = f"web_strategy_did_{_section}_{_verb}"
SENTENCES["measures_basis.update"] = "web_strategy_did_measures_basis_update"


def _clip(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= SHORT else text[: SHORT - 1].rstrip() + "…"


def _is_text(value: dict[str, Any]) -> bool:
    return bool(value) and all(
        isinstance(k, str) and _LANG_CODE.match(k) and isinstance(v, str) for k, v in value.items()
    )


def short(value: Any, lang: str) -> str:
    """One value, compact: texts in the reader's language, lists joined, long text cut."""
    if value is None or value == "" or value == [] or value == {}:
        return "—"
    if isinstance(value, bool):
        return i18n.t("web_people_yes" if value else "web_people_no", lang)
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, str):
        return _clip(value)
    if isinstance(value, dict):
        if _is_text(value):
            return _clip(tr(value, lang))
        if any(k in value for k in ("class", "value", "scale")) and len(value) <= 2:
            return estimate_text(value)
        parts = [f"{k}: {short(v, lang)}" for k, v in value.items() if k not in _HIDDEN]
        return _clip("; ".join(parts))
    if isinstance(value, list):
        if all(isinstance(x, str | int | float) for x in value):
            return _clip(", ".join(str(x) for x in value))
        return i18n.t("web_people_n_items", lang, n=len(value))
    return _clip(str(value))


def changes(entry: Json, lang: str) -> list[dict[str, str]]:
    """Old -> new, compact: the whole value for an estimate; for an item the fields that
    differ (all of them, at most :data:`FIELDS`, when it was added or removed)."""
    old, new = entry["old"], entry["new"]
    if entry["entity"]["table"] == "estimate_entries":
        return [{"field": "", "old": estimate_text(old), "new": estimate_text(new)}]
    if not isinstance(old, dict) and not isinstance(new, dict):
        if old is None and new is None:
            return []
        return [{"field": "", "old": short(old, lang), "new": short(new, lang)}]
    a = old if isinstance(old, dict) else {}
    b = new if isinstance(new, dict) else {}
    names = [k for k in dict.fromkeys([*a, *b]) if k not in _HIDDEN and a.get(k) != b.get(k)]
    out = [
        {
            "field": k,
            # an item added has no old value, one removed no new one: only the other is shown
            "old": short(a.get(k), lang) if old is not None else "",
            "new": short(b.get(k), lang) if new is not None else "",
        }
        for k in names
    ]
    if len(out) > FIELDS:
        more = len(out) - FIELDS
        out = out[:FIELDS]
        out.append({"field": "", "old": "", "new": i18n.t("web_people_more_fields", lang, n=more)})
    return out


def what(h: Here, entry: Json, slots: dict[str, str]) -> str:
    """What was done, in plain words."""
    action, key = entry["action"], entry["entity"]["key"]
    new = entry["new"] if isinstance(entry["new"], dict) else {}
    old = entry["old"] if isinstance(entry["old"], dict) else {}
    values: dict[str, object] = {"item": key}
    if action.startswith("estimate."):
        parts = key.split("/")
        analyst, level, slot = [*parts, "", "", ""][1:4]
        label = slots.get(slot, slot)
        values.update(analyst=analyst, what=f"{label} ({level})" if level else label)
    elif action.startswith("assignments."):
        values["analyst"] = key.partition("/")[2]
    elif action.startswith("consensus."):
        values["item"] = key.partition("/")[2] or ""
    elif action == "submissions.create":
        values.update(round=new.get("round", ""), analyst=new.get("analyst", ""))
    if action == "member.set":
        role = h.t(f"role_{new.get('role', '')}") if i18n.has(f"role_{new.get('role')}") else ""
        sentence = "web_people_did_member_add" if not old else "web_people_did_member_role"
        return h.t(sentence, item=key, role=role)
    label = SENTENCES.get(action)
    if label is None:
        return h.t("web_people_did_other", action=action, item=key)
    text = h.t(label, **values)
    return text


@router.get("/a/{assessment_id}/history")
def history_page(
    request: Request,
    assessment_id: AssessmentId,
    s: SessionDep,
    scenario: Annotated[str | None, Query(max_length=200)] = None,
    user: Annotated[str | None, Query(max_length=200)] = None,
    page: Annotated[int, Query(ge=1, le=DB_INT_MAX)] = 1,
) -> Response:
    h = here(request, s, assessment_id, roles=EDITORS)
    if h is None:
        return to_sign_in(request)
    scenario, user = scenario or None, user or None
    rows = audit.entries(s, h.id, scenario=scenario, user=user)
    total = len(rows)
    pages = max(1, -(-total // PER_PAGE))
    page = min(page, pages)
    newest = list(reversed(rows))[(page - 1) * PER_PAGE : page * PER_PAGE]
    titles = {sc.key: tr(sc.title, h.lang) for sc in h.row.scenarios}
    slots = {"likelihood": h.t("web_people_the_likelihood")} | {
        c.id: tr(c.label, h.lang) for c in h.method.criteria
    }
    entries = []
    for row in newest:
        e = audit.as_dict(row)
        entries.append(
            {
                "seq": e["seq"],
                "at": e["at"],
                "when": when(e["at"], h.lang),
                "who": e["user"] or h.t("web_people_command_line"),
                "what": what(h, e, slots),
                "scenario": e["scenario"],
                "scenario_title": titles.get(e["scenario"] or "", ""),
                "changes": changes(e, h.lang),
                "rationale": e["rationale"] or "",
            }
        )
    known_scenarios, known_users = audit.facets(s, h.id)

    def link(n: int) -> str:
        query = {"scenario": scenario or "", "user": user or "", "page": n}
        return h.url("/history?") + urlencode({k: v for k, v in query.items() if v})

    return h.page(
        "history.html.j2",
        "history",
        h.t("web_tab_history"),
        entries=entries,
        total=total,
        first=(page - 1) * PER_PAGE + 1,
        last=(page - 1) * PER_PAGE + len(entries),
        page_no=page,
        pages=pages,
        newer=link(page - 1) if page > 1 else None,
        older=link(page + 1) if page < pages else None,
        scenario=scenario or "",
        user_name=user or "",
        filtered=bool(scenario or user),
        scenario_options=[(k, f"{titles[k]} ({k})" if k in titles else k) for k in known_scenarios],
        user_options=known_users,
    )
