"""Every error of the API is JSON ``{"error": message, "field": path-or-null}``.

Never HTML, never a traceback: FastAPI's own errors (unknown route, malformed body) and
unexpected exceptions are turned into the same shape here.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DataError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException

from nsra.io.jsondoc import Json
from nsra.io.problems import InputError, format_path
from nsra.server.db.workflow import WorkflowError

log = logging.getLogger("nsra.server")


class ApiError(Exception):
    """An error to send as it is: HTTP status, message for a person, field path or None, and
    ``extra`` members of the body (e.g. the current value of a conflicting write)."""

    def __init__(
        self,
        status: int,
        message: str,
        field: str | None = None,
        headers: dict[str, str] | None = None,
        extra: Json | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.field = field
        self.headers = headers
        self.extra = extra or {}


def error_body(message: str, field: str | None, **extra: Any) -> Json:
    return {"error": message, "field": field, **extra}


def _api_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ApiError)
    return JSONResponse(
        error_body(exc.message, exc.field, **exc.extra),
        status_code=exc.status,
        headers=exc.headers,
    )


def _workflow_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, WorkflowError)
    return JSONResponse(error_body(exc.message, exc.field), status_code=exc.status)


def _input_error(_request: Request, exc: Exception) -> JSONResponse:
    """The assessment's problems: the first error as message and field, all of them listed."""
    assert isinstance(exc, InputError)
    errors = [p for p in exc.problems if p.severity == "error"] or exc.problems
    first = errors[0]
    return JSONResponse(
        error_body(
            first.message,
            format_path(first.path) or None,
            problems=[p.as_dict() for p in exc.problems],
        ),
        status_code=422,
    )


def _validation_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    first = exc.errors()[0] if exc.errors() else {"msg": "invalid request", "loc": ()}
    loc = tuple(x for x in first.get("loc", ()) if isinstance(x, str | int))
    field = format_path(loc) or None
    return JSONResponse(error_body(str(first.get("msg", "invalid request")), field), 422)


def _http_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    message = "not found" if exc.status_code == 404 else str(exc.detail)
    return JSONResponse(error_body(message, None), exc.status_code, headers=exc.headers)


def _data_error(_request: Request, exc: Exception) -> JSONResponse:
    """A value the database refused (too long for its column, out of range): the request's
    fault, not the server's. The checks before the database should catch these first."""
    log.warning("value refused by the database: %s", exc)
    return JSONResponse(
        error_body("a value is too long or out of range for the database", None), 422
    )


BUSY = "the server is busy with other requests: try again in a few seconds"
RETRY_AFTER = "5"  # seconds, in the Retry-After header of a 503


def busy_response() -> JSONResponse:
    """503: the server is overloaded (no connection to the database came in time)."""
    return JSONResponse(error_body(BUSY, None), 503, headers={"Retry-After": RETRY_AFTER})


def _pool_timeout(_request: Request, exc: Exception) -> JSONResponse:
    """No database connection came free in time: overload, not a fault (admission control,
    :mod:`nsra.server.api.admission`, should make this impossible; this is the safety net)."""
    log.warning("no database connection in time: %s", exc)
    return busy_response()


def _unexpected(_request: Request, exc: Exception) -> JSONResponse:
    log.exception("internal error", exc_info=exc)
    return JSONResponse(error_body("internal error of the nsra server", None), 500)


def install(app: FastAPI) -> None:
    app.add_exception_handler(ApiError, _api_error)
    app.add_exception_handler(InputError, _input_error)
    app.add_exception_handler(WorkflowError, _workflow_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(DataError, _data_error)
    app.add_exception_handler(PoolTimeout, _pool_timeout)
    app.add_exception_handler(Exception, _unexpected)
