"""The REST API: methods, assessments, scenarios, computed results and membership.

``create_app(engine)`` builds the application on a database that is already up to date
(:func:`nsra.server.db.upgrade`). OpenAPI is at ``/api/openapi.json``, its pages at ``/api/docs``.
Authentication is by API token (``Authorization: Bearer TOKEN``, made with ``nsra users token``);
every response carrying assessment content has its ``classification`` label in the body and in
the ``X-Classification`` header. One session per request; every write is one transaction.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import Body, Depends, FastAPI, Query, Request, Response
from pydantic import BaseModel
from sqlalchemy import Engine, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from nsra.engine.compute import compute
from nsra.io.methods import shipped_method_ids
from nsra.io.problems import InputError, Problem
from nsra.io.results import results_document
from nsra.io.validate import parse_assessment
from nsra.server.api import errors
from nsra.server.api.access import assessment_for, bearer_user
from nsra.server.api.errors import ApiError
from nsra.server.api.estimates import EstimateWrite, read_estimate, write_estimate
from nsra.server.db import audit
from nsra.server.db.access import MemberRole, MembershipRow, UserRow, user_by_name
from nsra.server.db.exporting import assessment_data
from nsra.server.db.importing import record_import, store_assessment
from nsra.server.db.methods import method_of, method_text, register, register_shipped
from nsra.server.db.models import AssessmentRow, MethodRow

CLASSIFICATION_HEADER = "X-Classification"
Json = dict[str, Any]


class NewMember(BaseModel):
    """A user to add to an assessment (by name), with their role in it."""

    user: str
    role: MemberRole


def _classified(response: Response, *labels: str) -> None:
    """The ``X-Classification`` header: the labels, percent-encoded (UTF-8) when not ASCII,
    since HTTP header values are ASCII; the body always carries the label as written."""
    value = ", ".join(sorted(set(labels)))
    if not value.isascii():
        value = quote(value, safe=" /()-,.:;'")
    response.headers[CLASSIFICATION_HEADER] = value


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


def _session(request: Request) -> Iterator[Session]:
    """A session for the request's reads; a write opens its own session, one transaction."""
    with Session(request.app.state.engine, expire_on_commit=False) as s:
        yield s


SessionDep = Annotated[Session, Depends(_session)]


def _current_user(request: Request, s: SessionDep) -> UserRow:
    return bearer_user(s, request)


UserDep = Annotated[UserRow, Depends(_current_user)]


def create_app(engine: Engine) -> FastAPI:
    app = FastAPI(
        title="nsra",
        summary="Integrated national security risk assessment",
        docs_url="/api/docs",
        redoc_url=None,
        openapi_url="/api/openapi.json",
    )
    app.state.engine = engine
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
        _classified(response, *(a.classification for a, _ in pairs))
        return [_summary(a, role) for a, role in pairs]

    @app.post("/api/assessments", status_code=201)
    def create_assessment(
        s: SessionDep, user: UserDep, response: Response, data: Annotated[Json, Body()]
    ) -> Json:
        """Check an assessment file (as JSON) and store it; the creator becomes coordinator."""
        if user.role not in ("admin", "coordinator"):
            raise ApiError(403, "only a coordinator or an administrator may create assessments")
        text, source, shipped = _method_for_upload(data)
        loaded = parse_assessment(json.dumps(data), "upload.json")
        with Session(engine, expire_on_commit=False) as w, w.begin():  # one transaction
            register_shipped(w)
            method_row = register(w, text, source, shipped)
            row = store_assessment(w, loaded.assessment, method_row)
            w.add(MembershipRow(user_id=user.id, assessment_id=row.id, role="coordinator"))
            record_import(w, row, loaded.assessment, "upload", user=user.name)
        _classified(response, row.classification)
        return _summary(row, "coordinator")

    @app.get("/api/assessments/{assessment_id}")
    def get_assessment(
        assessment_id: int, s: SessionDep, user: UserDep, response: Response
    ) -> Json:
        """The assessment as its file's data, with the user's role in it."""
        row, role = assessment_for(s, user, assessment_id)
        _classified(response, row.classification)
        return {**_summary(row, role), "assessment": assessment_data(s, assessment_id)}

    @app.get("/api/assessments/{assessment_id}/scenarios")
    def get_scenarios(assessment_id: int, s: SessionDep, user: UserDep, response: Response) -> Json:
        """The scenarios of the assessment, as in its file."""
        row, _role = assessment_for(s, user, assessment_id)
        _classified(response, row.classification)
        data = assessment_data(s, assessment_id)
        return {"classification": row.classification, "scenarios": data.get("scenarios", [])}

    @app.get("/api/assessments/{assessment_id}/results")
    def get_results(assessment_id: int, s: SessionDep, user: UserDep, response: Response) -> Json:
        """Impact, likelihood, risk and ranking computed by the engine (as ``nsra compute
        --format json``)."""
        row, _role = assessment_for(s, user, assessment_id)
        source = f"assessment {assessment_id}"
        loaded = parse_assessment(
            json.dumps(assessment_data(s, assessment_id)), source, method=method_of(row.method)
        )
        doc = results_document(loaded, compute(loaded.inputs, loaded.method, None), "en")
        _classified(response, row.classification)
        return {"classification": row.classification, **doc}

    @app.post("/api/assessments/{assessment_id}/members", status_code=201)
    def add_member(
        assessment_id: int, member: NewMember, user: UserDep, response: Response
    ) -> Json:
        """Add a user to the assessment with a role, or change their role
        (coordinator of the assessment or administrator)."""
        with Session(engine, expire_on_commit=False) as w, w.begin():  # one transaction
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
            if existing is None:
                w.add(
                    MembershipRow(user_id=target.id, assessment_id=assessment_id, role=member.role)
                )
            else:
                existing.role = member.role
            classification = row.classification
        _classified(response, classification)
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
        assessment_id: int,
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
        _classified(response, result["classification"])
        return result

    @app.put(estimate_path)
    def put_estimate(
        assessment_id: int,
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
        try:
            with Session(engine, expire_on_commit=False) as w, w.begin():  # one transaction
                result = write_estimate(
                    w, user, assessment_id, scenario, analyst, slot, level, body
                )
        except (StaleDataError, IntegrityError):
            raise ApiError(
                409, "another change was written at the same time: read again and retry", "version"
            ) from None
        _classified(response, result["classification"])
        return result

    @app.get("/api/assessments/{assessment_id}/audit")
    def get_audit(
        assessment_id: int,
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
        _classified(response, row.classification)
        return {"classification": row.classification, "entries": [audit.as_dict(r) for r in rows]}

    return app
