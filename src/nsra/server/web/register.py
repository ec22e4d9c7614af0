"""The scenario register of an assessment: every scenario the member may see (search, filters
and sorting in a GET form that works without JavaScript), one page per scenario (its results,
the analysts' estimates this member may see, the consensus, its cascades), and for
coordinators and administrators the forms to add, change and remove a scenario.

Decisions (read before changing):

* What a member sees is their :class:`~nsra.server.api.views.View` (``Here.results``): during an
  open round an analyst sees only their own estimates of the scenarios they have not submitted,
  exactly as ``GET /api/assessments/{id}/scenarios`` shows them.
* Writes go through the API's own :func:`~nsra.server.api.content._keyed_write` in one
  transaction with the read of the stored item: who may write, what is valid (the file
  checker) and the version check are the API's. The form changes the fields it shows and keeps
  the others (sources, reinforces, actor; estimates and consensus have their own pages).
* A text per language: the form offers English, Dutch and French, plus any other language the
  stored text has; an empty language is left out (no language at all is the checker's error).
  A title stored as a plain text is shown as English and saved as ``{en: ...}``.
* A problem of the checker is shown at its field (``item.title`` -> the title), the typed values
  kept; a 409 shows the values stored now beside the typed ones: saving again keeps the typed
  ones (the form then carries the new version), the link takes the stored ones.
* Search looks in the id, titles and descriptions in every language given (a Dutch reader may
  type an English word); every word must occur.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from nsra.io.jsondoc import Json
from nsra.io.problems import InputError, format_path
from nsra.model.text import is_lang, tr
from nsra.report.scenarios import scenario_sections
from nsra.report.view import View as ReportView
from nsra.server.api.content import SCENARIOS, _keyed_get, _keyed_row, _keyed_write, _lookups
from nsra.server.api.deps import AssessmentId
from nsra.server.api.errors import ApiError
from nsra.server.api.transaction import SessionDep, engine_of, write
from nsra.server.db.exporting import scenario_item
from nsra.server.web.assessment import EDITORS, Here, form, here, one
from nsra.server.web.dashboard import overview
from nsra.server.web.home import to_sign_in
from nsra.server.web.pages import NO_STORE

router = APIRouter(include_in_schema=False)

TEXT_LANGS = ("en", "nl", "fr")
"""The languages the form always offers for a title and a description."""
DOMAINS = ("internal", "external", "both")
SORTS = ("rank", "title", "theme", "owner")
FIELDS = ("id", "title", "description", "theme", "domain", "owner", "malicious")
"""The scenario's fields the form edits; a problem elsewhere is shown above the form."""


# -- the register ---------------------------------------------------------------------------


def _words(text: str | dict[str, str] | None) -> str:
    if text is None:
        return ""
    return " ".join(text.values()) if isinstance(text, dict) else text


def _rank_key(row: dict[str, Any]) -> tuple[bool, int]:
    return (row["rank"] is None, row["rank"] or 0)


SORT_KEYS: dict[str, Callable[[dict[str, Any]], Any]] = {
    "rank": lambda r: (*_rank_key(r), r["title"].casefold()),
    "title": lambda r: (r["title"].casefold(), *_rank_key(r)),
    "theme": lambda r: ((r["theme"] or "").casefold(), *_rank_key(r)),
    "owner": lambda r: (r["owner"].casefold(), *_rank_key(r)),
}


@dataclass
class Query:
    """The register's search, filters and order as asked (unknown values are ignored)."""

    q: str = ""
    theme: str = ""
    domain: str = ""
    owner: str = ""
    malicious: str = ""
    sort: str = "rank"
    chosen: bool = field(default=False)

    @classmethod
    def of(cls, request: Request) -> Query:
        p = request.query_params
        domain = p.get("domain", "")
        malicious = p.get("malicious", "")
        sort = p.get("sort", "rank")
        made = cls(
            q=p.get("q", "").strip()[:200],
            theme=p.get("theme", ""),
            domain=domain if domain in DOMAINS else "",
            owner=p.get("owner", ""),
            malicious=malicious if malicious in ("yes", "no") else "",
            sort=sort if sort in SORTS else "rank",
        )
        made.chosen = any((made.q, made.theme, made.domain, made.owner, made.malicious))
        return made

    def keeps(self, row: dict[str, Any]) -> bool:
        if self.theme and row["theme"] != self.theme:
            return False
        if self.domain and row["domain"] != self.domain:
            return False
        if self.owner and row["owner_id"] != self.owner:
            return False
        if self.malicious and row["malicious"] != (self.malicious == "yes"):
            return False
        return all(word in row["haystack"] for word in self.q.casefold().split())


