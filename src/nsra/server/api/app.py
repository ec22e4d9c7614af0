"""The REST API: methods, assessments, scenarios, computed results and membership.

``create_app(engine)`` builds the application on a database that is already up to date
(:func:`nsra.server.db.upgrade`). OpenAPI is at ``/api/openapi.json``, its pages at ``/api/docs``.
Authentication is by API token (``Authorization: Bearer TOKEN``, made with ``nsra users token``);
every response carrying assessment content has its ``classification`` label in the body and in
the ``X-Classification`` header. One session per request; every write is one transaction.
"""

from __future__ import annotations

import json
from typing import Annotated, Any, Literal

from fastapi import Body, FastAPI, Query, Response
from fastapi.openapi.utils import get_openapi
from fastapi.responses import HTMLResponse
from pydantic import BaseModel
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from nsra.io.methods import shipped_method_ids
from nsra.io.problems import InputError, Problem
from nsra.io.validate import parse_assessment
from nsra.server.api import auth, content, errors, versions, workflow
from nsra.server.api.access import assessment_for
from nsra.server.api.deps import (
    CLASSIFICATION_HEADER,
    AssessmentId,
    SessionDep,
    UserDep,
    classified,
    write,
)
from nsra.server.api.downloads import analysis_options, file_response, report_response
from nsra.server.api.errors import ApiError
from nsra.server.api.estimates import EstimateWrite, read_estimate, write_estimate
from nsra.server.api.nul import RefuseNul
from nsra.server.api.views import ResultsCache, View
from nsra.server.db import audit
from nsra.server.db.access import MemberRole, MembershipRow, user_by_name
from nsra.server.db.importing import record_import, store_assessment
from nsra.server.db.methods import method_text, register, register_shipped
from nsra.server.db.models import AssessmentRow, MethodRow
from nsra.version import __version__

Json = dict[str, Any]
__all__ = ["CLASSIFICATION_HEADER", "create_app"]


class NewMember(BaseModel):
    """A user to add to an assessment (by name), with their role in it."""

    user: str
    role: MemberRole


def _summary(row: AssessmentRow, role: str) -> Json:
    return {
        "id": row.id,
        "title": row.title,
        "date": row.date.isoformat(),
        "method": row.method_ref,
        "classification": row.classification,
        "role": role,
    }


def _method_for_upload(data: Json) -> tuple[str, str, bool]:
    """The method an uploaded assessment names: only a shipped method, by id.

    A path would make the server read its own files on a user's behalf.
    """
    ref = data.get("method")
    if isinstance(ref, str) and ref in shipped_method_ids():
        return method_text(ref)
    allowed = ", ".join(shipped_method_ids())
    raise InputError(
        [
            Problem(
                f"the server accepts the shipped methods by id: {allowed}; found {ref!r}",
                ("method",),
            )
        ]
    )


