"""The coherence page: strategies (columns) against scenarios (rows, by rank) as the report
shows them (:func:`nsra.report.coherence.coherence_section`), serious risks without any measure
marked as gaps, strategies that address no serious risk, measures with several owners; and the
forms that create, change and remove strategies and measures.

Decisions (read before changing):

* Every write is the API's own :func:`~nsra.server.api.content._keyed_write`: who may write,
  what is valid (the file checker, references included) and the version check are the API's.
  A problem the checker reports inside the item (``item.strategy``, ``item.scenarios[0]``) is
  shown at that field with what the person typed; anything else above the form.
* A form sends the version it was read with. A 409 shows the other person's current values;
  the form then carries their version, so saving again keeps one's own values, and "take
  theirs" opens the form afresh. Creating an item whose identifier exists is the same 409 and
  is shown at the identifier.
* Fields the forms do not edit (a strategy's sources, languages other than en, nl and fr)
  are kept as stored: the posted values are laid over the item as it was read.
"""

from __future__ import annotations

import typing
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from nsra.analysis.coherence import PHASES, coherence
from nsra.io.jsondoc import Json
from nsra.io.problems import InputError, format_path
from nsra.model.assessment import Strategy
from nsra.model.text import DEFAULT_LANG, tr
from nsra.server.api.content import MEASURES, STRATEGIES, Keyed, _keyed_list, _keyed_write
from nsra.server.api.deps import AssessmentId
from nsra.server.api.errors import ApiError
from nsra.server.api.transaction import SessionDep, engine_of, write
from nsra.server.web.assessment import EDITORS, Here, form, here, one
from nsra.server.web.dashboard import overview
from nsra.server.web.home import to_sign_in
from nsra.server.web.pages import NO_STORE

router = APIRouter(include_in_schema=False)

TEXT_LANGS = ("en", "nl", "fr")
"""The languages the forms offer for titles and descriptions (others are kept as stored)."""
SCOPES: tuple[str, ...] = typing.get_args(Strategy.model_fields["scope"].annotation)
TAB = "coherence"


# -- the page -----------------------------------------------------------------------------


@router.get("/a/{assessment_id}/coherence")
def coherence_page(request: Request, assessment_id: AssessmentId, s: SessionDep) -> Response:
    h = here(request, s, assessment_id)
    if h is None:
        return to_sign_in(request)
    coh = overview(h)["coherence"]
    loaded, results, _doc = h.results()
    c = coherence(loaded.assessment, results.serious)
    orgs = {o.id: tr(o.name, h.lang) for o in loaded.assessment.organisations}
    scenario_titles = {sc.id: tr(sc.title, h.lang) for sc in loaded.assessment.scenarios}
    measures = _items(h, MEASURES)
    idle = set(c.strategies_without_serious)
    strategies = []
    for entry in _items(h, STRATEGIES):
        st = entry["item"]
        strategies.append(
            {
                "id": st["id"],
                "title": tr(st["title"], h.lang),
                "scope": h.t(f"scope_{st['scope']}"),
                "owner": orgs.get(st["owner"], st["owner"]),
                "idle": st["id"] in idle,
                "measures": [
                    {
                        "id": m["id"],
                        "title": tr(m["title"], h.lang),
                        "phase": h.t(f"phase_{m['phase']}"),
                        "owners": [orgs.get(o, o) for o in m["owners"]],
                        "scenarios": [scenario_titles.get(x, x) for x in m["scenarios"]],
                    }
                    for m in (e["item"] for e in measures)
                    if m["strategy"] == st["id"]
                ],
            }
        )
    notice = {"saved": "web_coherence_saved", "removed": "web_coherence_removed"}.get(
        request.query_params.get("done", "")
    )
    return h.page(
        "coherence.html.j2",
        TAB,
        h.t("web_tab_coherence"),
        notice=h.t(notice) if notice else None,
        coh=coh,
        strategies=strategies,
    )


def _items(h: Here, kind: Keyed) -> list[Json]:
    """The items of ``kind`` with their versions, as ``GET /api/.../{section}`` lists them."""
    listed: list[Json] = _keyed_list(kind, h.s, h.user, h.id)[kind.section]
    return listed


# -- the forms ----------------------------------------------------------------------------


@dataclass
class Form:
    """A strategy or measure form: what it shows, what was typed, what is wrong where."""

    kind: Keyed
    key: str | None  # None: a new item
    values: dict[str, Any]
    version: int | None
    errors: dict[str, str] = field(default_factory=dict)
    problem: str | None = None
    used_by: list[str] = field(default_factory=list)
    conflict: bool = False
    theirs: list[tuple[str, str]] | None = None  # their current values, label and text