@router.get("/a/{assessment_id}/scenarios")
def register(request: Request, assessment_id: AssessmentId, s: SessionDep) -> Response:
    h = here(request, s, assessment_id)
    if h is None:
        return to_sign_in(request)
    loaded, _results, _doc = h.results()
    models = {sc.id: sc for sc in loaded.assessment.scenarios}
    orgs = {o.id: tr(o.name, h.lang) for o in loaded.assessment.organisations}
    rows: list[dict[str, Any]] = []
    for r in overview(h)["rows"]:
        sc = models[r["id"]]
        text = " ".join((sc.id, _words(sc.title), _words(sc.description)))
        rows.append({**r, "owner_id": sc.owner, "haystack": text.casefold()})
    query = Query.of(request)
    shown = sorted((r for r in rows if query.keeps(r)), key=SORT_KEYS[query.sort])
    owners = sorted({(r["owner_id"], orgs.get(r["owner_id"], r["owner_id"])) for r in rows})
    notice = None
    if request.query_params.get("removed"):
        notice = h.t("web_register_removed", id=request.query_params["removed"])
    return h.page(
        "register.html.j2",
        "scenarios",
        h.t("web_register_title"),
        rows=shown,
        total=len(rows),
        query=query,
        themes=sorted({r["theme"] for r in rows if r["theme"]}, key=str.casefold),
        owners=sorted(owners, key=lambda o: o[1].casefold()),
        domains=DOMAINS,
        sorts=SORTS,
        notice=notice,
    )


# -- one scenario ---------------------------------------------------------------------------


@router.get("/a/{assessment_id}/scenarios/new")
def new_form(request: Request, assessment_id: AssessmentId, s: SessionDep) -> Response:
    h = here(request, s, assessment_id, roles=EDITORS)
    if h is None:
        return to_sign_in(request)
    return _form_page(h, Typed.blank(), creating=True)


@router.post("/a/{assessment_id}/scenarios/new")
def create(request: Request, assessment_id: AssessmentId, s: SessionDep) -> Response:
    h = here(request, s, assessment_id, roles=EDITORS)
    if h is None:
        return to_sign_in(request)
    typed = Typed.posted(form(request), creating=True)
    return _save(h, typed, typed.id, creating=True)


@router.get("/a/{assessment_id}/scenarios/{key}")
def scenario(request: Request, assessment_id: AssessmentId, key: str, s: SessionDep) -> Response:
    h = here(request, s, assessment_id)
    if h is None:
        return to_sign_in(request)
    _keyed_get(SCENARIOS, s, h.user, h.id, key)  # 404 as the API says it
    o = overview(h)
    loaded, _results, _doc = h.results()
    v = ReportView(loaded, o["doc"], h.lang)
    found = scenario_sections(v, o["rows"], o["coherence"], only=key)
    if not found:
        raise ApiError(404, f"assessment {h.id} has no scenario {key!r}")
    section = found[0]
    sc = v.scenarios[key]
    notice = None
    if request.query_params.get("saved"):
        notice = h.t("web_register_saved")
    elif request.query_params.get("created"):
        notice = h.t("web_register_created")
    heading = f"{section['rank']}. {section['title']}" if section["rank"] else section["title"]
    return h.page(
        "register_scenario.html.j2",
        "scenarios",
        heading,
        s=section,
        key=key,
        hidden=key in h.view().hidden,
        has_estimates=bool(sc.estimates),
        has_consensus=bool(sc.consensus),
        has_levels=bool(v.m.intensity_levels),
        has_measures=o["coherence"]["has_measures"],
        level_note=v.t("lv_note", period=v.period()),
        probability_label=v.t("col_probability", period=v.period()),
        notice=notice,
    )


# -- the form -------------------------------------------------------------------------------


def _texts(text: str | dict[str, str] | None) -> dict[str, str]:
    """A stored text per language (a plain text is taken as English)."""
    if text is None:
        return {}
    return {"en": text} if isinstance(text, str) else dict(text)


def _langs(*texts: dict[str, str]) -> list[str]:
    extra = sorted({code for t in texts for code in t if code not in TEXT_LANGS})
    return [*TEXT_LANGS, *extra]