def create_app(engine: Engine) -> FastAPI:
    app = FastAPI(
        title="nsra",
        summary="Integrated national security risk assessment",
        docs_url="/api/docs",
        redoc_url=None,
        openapi_url="/api/openapi.json",
    )
    app.state.engine = engine
    app.add_middleware(RefuseNul)
    cache = ResultsCache()
    app.state.results_cache = cache
    errors.install(app)

    @app.get("/api/methods")
    def list_methods(s: SessionDep, _user: UserDep) -> list[Json]:
        """The registered methods (id, version, title, shipped)."""
        rows = s.scalars(select(MethodRow).order_by(MethodRow.method_id, MethodRow.method_version))
        return [
            {
                "id": r.method_id,
                "version": r.method_version,
                "title": r.content.get("title"),
                "shipped": r.shipped,
            }
            for r in rows
        ]

    @app.get("/api/assessments")
    def list_assessments(s: SessionDep, user: UserDep, response: Response) -> list[Json]:
        """The assessments the user is a member of (an administrator sees all)."""
        if user.role == "admin":
            pairs = [
                (a, "admin") for a in s.scalars(select(AssessmentRow).order_by(AssessmentRow.id))
            ]
        else:
            members = s.scalars(
                select(MembershipRow)
                .where(MembershipRow.user_id == user.id)
                .order_by(MembershipRow.assessment_id)
            )
            pairs = [(m.assessment, m.role) for m in members]
        classified(response, *(a.classification for a, _ in pairs))
        return [_summary(a, role) for a, role in pairs]

    @app.post("/api/assessments", status_code=201)
    def create_assessment(user: UserDep, response: Response, data: Annotated[Json, Body()]) -> Json:
        """Check an assessment file (as JSON) and store it; the creator becomes coordinator."""
        if user.role not in ("admin", "coordinator"):
            raise ApiError(403, "only a coordinator or an administrator may create assessments")
        text, source, shipped = _method_for_upload(data)
        loaded = parse_assessment(json.dumps(data), "upload.json")

        def store(w: Session) -> AssessmentRow:
            register_shipped(w)
            method_row = register(w, text, source, shipped)
            row = store_assessment(w, loaded.assessment, method_row)
            w.add(MembershipRow(user_id=user.id, assessment_id=row.id, role="coordinator"))
            record_import(w, row, loaded.assessment, "upload", user=user.name)
            return row

        row = write(engine, store)
        classified(response, row.classification)
        return _summary(row, "coordinator")

    @app.get("/api/assessments/{assessment_id}")
    def get_assessment(
        assessment_id: AssessmentId, s: SessionDep, user: UserDep, response: Response
    ) -> Json:
        """The assessment as its file's data, with the user's role in it."""
        row, role = assessment_for(s, user, assessment_id)
        view = View(s, user, row, role)
        classified(response, row.classification)
        return {**_summary(row, role), "assessment": view.data(s), **view.note()}

    @app.get("/api/assessments/{assessment_id}/scenarios")
    def get_scenarios(
        assessment_id: AssessmentId, s: SessionDep, user: UserDep, response: Response
    ) -> Json:
        """The scenarios of the assessment, as in its file."""
        row, role = assessment_for(s, user, assessment_id)
        view = View(s, user, row, role)
        classified(response, row.classification)
        data = view.data(s)
        return {
            "classification": row.classification,
            "scenarios": data.get("scenarios", []),
            **view.note(),
        }

    @app.get(
        "/api/assessments/{assessment_id}/results",
        response_class=Response,
        responses={200: {"content": {"application/json": {}}}},
    )
    def get_results(assessment_id: AssessmentId, s: SessionDep, user: UserDep) -> Response:
        """Impact, likelihood, risk and ranking computed by the engine (as ``nsra compute
        --format json``); cached until the assessment changes."""
        row, role = assessment_for(s, user, assessment_id)
        view = View(s, user, row, role)
        response = Response(cache.body(s, view), media_type="application/json")
        classified(response, row.classification)
        return response

    @app.get(
        "/api/assessments/{assessment_id}/report",
        response_class=HTMLResponse,
        responses={200: {"content": {"text/html": {}}}},
    )
    def get_report(
        assessment_id: AssessmentId,
        s: SessionDep,
        user: UserDep,
        lang: Annotated[Literal["en", "nl"], Query()] = "en",
        analysis: Annotated[bool, Query(description="Include the Monte Carlo analyses.")] = False,
        samples: Annotated[int, Query(ge=100, le=20_000)] = 2_000,
        seed: Annotated[int, Query(ge=0, le=2**31 - 1)] = 1,
    ) -> HTMLResponse:
        """The self-contained HTML report (as ``nsra report``), to save and open offline; its
        classification is in its banners and in the ``X-Classification`` header."""
        row, role = assessment_for(s, user, assessment_id)
        view = View(s, user, row, role)
        loaded, results, _doc = cache.get(s, view)
        return report_response(
            loaded,
            results,
            lang,
            analysis_options(analysis, samples, seed),
            f"nsra-assessment-{assessment_id}-{lang}.html",
            row.classification,
        )

    @app.get(
        "/api/assessments/{assessment_id}/export",
        responses={200: {"content": {"application/yaml": {}, "application/json": {}}}},
    )
    def export_assessment(
        assessment_id: AssessmentId,
        s: SessionDep,
        user: UserDep,
        format: Annotated[Literal["yaml", "json"], Query()] = "yaml",
    ) -> Response:
        """The assessment as a file (as ``nsra db export``), its classification in the file
        and in the ``X-Classification`` header."""
        row, role = assessment_for(s, user, assessment_id)
        view = View(s, user, row, role)
        return file_response(
            view.data(s), f"nsra-assessment-{assessment_id}", format, row.classification
        )

    @app.post("/api/assessments/{assessment_id}/members", status_code=201)
    def add_member(
        assessment_id: AssessmentId, member: NewMember, user: UserDep, response: Response
    ) -> Json:
        """Add a user to the assessment with a role, or change their role
        (coordinator of the assessment or administrator)."""

        def change(w: Session) -> str:
            row, _role = assessment_for(w, user, assessment_id, roles=("coordinator",))
            target = user_by_name(w, member.user)
            if target is None or not target.active:
                raise ApiError(422, f"there is no active user named {member.user!r}", "user")
            existing = w.scalars(
                select(MembershipRow).where(
                    MembershipRow.user_id == target.id,
                    MembershipRow.assessment_id == assessment_id,
                )
            ).one_or_none()
            old = None if existing is None else {"user": member.user, "role": existing.role}
            if existing is None:
                w.add(
                    MembershipRow(user_id=target.id, assessment_id=assessment_id, role=member.role)
                )
            else:
                existing.role = member.role
            audit.record(
                w,
                assessment_id=assessment_id,
                action="member.set",
                entity_table="memberships",
                entity_key=member.user,
                old=old,
                new={"user": member.user, "role": member.role},
                user=user.name,
            )
            return row.classification

        classification = write(engine, change)
        classified(response, classification)
        return {
            "assessment": assessment_id,
            "user": member.user,
            "role": member.role,
            "classification": classification,
        }

    estimate_path = (
        "/api/assessments/{assessment_id}/scenarios/{scenario}/estimates/{analyst}/{slot}"
    )

    @app.get(estimate_path)
    def get_estimate(
        assessment_id: AssessmentId,
        scenario: str,
        analyst: str,
        slot: str,
        s: SessionDep,
        user: UserDep,
        response: Response,
        level: Annotated[str | None, Query()] = None,
    ) -> Json:
        """One stored estimate as written in the file, with the version to send back when
        changing it (both null when there is none)."""
        result = read_estimate(s, user, assessment_id, scenario, analyst, slot, level)
        classified(response, result["classification"])
        return result

    @app.put(estimate_path)
    def put_estimate(
        assessment_id: AssessmentId,
        scenario: str,
        analyst: str,
        slot: str,
        body: EstimateWrite,
        user: UserDep,
        response: Response,
        level: Annotated[str | None, Query()] = None,
    ) -> Json:
        """Write one estimate (``slot``: a criterion id or ``likelihood``; ``level`` for methods
        with intensity levels) if ``version`` is the stored one (``null`` to create), else 409
        with the current value; the change is recorded in the audit trail."""
        result = write(
            engine,
            lambda w: write_estimate(w, user, assessment_id, scenario, analyst, slot, level, body),
        )
        classified(response, result["classification"])
        return result

    @app.get("/api/assessments/{assessment_id}/audit")
    def get_audit(
        assessment_id: AssessmentId,
        s: SessionDep,
        user: UserDep,
        response: Response,
        scenario: Annotated[str | None, Query()] = None,
        user_name: Annotated[str | None, Query(alias="user")] = None,
    ) -> Json:
        """The assessment's audit entries, optionally of one scenario and/or one user
        (coordinator of the assessment or administrator)."""
        row, _role = assessment_for(s, user, assessment_id, roles=("coordinator",))
        rows = audit.entries(s, assessment_id, scenario=scenario, user=user_name)
        classified(response, row.classification)
        return {"classification": row.classification, "entries": [audit.as_dict(r) for r in rows]}

    for module in (auth, content, workflow, versions):
        app.include_router(module.router)
    _document(app)
    return app


