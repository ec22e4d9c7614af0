"""Published versions of an assessment: publish, read, reproduce, compare.

The rules are those of :mod:`nsra.server.db.versions`. Decisions (read before changing):

* Only the coordinators of the assessment and administrators publish. A version is what the
  coordinator sees: the whole assessment, every analyst's estimates included.
* Every member reads the versions (list, version, reproduce, report, export, compare), also
  analysts during an open Delphi round. A version shows every estimate to every member, so it
  cannot be published while a round is open (409): the analysts' estimates stay independent
  until the round is closed, whatever the coordinator does.
  Comparing a version with ``live`` uses the live assessment as the caller may see it (as
  ``GET /results``): for an analyst during an open round without the hidden estimates, which
  the answer names (``hidden``).
* Non-members get 404, as everywhere (:func:`nsra.server.api.access.assessment_for`).
* Versions are never changed: there is no endpoint that changes or removes one.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from nsra.io.jsondoc import Json
from nsra.model.text import DEFAULT_LANG
from nsra.server.api import limits
from nsra.server.api.access import assessment_for
from nsra.server.api.deps import (
    DB_INT_MAX,
    AssessmentId,
    CacheDep,
    Number,
    UserDep,
    classified,
    write_answer,
)
from nsra.server.api.downloads import (
    REPORT_CONTENT,
    Format,
    ReportFormatQuery,
    ReportLang,
    analysis_options,
    file_response,
    report_response,
)
from nsra.server.api.errors import ApiError
from nsra.server.api.jobs import JOB_ANSWER, heavy
from nsra.server.api.transaction import SessionDep
from nsra.server.api.views import View
from nsra.server.db import versions as vs
from nsra.server.db import workflow as wf
from nsra.server.db.access import UserRow
from nsra.server.db.models import AssessmentRow

router = APIRouter()
BASE = "/api/assessments/{assessment_id}/versions"


class NewVersion(BaseModel):
    """What to call the version, why it is published, and the seed of its Monte Carlo
    analyses."""

    label: str | None = Field(None, max_length=limits.LABEL)
    note: str | None = Field(None, max_length=limits.TEXT)
    seed: int = Field(vs.DEFAULT_SEED, ge=0, le=2**31 - 1)


def _version(s: Session, row: AssessmentRow, number: Number) -> vs.PublishedVersionRow:
    found = vs.version_by_number(s, row.id, number)
    if found is None:
        raise ApiError(404, f"assessment {row.id} has no published version {number}")
    return found


def publish_change(
    w: Session,
    user: UserRow,
    assessment_id: int,
    label: str | None,
    note: str | None,
    seed: int,
) -> Json:
    """Freeze the assessment (coordinator or administrator); refused while a round is open.
    The caller commits."""
    row, _role = assessment_for(w, user, assessment_id, roles=("coordinator",))
    current = wf.open_round_of(w, row.id)
    if current is not None:
        raise ApiError(
            409,
            f"round {current.number} is open: close it first (a version shows every "
            "estimate to every member, and the analysts' estimates are independent until "
            "the round is closed)",
            "round",
        )
    version = vs.publish(w, row, user.name, label, note, seed)
    return {
        "classification": version.classification,
        **vs.summary(version),
        "seed": version.seed,
    }


@router.post(BASE, status_code=201, summary="Publish a frozen version")
def publish(
    assessment_id: AssessmentId,
    body: NewVersion,
    user: UserDep,
    request: Request,
    response: Response,
) -> Json:
    """Freeze the assessment as it is now (coordinator of the assessment or administrator):
    its data, the method's id, version and content, the seed and the results computed now."""
    return write_answer(
        request,
        response,
        lambda w: publish_change(w, user, assessment_id, body.label, body.note, body.seed),
    )


@router.get(BASE, summary="The published versions")
def list_versions(
    assessment_id: AssessmentId, s: SessionDep, user: UserDep, response: Response
) -> Json:
    row, _role = assessment_for(s, user, assessment_id)
    found = vs.versions(s, row.id)
    classified(response, row.classification, *(v.classification for v in found))
    return {
        "classification": row.classification,
        "versions": [{**vs.summary(v), "classification": v.classification} for v in found],
    }


