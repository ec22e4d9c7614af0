"""How large a request may be: refused (413) before its body is read and before any work.

Decisions (read before changing):

* Every request has a maximum body size; it is known from the method and the path alone, before
  routing, authentication or reading: the *upload* size for the routes that take a whole file
  (an assessment to import, a workbook), the smaller *write* size for everything else (a JSON
  write, a form post, and any body sent to a read). A request that says more in its
  ``Content-Length`` is answered 413 at once, nothing read; a request sent in chunks (no
  length) is counted as it arrives and answered 413 as soon as it passes the limit, so no more
  than the limit is ever held in memory. The answer is the API's JSON error shape.
* A route is an upload when its ``openapi_extra`` carries :data:`UPLOAD` (``{"x-nsra-body":
  "upload"}``), or when its path matches :data:`UPLOAD_PATHS` (the assessments collection, and
  any path with an ``import`` or ``upload`` segment), so a new import route is an upload
  without touching this module. Everything else, including routes added later, has the write
  size by default.
* The sizes come from the environment (:data:`WRITE_ENV`, :data:`UPLOAD_ENV`, in bytes), which
  ``nsra serve --max-body`` and ``--max-upload`` set for every worker process.
* Text fields have lengths matching their columns (:data:`NAME`, :data:`KEY`, :data:`LABEL`)
  and :data:`TEXT` for free text (rationales, notes: the column is unbounded, the limit is a
  few pages), checked by the API's models (422 with the field) before any database work.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Final

from fastapi import FastAPI
from fastapi.routing import APIRoute, _IncludedRouter
from starlette.responses import JSONResponse
from starlette.routing import BaseRoute, compile_path
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from nsra.server.api.errors import error_body
from nsra.server.db.models import KEY as KEY_COLUMN
from nsra.server.settings import UPLOAD_ENV, UPLOAD_SIZE, WRITE_ENV, WRITE_SIZE, positive

UPLOAD: Final[dict[str, Any]] = {"x-nsra-body": "upload"}
"""``openapi_extra`` of a route that takes a whole file (the upload size applies)."""
UPLOAD_PATHS: Final = re.compile(r"^/api/assessments$|/(import|upload)s?(/|$)")
"""Paths that are uploads whatever their marker."""

# the lengths of text fields, as their columns
NAME: Final = 120  # user names, organisation names (String(120))
KEY: Final = KEY_COLUMN  # ids of the file (String(64))
LABEL: Final = 200  # version labels (String(200))
TEXT: Final = 20_000  # rationales and notes (Text): a few pages

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


@dataclass(frozen=True)
class BodySizes:
    """The largest body of a write and of an upload, in bytes."""

    write: int = WRITE_SIZE
    upload: int = UPLOAD_SIZE

    @classmethod
    def from_environment(cls) -> BodySizes:
        return cls(positive(WRITE_ENV, WRITE_SIZE), positive(UPLOAD_ENV, UPLOAD_SIZE))


def routes(app: FastAPI) -> Iterator[tuple[str, frozenset[str], BaseRoute]]:
    """Every endpoint of ``app``: its full path, methods and route (included routers flattened)."""
    for route in app.router.routes:
        if isinstance(route, _IncludedRouter):
            for context in route.effective_route_contexts():
                original = context.original_route
                methods = getattr(original, "methods", None) or set()
                yield context.path, frozenset(methods), original
        else:
            yield (
                str(getattr(route, "path", "")),
                frozenset(getattr(route, "methods", None) or ()),
                route,
            )


def is_upload(path: str, route: BaseRoute) -> bool:
    """Whether a route takes a whole file (marked :data:`UPLOAD`, or its path is one)."""
    extra = route.openapi_extra if isinstance(route, APIRoute) else None
    marked = extra is not None and all(extra.get(k) == v for k, v in UPLOAD.items())
    return marked or UPLOAD_PATHS.search(path) is not None


class BodyTooLarge(Exception):
    """Raised by the counting ``receive`` when a chunked body passes its limit."""


class BodyLimit:
    """ASGI middleware: 413 for a body over its route's limit, before it is read."""

    def __init__(self, app: ASGIApp, api: FastAPI, sizes: BodySizes | None = None) -> None:
        self.app = app
        self.api = api
        self.sizes = sizes or BodySizes.from_environment()
        self._uploads: list[tuple[re.Pattern[str], frozenset[str]]] | None = None

    def uploads(self) -> list[tuple[re.Pattern[str], frozenset[str]]]:
        """The upload routes' path patterns and methods (made at the first request, when
        every router is included)."""
        if self._uploads is None:
            self._uploads = [
                (compile_path(path)[0], methods)
                for path, methods, route in routes(self.api)
                if methods & WRITE_METHODS and is_upload(path, route)
            ]
        return self._uploads

    def limit(self, method: str, path: str) -> int:
        """The largest body of a request (by its method and path alone)."""
        for pattern, methods in self.uploads():
            if method in methods and pattern.match(path):
                return self.sizes.upload
        return self.sizes.write

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit(scope["method"], scope["path"])
        length = _content_length(scope)
        if length is None:
            await _refuse(scope, send, 400, "the Content-Length header is not a number")
            return
        if length > limit:
            await _refuse(scope, send, 413, _too_large(limit))
            return
        seen = 0
        started = False

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise BodyTooLarge
            return message

        async def watched(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted, watched)
        except BodyTooLarge:
            if started:
                raise
            await _refuse(scope, send, 413, _too_large(limit))


def _content_length(scope: Scope) -> int | None:
    """The declared length (0 when none is given), or None when it is not a number."""
    for name, value in scope.get("headers", []):
        if name == b"content-length":
            text = value.decode("latin-1").strip()
            return int(text) if text.isdigit() and len(text) < 19 else None
    return 0


def _too_large(limit: int) -> str:
    return f"the request is too large: at most {limit:,} bytes are accepted here"


async def _refuse(scope: Scope, send: Send, status: int, message: str) -> None:
    response = JSONResponse(error_body(message, None), status_code=status)
    response.headers["Connection"] = "close"

    async def nothing() -> Message:
        return {"type": "http.disconnect"}

    await response(scope, nothing, send)
