"""The coherence page: strategies (columns) against scenarios (rows, by rank) as the report
shows them (:func:`nsra.report.coherence.coherence_section`), serious risks without any measure
marked as gaps, strategies that address no serious risk, measures with several owners; and the
forms that create, change and remove strategies, measures, international developments and
capabilities (the list of the last two: :mod:`nsra.server.web.strategy`).

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
  are kept as stored: the posted values are laid over the item as it was read. So is an
  optional field a posted form leaves out entirely (an older form without a measure's status).
* Nested lists (a measure's or a development's effects, a measure's side effects, a
  capability's needs) are edited as YAML in a text area, shown as the file writes them. The
  checker's problem inside one is shown at its text area with its line there and its path
  (``line 2, [0].scenario: ...``); YAML that cannot be read is shown the same way.
"""

from __future__ import annotations

import typing
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import yaml
from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from nsra.analysis.coherence import PHASES, coherence
from nsra.io.jsondoc import Json
from nsra.io.problems import InputError, Path, format_path
from nsra.io.safeyaml import load, locate
from nsra.model.assessment import MEASURE_STATUSES, Capability, Development, Strategy
from nsra.model.text import DEFAULT_LANG, tr
from nsra.server.api.content import (
    CAPABILITIES,
    DEVELOPMENTS,
    MEASURES,
    STRATEGIES,
    Keyed,
    _keyed_list,
    _keyed_write,
)
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
KINDS: dict[str, tuple[str, ...]] = {
    "developments": typing.get_args(Development.model_fields["kind"].annotation),
    "capabilities": typing.get_args(Capability.model_fields["kind"].annotation),
}
TAB = "coherence"


@dataclass(frozen=True)
class Fields:
    """What one kind's form edits besides the identifier."""

    texts: tuple[str, ...] = ("title", "description")  # in en, nl and fr
    required: tuple[str, ...] = ()  # one choice, always sent (the checker says when empty)
    lists: tuple[str, ...] = ()  # checkboxes, always sent
    optional: tuple[str, ...] = ()  # one choice; empty: left out
    numbers: tuple[str, ...] = ()  # a number; empty: left out
    written: tuple[str, ...] = ()  # nested lists, as YAML; empty: left out


FIELDS = {
    "strategies": Fields(required=("scope", "owner")),
    "measures": Fields(
        required=("strategy", "phase"),
        lists=("owners", "scenarios"),
        optional=("lead", "status"),
        numbers=("cost",),
        written=("effects", "side_effects"),
    ),
    "developments": Fields(
        texts=("title", "description", "where"),
        required=("kind",),
        numbers=("horizon",),
        written=("effects",),
    ),
    "capabilities": Fields(required=("kind",), lists=("owners",), written=("needed",)),
}
ALL = Fields(
    texts=("title", "description", "where"),
    required=("scope", "owner", "strategy", "phase", "kind"),
    lists=("owners", "scenarios"),
    optional=("lead", "status"),
    numbers=("cost", "horizon"),
    written=("effects", "side_effects", "needed"),
)
"""Every field of every form: what a form's values hold (unused ones stay empty)."""


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
    for name in ALL.texts:
        text = item.get(name)
        for lang in TEXT_LANGS:
            if isinstance(text, dict):
                values[f"{name}_{lang}"] = text.get(lang, "")
            else:
                values[f"{name}_{lang}"] = text if (text and lang == DEFAULT_LANG) else ""
    for name in (*ALL.required, *ALL.optional):
        values[name] = item.get(name, "")
    values["status"] = item.get("status", MEASURE_STATUSES[0])  # the file's default
    for name in ALL.lists:
        values[name] = list(item.get(name, []))
    for name in ALL.numbers:
        number = item.get(name)
        values[name] = "" if number is None else f"{number:g}" if name == "horizon" else str(number)
    for name in ALL.written:
        values[name] = written_text(item.get(name))
    values["rationale"] = ""
    return values


def written_text(items: Any) -> str:
    """Nested items as YAML, one block per item, each field on one line (a shift or a list
    in flow style: ``likelihood: {steps: -0.5, low: -1, high: 0}``)."""
    if not items:
        return ""
    if not isinstance(items, list) or not all(isinstance(x, dict) for x in items):
        return _flow(items) + "\n"
    lines = []
    for item in items:
        for n, (key, value) in enumerate(item.items()):
            lines.append(f"{'- ' if n == 0 else '  '}{_flow(key)}: {_flow(value)}")
    return "\n".join(lines) + "\n"


def _flow(value: Any) -> str:
    """One value as YAML on one line."""
    text: str = yaml.safe_dump(
        value, default_flow_style=True, allow_unicode=True, sort_keys=False, width=10**9
    )
    return text.removesuffix("\n").removesuffix("\n...").strip()