def _values_of(item: Json | None) -> dict[str, Any]:
    """The form's fields from an item as the file writes it."""
    item = item or {}
    values: dict[str, Any] = {"id": item.get("id", "")}
    for name in ("title", "description"):
        text = item.get(name)
        for lang in TEXT_LANGS:
            if isinstance(text, dict):
                values[f"{name}_{lang}"] = text.get(lang, "")
            else:
                values[f"{name}_{lang}"] = text if (text and lang == DEFAULT_LANG) else ""
    for name in ("scope", "owner", "strategy", "phase"):
        values[name] = item.get(name, "")
    for name in ("owners", "scenarios"):
        values[name] = list(item.get(name, []))
    values["rationale"] = ""
    return values


def _posted(fields: dict[str, list[str]]) -> dict[str, Any]:
    values: dict[str, Any] = {
        name: one(fields, name).strip()
        for name in ("id", "scope", "owner", "strategy", "phase", "rationale")
    }
    for name in ("title", "description"):
        for lang in TEXT_LANGS:
            values[f"{name}_{lang}"] = one(fields, f"{name}_{lang}").strip()
    for name in ("owners", "scenarios"):
        values[name] = [v for v in fields.get(name, []) if v]
    return values


def _text(stored: Any, values: dict[str, Any], name: str) -> Any:
    """A title or description from the form, over the stored one: the form's languages as
    typed (an emptied one removed), other stored languages kept; a stored plain text stays
    plain when only its English field holds it unchanged. None: leave it out."""
    typed = {lang: values[f"{name}_{lang}"] for lang in TEXT_LANGS if values[f"{name}_{lang}"]}
    if isinstance(stored, str) and typed == {DEFAULT_LANG: stored}:
        return stored
    base = (
        {k: v for k, v in stored.items() if k not in TEXT_LANGS} if isinstance(stored, dict) else {}
    )
    text = {**base, **typed}
    if not text:
        return {} if name == "title" else None  # the checker says what a title needs
    return text


def _item(kind: Keyed, stored: Json | None, values: dict[str, Any]) -> Json:
    """The item to write: the stored one (fields the form does not edit kept) with the
    form's fields laid over it."""
    item: Json = dict(stored or {})
    item["id"] = values["id"]
    for name in ("title", "description"):
        text = _text(item.get(name), values, name)
        if text is None:
            item.pop(name, None)
        else:
            item[name] = text
    names = (
        ("scope", "owner") if kind is STRATEGIES else ("strategy", "phase", "owners", "scenarios")
    )
    for name in names:
        item[name] = values[name]
    return item


def _field_of(path: str | None) -> str | None:
    """The form field a problem's path (``item.scenarios[0]``, ``item.title.en``) is about."""
    if not path or not path.startswith("item"):
        return None
    rest = path.removeprefix("item").lstrip(".")
    name = rest.split(".")[0].split("[")[0]
    return name or None


def _version(fields: dict[str, list[str]]) -> int | None:
    raw = one(fields, "version")
    return int(raw) if raw.isdigit() else None


def _stored(h: Here, kind: Keyed, key: str) -> tuple[Json | None, int | None]:
    for entry in _items(h, kind):
        if entry["item"]["id"] == key:
            return entry["item"], entry["version"]
    return None, None