ERROR_SCHEMA: Json = {
    "type": "object",
    "required": ["error", "field"],
    "properties": {
        "error": {"type": "string", "description": "What is wrong, in plain words."},
        "field": {"type": ["string", "null"], "description": "The offending field, if any."},
    },
}
ERRORS = {
    "401": "Not signed in: no valid token or session.",
    "403": "Signed in, but your role does not allow this (or the CSRF token is missing).",
    "404": "No such item, or an assessment you are not a member of.",
    "409": "Conflict: changed since you read it (the current value is in the answer).",
    "422": "The request or the item is not valid; see error and field.",
}


def _document(app: FastAPI) -> None:
    """The OpenAPI document with what the API really answers: the sign-in schemes (bearer
    token, session cookie) and the JSON errors every operation may give."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        schema = get_openapi(
            title=app.title, version=__version__, summary=app.summary, routes=app.routes
        )
        components = schema.setdefault("components", {})
        components.setdefault("schemas", {})["Error"] = ERROR_SCHEMA
        components["securitySchemes"] = {
            "token": {"type": "http", "scheme": "bearer", "description": "nsra users token"},
            "session": {"type": "apiKey", "in": "cookie", "name": "nsra_session"},
        }
        for path, operations in schema.get("paths", {}).items():
            for operation in operations.values():
                if path != "/api/session":
                    operation["security"] = [{"token": []}, {"session": []}]
                for code, text in ERRORS.items():
                    operation.setdefault("responses", {})[code] = {
                        "description": text,
                        "content": {
                            "application/json": {"schema": {"$ref": "#/components/schemas/Error"}}
                        },
                    }
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]
