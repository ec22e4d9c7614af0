"""What every page of one assessment shares: who is asking and their role in it (the API's
:func:`~nsra.server.api.access.assessment_for`, so need-to-know and roles are the API's), the
tabs that role may open, the classification band, and the results as that member may see them
(the API's :class:`~nsra.server.api.views.View` and results cache)."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

import anyio.from_thread
from fastapi import Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from nsra import i18n
from nsra.engine.compute import Results
from nsra.io.contract import ResultsDoc
from nsra.io.validate import Loaded
from nsra.model.method import Method
from nsra.model.text import Lang, tr
from nsra.server.api.access import assessment_for
from nsra.server.api.auth import form_fields
from nsra.server.api.errors import ApiError
from nsra.server.api.views import ResultsCache, View
from nsra.server.db.access import SessionRow, UserRow
from nsra.server.db.methods import method_of
from nsra.server.db.models import AssessmentRow
from nsra.server.web.pages import language, page, signed_in

EDITORS = ("coordinator", "admin")
ESTIMATORS = ("coordinator", "admin", "analyst")

TABS: tuple[tuple[str, str, tuple[str, ...] | None], ...] = (
    # (tab id, path after /a/{id}, roles that see it; None: every member)
    ("overview", "", None),
    ("scenarios", "/scenarios", None),
    ("estimates", "/estimates", ESTIMATORS),
    ("rounds", "/rounds", EDITORS),
    ("analyses", "/analyses", None),
    ("coherence", "/coherence", None),
    ("strategy", "/strategy", None),
    ("versions", "/versions", None),
    ("history", "/history", EDITORS),
    ("members", "/members", EDITORS),
)


@dataclass
class Here:
    """One request for a page of one assessment, by a signed-in member."""

    request: Request
    s: Session
    session: SessionRow
    row: AssessmentRow
    role: str
    lang: Lang

    @property
    def user(self) -> UserRow:
        return self.session.user

    @property
    def id(self) -> int:
        return self.row.id

    @functools.cached_property
    def method(self) -> Method:
        return method_of(self.row.method)

    @property
    def edits(self) -> bool:
        """Coordinator or administrator: may change the assessment's shared content."""
        return self.role in EDITORS

    @property
    def estimates(self) -> bool:
        return self.role in ESTIMATORS

    def t(self, key: str, **values: object) -> str:
        return i18n.t(key, self.lang, **values)

    def title(self) -> str:
        return tr(self.row.title, self.lang)

    def url(self, tail: str = "") -> str:
        return f"/a/{self.row.id}{tail}"

    def results(self) -> tuple[Loaded, Results, ResultsDoc]:
        """The assessment as this member may see it, and its results (cached per revision)."""
        cache: ResultsCache = self.request.app.state.results_cache
        return cache.get(self.s, View(self.s, self.user, self.row, self.role))

    def view(self) -> View:
        return View(self.s, self.user, self.row, self.role)

    def tabs(self, current: str) -> list[dict[str, Any]]:
        return [
            {
                "id": tab,
                "href": self.url(tail),
                "label": self.t(f"web_tab_{tab}"),
                "current": tab == current,
            }
            for tab, tail, roles in TABS
            if roles is None or self.role in roles
        ]

    def page(
        self, template: str, tab: str, title: str, status: int = 200, **context: Any
    ) -> Response:
        context.setdefault("notice", None)
        context.setdefault("problem", None)
        return page(
            self.request,
            template,
            f"{title} · {self.title()}",
            self.session,
            status=status,
            classification=self.row.classification,
            here=self,
            tabs=self.tabs(tab),
            heading=title,
            assessment_title=self.title(),
            **context,
        )


def here(
    request: Request, s: Session, assessment_id: int, roles: tuple[str, ...] | None = None
) -> Here | None:
    """The signed-in member's view of the assessment; None when nobody is signed in (the page
    then sends them to sign in). Raises the API's 404 for a non-member and 403 for a role not
    in ``roles``, shown as error pages."""
    session = signed_in(s, request)
    if session is None:
        return None
    if roles is None:
        row, role = assessment_for(s, session.user, assessment_id)
    else:
        row, role = assessment_for(s, session.user, assessment_id, roles=roles)
    return Here(request, s, session, row, role, language(request))


def form(request: Request) -> dict[str, list[str]]:
    """The fields of a posted form (read in a synchronous endpoint's worker thread, as the
    CSRF check does; Starlette keeps the body for both)."""
    body: bytes = anyio.from_thread.run(request.body)
    return form_fields(body)


def one(fields: dict[str, list[str]], name: str, default: str = "") -> str:
    values = fields.get(name)
    return values[0] if values else default


def refuse(status: int, message: str, field: str | None = None) -> ApiError:
    return ApiError(status, message, field)