def _posted(fields: dict[str, list[str]]) -> tuple[dict[str, Any], set[str]]:
    """The values posted, and which of the optional fields the form sent at all."""
    values: dict[str, Any] = {
        name: one(fields, name).strip()
        for name in ("id", *ALL.required, *ALL.optional, *ALL.numbers, "rationale")
    }
    for name in ALL.texts:
        for lang in TEXT_LANGS:
            values[f"{name}_{lang}"] = one(fields, f"{name}_{lang}").strip()
    for name in ALL.lists:
        values[name] = [v for v in fields.get(name, []) if v]
    for name in ALL.written:
        values[name] = one(fields, name).strip("\n")
    sent = {name for name in fields if name in (*ALL.optional, *ALL.numbers, *ALL.written)}
    return values, sent


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


def _item(
    h: Here, kind: Keyed, stored: Json | None, values: dict[str, Any], sent: set[str]
) -> tuple[Json, dict[str, str]]:
    """The item to write: the stored one (fields the form does not edit kept) with the
    form's fields laid over it; and the fields that could not be read (a number, YAML)."""
    fields = FIELDS[kind.section]
    item: Json = dict(stored or {})
    item["id"] = values["id"]
    errors: dict[str, str] = {}
    for name in fields.texts:
        text = _text(item.get(name), values, name)
        if text is None:
            item.pop(name, None)
        else:
            item[name] = text
    for name in (*fields.required, *fields.lists):
        item[name] = values[name]
    for name in (*fields.optional, *fields.numbers, *fields.written):
        if name not in sent:
            continue
        raw = values[name]
        item.pop(name, None)
        if not raw.strip():
            continue
        if name in fields.numbers:
            number = _number(raw)
            if number is None:
                errors[name] = h.t("web_strategy_not_a_number", value=raw)
            item[name] = number if number is not None else raw
        elif name in fields.written:
            try:
                item[name] = load(raw, name)
            except InputError as exc:
                p = exc.problems[0]
                errors[name] = h.t("web_strategy_unreadable", line=p.line or 1, message=p.message)
        else:
            item[name] = raw
    return item, errors


def _number(raw: str) -> int | float | None:
    """A number as a person types it: 45000000, 45 000 000, 45_000_000, 1.5e6, 2,5."""
    text = "".join(raw.split()).replace("_", "")
    if text.count(",") == 1 and "." not in text:
        text = text.replace(",", ".")
    try:
        number = float(text)
    except ValueError:
        return None
    if number != number or number in (float("inf"), float("-inf")):
        return None
    return int(number) if number.is_integer() else number


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
    one_ = f.kind.one
    if f.key is None:
        title = h.t(NEW[one_])
    else:
        typed = [
            f.values[f"title_{lang}"]
            for lang in (h.lang, *TEXT_LANGS)
            if f"title_{lang}" in f.values
        ]
        name = next((x for x in typed if x), f.key)
        title = h.t("web_coherence_edit_named", name=name)
    kinds = KINDS.get(f.kind.section, ())
    known: dict[str, list[str]] = {
        "scope": list(SCOPES),
        "phase": list(PHASES),
        "owner": [o for o, _ in orgs],
        "lead": [o for o, _ in orgs],
        "strategy": [sid for sid, _ in strategies],
        "status": list(MEASURE_STATUSES),
        "kind": list(kinds),
    }
    unknown = {
        name: [v for v in _as_list(f.values.get(name)) if v and v not in allowed]
        for name, allowed in {**known, "owners": known["owner"]}.items()
    }
    unknown["scenarios"] = [v for v in f.values.get("scenarios", []) if v not in titles]
    action = (
        h.url("/coherence/new-" + one_)
        if f.key is None
        else h.url(f"/coherence/{f.kind.section}/{quote(f.key, safe='')}")
    )
    return h.page(
        "coherence_form.html.j2",
        TAB,
        title,
        f=f,
        form_kind=one_,
        strategy=f.kind is STRATEGIES,
        fields=FIELDS[f.kind.section],
        labels={name: field_label(h, name) for name in _names()},
        action=action,
        back=h.url(_home(f.kind)),
        problem=f.problem,
        text_langs=TEXT_LANGS,
        orgs=orgs,
        strategies=strategies,
        scopes=SCOPES,
        phases=PHASES,
        statuses=[(v, h.t(f"web_strategy_status_{v}")) for v in MEASURE_STATUSES],
        kinds=[(v, h.t(f"web_strategy_kind_{v}")) for v in kinds],
        scenarios=scenarios,
        unknown=unknown,
    )