@dataclass
class Typed:
    """The values of the form, as typed (or as stored, for a form just opened)."""

    id: str
    title: dict[str, str]
    description: dict[str, str]
    theme: str
    domain: str
    owner: str
    malicious: bool
    rationale: str = ""
    version: int | None = None

    @classmethod
    def blank(cls) -> Typed:
        return cls("", {}, {}, "", "", "", False)

    @classmethod
    def stored(cls, item: Json, version: int | None) -> Typed:
        return cls(
            id=str(item["id"]),
            title=_texts(item.get("title")),
            description=_texts(item.get("description")),
            theme=str(item.get("theme", "")),
            domain=str(item.get("domain", "")),
            owner=str(item.get("owner", "")),
            malicious=bool(item.get("malicious")),
            version=version,
        )

    @classmethod
    def posted(cls, fields: dict[str, list[str]], creating: bool, key: str = "") -> Typed:
        def per_lang(prefix: str) -> dict[str, str]:
            codes = {n.removeprefix(prefix) for n in fields if n.startswith(prefix)}
            return {c: one(fields, prefix + c) for c in sorted(codes) if is_lang(c)}

        version = one(fields, "version")
        return cls(
            id=one(fields, "id").strip() if creating else key,
            title=per_lang("title_"),
            description=per_lang("description_"),
            theme=one(fields, "theme").strip(),
            domain=one(fields, "domain"),
            owner=one(fields, "owner"),
            malicious=one(fields, "malicious") == "1",
            rationale=one(fields, "rationale").strip(),
            version=int(version) if version.isdigit() else None,
        )

    def item(self, stored: Json | None) -> Json:
        """The scenario to write: the stored one (its other fields kept) with these values."""
        new: Json = dict(stored or {})
        new.update(
            title={c: t.strip() for c, t in self.title.items() if t.strip()},
            theme=self.theme,
            domain=self.domain,
            owner=self.owner,
            malicious=self.malicious,
        )
        description = {c: t.strip() for c, t in self.description.items() if t.strip()}
        if description:
            new["description"] = description
        else:
            new.pop("description", None)
        return new


def _field_of(path: str | None) -> str | None:
    """The form's field of a problem at ``item.<field>...``, else None."""
    if path and path.startswith("item."):
        name = re.split(r"[.\[]", path.removeprefix("item."))[0]
        if name in FIELDS:
            return name
    return None


def _problems(exc: InputError | ApiError) -> list[tuple[str, str | None]]:
    """The messages and field paths of a refused write, as the API answers it (its errors;
    the API's answer names the first, and lists them all)."""
    if isinstance(exc, ApiError):
        return [(exc.message, exc.field)]
    errors = [p for p in exc.problems if p.severity == "error"] or exc.problems
    return [(p.message, format_path(p.path) or None) for p in errors]


def _where(h: Here, message: str, path: str | None) -> str:
    return f"{message} ({h.t('web_register_at', field=path)})" if path else message


def _form_page(
    h: Here,
    typed: Typed,
    creating: bool,
    errors: dict[str, str] | None = None,
    problem: str | None = None,
    theirs: Typed | None = None,
    gone: bool = False,
) -> Response:
    look = _lookups(h.s, h.id)
    orgs = sorted(
        ((k, tr(o.name, h.lang)) for k, o in look.orgs.items()), key=lambda o: o[1].casefold()
    )
    themes = sorted({sc.theme for sc in look.scenarios.values()}, key=str.casefold)
    names = dict(orgs)
    if creating:
        title = h.t("web_register_new_title")
        action = h.url("/scenarios/new")
        back = h.url("/scenarios")
    else:
        shown = tr(typed.title, h.lang) or typed.id
        title = h.t("web_register_edit_title", title=shown)
        action = h.url(f"/scenarios/{quote(typed.id)}/edit")
        back = h.url(f"/scenarios/{quote(typed.id)}")
    return h.page(
        "register_form.html.j2",
        "scenarios",
        title,
        typed=typed,
        creating=creating,
        errors=errors or {},
        problem=problem,
        theirs=theirs,
        gone=gone,
        orgs=orgs,
        org_names=names,
        themes=themes,
        domains=DOMAINS,
        text_langs=_langs(
            typed.title, typed.description, *((theirs.title, theirs.description) if theirs else ())
        ),
        action=action,
        back=back,
    )


