"""How a page is made: the Jinja2 templates (autoescaped), the language of the person asking,
who is signed in, and the answer with its headers.

* The language is the ``nsra_lang`` cookie (set by ``/language/{code}``), else the first
  language of the browser's ``Accept-Language`` that nsra speaks, else English; only the
  languages of nsra's words (:data:`nsra.i18n.LANGS`) are used.
* Who is signed in is the browser session of the API (:func:`nsra.server.api.auth.cookie_session`):
  the same cookie, origin and CSRF checks. A page never accepts an API token.
* Every page is ``Cache-Control: no-store``: pages show assessment content and who is signed in.
"""

from __future__ import annotations

import datetime as dt
import functools
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, PackageLoader, StrictUndefined
from sqlalchemy.orm import Session

from nsra import i18n
from nsra.analysis.editions import written
from nsra.model.text import DEFAULT_LANG, Lang, tr
from nsra.server.api.auth import COOKIE, cookie_session
from nsra.server.api.errors import ApiError
from nsra.server.db.access import SessionRow

LANG_COOKIE = "nsra_lang"
NO_STORE = {"Cache-Control": "no-store"}


@functools.lru_cache(maxsize=1)
def environment() -> Environment:
    return Environment(
        loader=PackageLoader("nsra.server.web", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def language(request: Request) -> Lang:
    """The language of the pages for this request (see the module docstring)."""
    chosen = request.cookies.get(LANG_COOKIE)
    if chosen in i18n.LANGS:
        return str(chosen)
    for part in request.headers.get("accept-language", "").split(","):
        code = part.split(";")[0].strip().lower()
        for candidate in (code, code.split("-")[0]):
            if candidate in i18n.LANGS:
                return candidate
    return DEFAULT_LANG


def signed_in(s: Session, request: Request) -> SessionRow | None:
    """The browser session of the request, or None when nobody is signed in (or it ended).
    Raises the API's 403 for a request from another site or an unsafe one without CSRF."""
    if COOKIE not in request.cookies:
        return None
    try:
        return cookie_session(s, request)
    except ApiError as exc:
        if exc.status == 401:
            return None
        raise


def page(
    request: Request,
    template: str,
    title: str,
    session: SessionRow | None,
    status: int = 200,
    **context: Any,
) -> HTMLResponse:
    """A page from ``template`` in the request's language, with who is signed in."""
    lang = language(request)
    user = session.user if session is not None else None
    html = (
        environment()
        .get_template(template)
        .render(
            lang=lang,
            langs=[(code, i18n.t("web_language_name", code)) for code in i18n.LANGS],
            L=i18n.labels(lang),
            t=lambda key, **values: i18n.t(key, lang, **values),
            title=title,
            path=request.url.path,
            user=user,
            csrf=session.csrf if session is not None else "",
            classification=context.pop("classification", None),
            **context,
        )
    )
    return HTMLResponse(html, status_code=status, headers=NO_STORE)


def when(moment: dt.datetime | str, lang: str) -> str:
    """A moment (or its ISO text) in the reader's language and the server's local time:
    "4 December 2026 16:20"."""
    if isinstance(moment, str):
        moment = dt.datetime.fromisoformat(moment)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    local = moment.astimezone()
    return f"{i18n.long_date(local.date(), lang)} {local:%H:%M}"


def estimate_text(spec: Any) -> str:
    """An estimate as the file writes it, without its rationale: ``C``, ``C..D``, ``3``,
    ``12.5``; a dash for none."""
    text = written(spec)
    return "—" if text is None else text


def estimate_rationale(spec: Any, lang: str = DEFAULT_LANG) -> str:
    """The rationale written inside an estimate's mapping form, in the page's language (a text
    per language falls back as in the report); empty when none."""
    return tr(spec.get("rationale"), lang) if isinstance(spec, dict) else ""


def edited_text(old: Any, new: str, lang: str) -> Any:
    """A text of the file after a page in ``lang`` edited it: a text per language keeps its
    other languages and takes ``new`` in ``lang``; a plain text (which has no language) is
    replaced by ``new``. An emptied field removes the text (None): its other languages were
    translations of what was removed."""
    new = new.strip()
    if not new:
        return None
    if isinstance(old, dict):
        return {**{k: v for k, v in old.items() if k != lang}, lang: new}
    return new