NEW = {
    "strategy": "web_coherence_new_strategy",
    "measure": "web_coherence_new_measure",
    "development": "web_strategy_new_development",
    "capability": "web_strategy_new_capability",
}
OLD_LABELS = ("title", "description", "scope", "owner", "owners", "strategy", "phase", "scenarios")


def _names() -> tuple[str, ...]:
    return (*ALL.texts, *ALL.required, *ALL.lists, *ALL.optional, *ALL.numbers, *ALL.written)


def field_label(h: Here, name: str) -> str:
    """The label of a form field (the strategy and measure fields have had theirs longer)."""
    prefix = "web_coherence_field_" if name in OLD_LABELS else "web_strategy_field_"
    return h.t(prefix + name)


def _home(kind: Keyed) -> str:
    """Where a kind's items are listed (after /a/{id})."""
    return "/developments" if kind in (DEVELOPMENTS, CAPABILITIES) else "/coherence"


def _as_list(value: Any) -> list[str]:
    if isinstance(value, list):
        return [str(v) for v in value]
    return [str(value)] if value else []


def choice_text(h: Here, name: str, value: Any) -> str:
    """A chosen value in words: an organisation's or strategy's name, a scope, phase, status
    or kind in the reader's language."""
    loaded, _results, _doc = h.results()
    a = loaded.assessment
    if name in ("owner", "lead", "owners"):
        return next((tr(o.name, h.lang) for o in a.organisations if o.id == value), str(value))
    if name == "strategy":
        return next((tr(x.title, h.lang) for x in a.strategies if x.id == value), str(value))
    if name == "scenarios":
        return next((tr(x.title, h.lang) for x in a.scenarios if x.id == value), str(value))
    prefix = {"scope": "scope_", "phase": "phase_"}.get(name, f"web_strategy_{name}_")
    return h.t(f"{prefix}{value}")


def _theirs(h: Here, kind: Keyed, item: Json) -> list[tuple[str, str]]:
    """The other person's item, field by field, for reading beside one's own."""
    fields = FIELDS[kind.section]
    shown: list[tuple[str, str]] = []
    for name in fields.texts:
        text = item.get(name)
        if isinstance(text, dict):
            for lang, value in text.items():
                shown.append((f"{field_label(h, name)} ({lang})", value))
        elif text:
            shown.append((field_label(h, name), str(text)))
    for name in (*fields.required, *fields.optional):
        if item.get(name) not in (None, ""):
            shown.append((field_label(h, name), choice_text(h, name, item[name])))
    for name in fields.lists:
        words = "; ".join(choice_text(h, name, x) for x in item.get(name, []))
        shown.append((field_label(h, name), words))
    for name in fields.numbers:
        if item.get(name) is not None:
            shown.append((field_label(h, name), str(item[name])))
    for name in fields.written:
        if item.get(name):
            shown.append((field_label(h, name), written_text(item[name])))
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
    values, sent = _posted(fields)
    version = _version(fields)
    if key is not None:
        values["id"] = key
    stored, _ = _stored(h, kind, key) if key is not None else (None, None)
    item, unread = _item(h, kind, stored, values, sent)
    f = Form(kind, key, values, version)
    if unread:  # nothing is written; an editor sees what could not be read, at its field
        h = _editor(request, s, assessment_id) or h
        f.errors.update(unread)
        f.problem = h.t("web_coherence_not_saved")
        return _show(h, f)
    try:
        _write(h, kind, values["id"] or "", item, version, values["rationale"])
    except InputError as exc:
        _input_problems(h, f, exc)
        return _show(h, f)
    except ApiError as exc:
        _api_problem(h, f, exc)
        return _show(h, f)
    return _done(h, kind, "saved")


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
        elif name in ALL.written:
            f.errors.setdefault(name, _in_written(h, f.values.get(name, ""), p.path[2:], p.message))
        else:
            f.errors.setdefault(name, p.message)
    if f.problem is None:
        f.problem = h.t("web_coherence_not_saved")


def _in_written(h: Here, text: str, inside: Path, message: str) -> str:
    """The checker's message about a place inside a YAML field, with that place's line."""
    if not inside:
        return message
    line = locate(text, [inside]).get(tuple(inside), (1, 1))[0] if text.strip() else 1
    where = ", ".join(
        h.t("web_strategy_entry", n=x + 1) if isinstance(x, int) else x for x in inside
    )
    return h.t("web_strategy_problem_at", line=line, where=where, message=message)


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
    return _done(h, kind, "removed")


def _done(h: Here, kind: Keyed, what: str) -> Response:
    return RedirectResponse(
        h.url(f"{_home(kind)}?done={what}"), status_code=303, headers=dict(NO_STORE)
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
_routes(DEVELOPMENTS)
_routes(CAPABILITIES)