def _show(h: Here, f: Form) -> Response:
    """The form page (status 200 also with problems: the page itself is fine)."""
    loaded, _results, doc = h.results()
    coh = overview(h)["coherence"]
    gaps = coh["gap_ids"]
    serious = {r["id"] for r in coh["matrix"] if r["serious"]}
    orgs = [(o.id, tr(o.name, h.lang)) for o in loaded.assessment.organisations]
    strategies = [(st.id, tr(st.title, h.lang)) for st in loaded.assessment.strategies]
    titles = {sc.id: tr(sc.title, h.lang) for sc in loaded.assessment.scenarios}
    scenarios = []
    for entry in doc["scenarios"]:  # in rank order
        sid = entry["id"]
        scenarios.append(
            {
                "id": sid,
                "label": f"{entry['rank']}. {titles[sid]}" if entry["rank"] else titles[sid],
                "serious": sid in serious,
                "gap": sid in gaps,
            }
        )
    strategy = f.kind is STRATEGIES
    if f.key is None:
        title = h.t("web_coherence_new_strategy" if strategy else "web_coherence_new_measure")
    else:
        typed = [
            f.values[f"title_{lang}"]
            for lang in (h.lang, *TEXT_LANGS)
            if f"title_{lang}" in f.values
        ]
        name = next((x for x in typed if x), f.key)
        title = h.t("web_coherence_edit_named", name=name)
    known: dict[str, list[str]] = {
        "scope": list(SCOPES),
        "phase": list(PHASES),
        "owner": [o for o, _ in orgs],
        "strategy": [sid for sid, _ in strategies],
    }
    unknown = {
        name: [v for v in _as_list(f.values.get(name)) if v and v not in allowed]
        for name, allowed in {**known, "owners": known["owner"]}.items()
    }
    unknown["scenarios"] = [v for v in f.values.get("scenarios", []) if v not in titles]
    action = (
        h.url("/coherence/new-" + f.kind.one)
        if f.key is None
        else h.url(f"/coherence/{f.kind.section}/{quote(f.key, safe='')}")
    )
    return h.page(
        "coherence_form.html.j2",
        TAB,
        title,
        f=f,
        strategy=strategy,
        action=action,
        problem=f.problem,
        text_langs=TEXT_LANGS,
        orgs=orgs,
        strategies=strategies,
        scopes=SCOPES,
        phases=PHASES,
        scenarios=scenarios,
        unknown=unknown,
    )


def _as_list(value: Any) -> list[str]:
    if isinstance(value, list):
        return [str(v) for v in value]
    return [str(value)] if value else []


def _theirs(h: Here, kind: Keyed, item: Json) -> list[tuple[str, str]]:
    """The other person's item, field by field, for reading beside one's own."""
    loaded, _results, _doc = h.results()
    orgs = {o.id: tr(o.name, h.lang) for o in loaded.assessment.organisations}
    shown: list[tuple[str, str]] = []
    for name in ("title", "description"):
        text = item.get(name)
        if isinstance(text, dict):
            for lang, value in text.items():
                shown.append((f"{h.t(f'web_coherence_field_{name}')} ({lang})", value))
        elif text:
            shown.append((h.t(f"web_coherence_field_{name}"), str(text)))
    if kind is STRATEGIES:
        shown.append((h.t("web_coherence_field_scope"), h.t(f"scope_{item['scope']}")))
        shown.append(
            (h.t("web_coherence_field_owner"), str(orgs.get(item["owner"], item["owner"])))
        )
    else:
        st = {x.id: tr(x.title, h.lang) for x in loaded.assessment.strategies}
        sc = {x.id: tr(x.title, h.lang) for x in loaded.assessment.scenarios}
        shown.append((h.t("web_coherence_field_strategy"), st.get(item["strategy"], "")))
        shown.append((h.t("web_coherence_field_phase"), h.t(f"phase_{item['phase']}")))
        owners = "; ".join(orgs.get(o, o) for o in item["owners"])
        shown.append((h.t("web_coherence_field_owners"), owners))
        scenarios = "; ".join(sc.get(x, x) for x in item["scenarios"])
        shown.append((h.t("web_coherence_field_scenarios"), scenarios))
    return shown


def _editor(request: Request, s: Any, assessment_id: int) -> Here | None:
    return here(request, s, assessment_id, roles=EDITORS)


def _open(request: Request, s: Any, assessment_id: int, kind: Keyed, key: str | None) -> Response:
    h = _editor(request, s, assessment_id)
    if h is None:
        return to_sign_in(request)
    if key is None:
        values = _values_of(None)
        if kind is MEASURES:
            values["scenarios"] = [x for x in request.query_params.getlist("scenario") if x]
            values["strategy"] = request.query_params.get("strategy", "")
        return _show(h, Form(kind, None, values, None))
    stored, version = _stored(h, kind, key)
    if stored is None:
        raise ApiError(404, f"assessment {assessment_id} has no {kind.one} {key!r}")
    return _show(h, Form(kind, key, _values_of(stored), version))


def _save(request: Request, s: Any, assessment_id: int, kind: Keyed, key: str | None) -> Response:
    h = here(request, s, assessment_id)  # who may write is decided by the write itself
    if h is None:
        return to_sign_in(request)
    fields = form(request)
    values = _posted(fields)
    version = _version(fields)
    if key is not None:
        values["id"] = key
    stored, _ = _stored(h, kind, key) if key is not None else (None, None)
    item = _item(kind, stored, values)
    f = Form(kind, key, values, version)
    try:
        _write(h, kind, values["id"] or "", item, version, values["rationale"])
    except InputError as exc:
        _input_problems(h, f, exc)
        return _show(h, f)
    except ApiError as exc:
        _api_problem(h, f, exc)
        return _show(h, f)
    return _done(h, "saved")