def _save(h: Here, typed: Typed, key: str, creating: bool) -> Response:
    user, aid = h.user, h.id

    def work(w: Session) -> Json:
        stored = None
        if not creating:
            try:
                stored = _keyed_get(SCENARIOS, w, user, aid, key)["item"]
            except ApiError as exc:
                if exc.status != 404:
                    raise
        new = typed.item(stored)
        return _keyed_write(
            SCENARIOS, w, user, aid, key, new, typed.version, typed.rationale or None
        )

    try:
        write(engine_of(h.request), work)
    except (InputError, ApiError) as exc:
        if isinstance(exc, ApiError) and exc.status == 409 and exc.field == "version":
            current, version = exc.extra.get("current"), exc.extra.get("version")
            if creating:
                return _form_page(
                    h,
                    typed,
                    True,
                    {"id": h.t("web_register_id_taken")},
                    problem=h.t("web_register_problem"),
                )
            typed.version = version
            theirs = Typed.stored(current, version) if current else None
            return _form_page(h, typed, False, theirs=theirs, gone=current is None)
        if isinstance(exc, ApiError) and exc.status != 422:
            raise
        errors: dict[str, str] = {}
        elsewhere: list[str] = []
        for message, path in _problems(exc):
            at = _field_of(path)
            if at is None:
                elsewhere.append(_where(h, message, path))
            else:
                errors.setdefault(at, message)
        if elsewhere:  # not at a field of the form: above it
            return _form_page(h, typed, creating, errors, problem=" ".join(elsewhere))
        return _form_page(h, typed, creating, errors, problem=h.t("web_register_problem"))
    done = "created" if creating else "saved"
    return RedirectResponse(
        h.url(f"/scenarios/{quote(key)}?{done}=1"), status_code=303, headers=NO_STORE
    )


@router.get("/a/{assessment_id}/scenarios/{key}/edit")
def edit_form(request: Request, assessment_id: AssessmentId, key: str, s: SessionDep) -> Response:
    h = here(request, s, assessment_id, roles=EDITORS)
    if h is None:
        return to_sign_in(request)
    got = _keyed_get(SCENARIOS, s, h.user, h.id, key)
    return _form_page(h, Typed.stored(got["item"], got["version"]), creating=False)


@router.post("/a/{assessment_id}/scenarios/{key}/edit")
def edit(request: Request, assessment_id: AssessmentId, key: str, s: SessionDep) -> Response:
    h = here(request, s, assessment_id, roles=EDITORS)
    if h is None:
        return to_sign_in(request)
    typed = Typed.posted(form(request), creating=False, key=key)
    return _save(h, typed, key, creating=False)


# -- removing -------------------------------------------------------------------------------


def _remove_page(h: Here, key: str, problem: str | None = None, changed: bool = False) -> Response:
    row = _keyed_row(h.s, SCENARIOS, h.id, key)
    if row is None:
        raise ApiError(404, f"assessment {h.id} has no scenario {key!r}")
    item = scenario_item(row)
    title = tr(item["title"], h.lang) or key
    return h.page(
        "register_remove.html.j2",
        "scenarios",
        h.t("web_register_remove_title", title=title),
        key=key,
        version=row.version,
        estimates=len(item.get("estimates", [])),
        consensus=len(item.get("consensus", [])),
        problem=problem,
        changed=changed,
    )


@router.get("/a/{assessment_id}/scenarios/{key}/remove")
def remove_form(request: Request, assessment_id: AssessmentId, key: str, s: SessionDep) -> Response:
    h = here(request, s, assessment_id, roles=EDITORS)
    if h is None:
        return to_sign_in(request)
    return _remove_page(h, key)


@router.post("/a/{assessment_id}/scenarios/{key}/remove")
def remove(request: Request, assessment_id: AssessmentId, key: str, s: SessionDep) -> Response:
    h = here(request, s, assessment_id, roles=EDITORS)
    if h is None:
        return to_sign_in(request)
    fields = form(request)
    version = one(fields, "version")
    rationale = one(fields, "rationale").strip() or None
    user, aid = h.user, h.id
    try:
        write(
            engine_of(request),
            lambda w: _keyed_write(
                SCENARIOS,
                w,
                user,
                aid,
                key,
                None,
                int(version) if version.isdigit() else None,
                rationale,
            ),
        )
    except (InputError, ApiError) as exc:
        if isinstance(exc, ApiError) and exc.status == 409 and exc.field == "version":
            if exc.extra.get("current") is None:
                raise
            h.s.expire_all()
            return _remove_page(h, key, changed=True)
        if isinstance(exc, ApiError) and exc.status != 422:
            raise
        text = " ".join(_where(h, message, path) for message, path in _problems(exc))
        return _remove_page(h, key, problem=f"{h.t('web_register_not_removed')} {text}")
    target = h.url("/scenarios") + "?" + urlencode({"removed": key})
    return RedirectResponse(target, status_code=303, headers=NO_STORE)