@router.get(BASE + "/compare", summary="Compare two versions, or a version and the live state")
def compare_versions(
    assessment_id: AssessmentId,
    s: SessionDep,
    user: UserDep,
    cache: CacheDep,
    response: Response,
    first: Annotated[int, Query(alias="from", ge=1, le=DB_INT_MAX)],
    second: Annotated[str, Query(alias="to", pattern=r"^([1-9][0-9]{0,8}|live)$")],
) -> Json:
    """What changed from version ``from`` to version ``to`` (or ``live``, the assessment as it
    is now): scenarios, estimates, consensus, cascades, strategies, measures, the method, and
    which ranks moved (the largest move first); ``editions``: what that did to the risk picture,
    as ``nsra compare`` says it (classes and ranks before and after with the estimates that
    caused them, measures completed; :func:`nsra.server.db.versions.editions`)."""
    row, role = assessment_for(s, user, assessment_id)
    old = _version(s, row, first)
    extra: Json = {}
    labels = [old.classification]
    if second == "live":
        view = View(s, user, row, role)
        new_loaded, computed, new_results = cache.get(s, view)
        new_data = view.data(s)
        labels.append(row.classification)
        extra = view.note()
        editions = vs.editions(vs.version_loaded(old), new_loaded, computed)
    else:
        new = _version(s, row, int(second))
        new_data, new_results = new.data, new.results
        labels.append(new.classification)
        editions = vs.editions(vs.version_loaded(old), vs.version_loaded(new))
    result = vs.compare(old.data, old.results, new_data, new_results)
    label = ", ".join(dict.fromkeys(labels))
    classified(response, *labels)
    return {
        "classification": label,
        "from": first,
        "to": second if second == "live" else int(second),
        **result,
        "editions": editions,
        **extra,
    }


@router.get(BASE + "/{number}", summary="A published version: data, results, metadata")
def get_version(
    assessment_id: AssessmentId, number: Number, s: SessionDep, user: UserDep, response: Response
) -> Json:
    row, _role = assessment_for(s, user, assessment_id)
    version = _version(s, row, number)
    classified(response, version.classification)
    return vs.detail(version)


@router.get(BASE + "/{number}/reproduce", summary="Recompute a version's results and compare")
def reproduce(
    assessment_id: AssessmentId, number: Number, s: SessionDep, user: UserDep, response: Response
) -> Json:
    """Recompute the results from the stored data and the stored method content (not the live
    method registry) and compare them exactly with the stored results."""
    row, _role = assessment_for(s, user, assessment_id)
    version = _version(s, row, number)
    classified(response, version.classification)
    return {"classification": version.classification, "number": number, **vs.reproduce(version)}


@router.get(
    BASE + "/{number}/report",
    response_class=HTMLResponse,
    responses={200: {"content": REPORT_CONTENT}, 202: JOB_ANSWER},
    summary="The HTML report of a version",
)
def version_report(
    assessment_id: AssessmentId,
    request: Request,
    number: Number,
    s: SessionDep,
    user: UserDep,
    lang: ReportLang = DEFAULT_LANG,
    analysis: Annotated[bool, Query(description="Include the Monte Carlo analyses.")] = False,
    samples: Annotated[int, Query(ge=100, le=20_000)] = 2_000,
    format: ReportFormatQuery = "html",
) -> Response:
    """The self-contained HTML report of the frozen version; the Monte Carlo analyses use the
    version's stored seed. With the analyses, or as PDF or Word, it is made as a job: 202 and
    the job to poll."""
    row, _role = assessment_for(s, user, assessment_id)
    version = _version(s, row, number)
    loaded = vs.version_loaded(version)
    results, _doc = vs.results_of(loaded)
    return report_response(
        loaded,
        results,
        lang,
        analysis_options(analysis, samples, version.seed),
        f"nsra-assessment-{assessment_id}-v{number}-{lang}.html",
        version.classification,
        fmt=format,
        heavy=heavy(request, user, assessment_id),
    )


@router.get(
    BASE + "/{number}/export",
    responses={200: {"content": {"application/yaml": {}, "application/json": {}}}},
    summary="A version as an assessment file",
)
def export_version(
    assessment_id: AssessmentId,
    number: Number,
    s: SessionDep,
    user: UserDep,
    format: Annotated[Format, Query()] = "yaml",
) -> Response:
    """The frozen assessment file (its classification is in it, and in the header)."""
    row, _role = assessment_for(s, user, assessment_id)
    version = _version(s, row, number)
    return file_response(
        version.data, f"nsra-assessment-{assessment_id}-v{number}", format, version.classification
    )