def _write(
    h: Here, kind: Keyed, key: str, item: Json | None, version: int | None, rationale: str
) -> Json:
    user = h.user
    return write(
        engine_of(h.request),
        lambda w: _keyed_write(kind, w, user, h.id, key, item, version, rationale or None),
    )


def _input_problems(h: Here, f: Form, exc: InputError) -> None:
    errors = [p for p in exc.problems if p.severity == "error"] or exc.problems
    for p in errors:
        name = _field_of(format_path(p.path))
        if name is None:
            f.problem = f.problem or p.message
        else:
            f.errors.setdefault(name, p.message)
    if f.problem is None:
        f.problem = h.t("web_coherence_not_saved")


def _api_problem(h: Here, f: Form, exc: ApiError) -> None:
    if exc.status in (401, 403, 404) or (exc.status == 409 and exc.field != "version"):
        raise exc
    if exc.status == 409:
        if f.key is None:  # creating: the identifier is someone else's item
            f.errors["id"] = h.t("web_coherence_id_taken")
            f.problem = h.t("web_coherence_not_saved")
            return
        current = exc.extra.get("current")
        f.conflict = True
        f.version = exc.extra.get("version")
        f.theirs = _theirs(h, f.kind, current) if current is not None else None
        f.problem = h.t("web_coherence_conflict" if current else "web_coherence_conflict_gone")
        return
    name = _field_of(exc.field)
    if name is None:
        f.problem = exc.message
    else:
        f.errors[name] = exc.message
        f.problem = h.t("web_coherence_not_saved")


def _remove(request: Request, s: Any, assessment_id: int, kind: Keyed, key: str) -> Response:
    h = here(request, s, assessment_id)
    if h is None:
        return to_sign_in(request)
    fields = form(request)
    version = _version(fields)
    rationale = one(fields, "rationale").strip()
    try:
        _write(h, kind, key, None, version, rationale)
    except (InputError, ApiError) as exc:
        stored, current = _stored(h, kind, key)
        if isinstance(exc, ApiError) and (exc.status != 409 or stored is None):
            raise
        values = _values_of(stored)
        values["rationale"] = rationale
        f = Form(kind, key, values, current)
        if isinstance(exc, InputError):
            errors = [p for p in exc.problems if p.severity == "error"] or exc.problems
            f.problem = h.t("web_coherence_not_removed", message=errors[0].message)
            f.used_by = [
                tr(e["item"]["title"], h.lang)
                for e in _items(h, MEASURES)
                if kind is STRATEGIES and e["item"]["strategy"] == key
            ]
        else:  # changed meanwhile: the form now shows their values and version
            f.problem = h.t("web_coherence_conflict")
            f.conflict = True
        return _show(h, f)
    return _done(h, "removed")


def _done(h: Here, what: str) -> Response:
    return RedirectResponse(
        h.url(f"/coherence?done={what}"), status_code=303, headers=dict(NO_STORE)
    )


def _routes(kind: Keyed) -> None:
    new = f"/a/{{assessment_id}}/coherence/new-{kind.one}"
    one_ = f"/a/{{assessment_id}}/coherence/{kind.section}/{{key}}"

    @router.get(new, name=f"web_new_{kind.one}")
    def open_new(request: Request, assessment_id: AssessmentId, s: SessionDep) -> Response:
        return _open(request, s, assessment_id, kind, None)

    @router.post(new, name=f"web_create_{kind.one}")
    def create(request: Request, assessment_id: AssessmentId, s: SessionDep) -> Response:
        return _save(request, s, assessment_id, kind, None)

    @router.get(one_, name=f"web_edit_{kind.one}")
    def open_one(
        request: Request, assessment_id: AssessmentId, key: str, s: SessionDep
    ) -> Response:
        return _open(request, s, assessment_id, kind, key)

    @router.post(one_, name=f"web_save_{kind.one}")
    def save(request: Request, assessment_id: AssessmentId, key: str, s: SessionDep) -> Response:
        return _save(request, s, assessment_id, kind, key)

    @router.post(one_ + "/remove", name=f"web_remove_{kind.one}")
    def remove(request: Request, assessment_id: AssessmentId, key: str, s: SessionDep) -> Response:
        return _remove(request, s, assessment_id, kind, key)


_routes(STRATEGIES)
_routes(MEASURES)
