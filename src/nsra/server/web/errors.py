"""Errors of the pages are pages: the API's error handlers answer JSON (``{"error", "field"}``)
for ``/api/...``; for any other path the same answer is shown as an HTML page in the reader's
language, with the status kept (403, 404, 409, ...). Nobody signed in (401) on a page goes to the
sign-in form and back. One set of rules: the message is the API's own."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse, Response

from nsra import i18n
from nsra.server.web.pages import NO_STORE, language, page

Handler = Callable[[Request, Any], Response | Awaitable[Response]]


def is_page(request: Request) -> bool:
    """Whether the request is for a page (not the API, the API's docs or a static file)."""
    path = request.url.path
    return not (path == "/api" or path.startswith(("/api/", "/static/")))


def error_page(request: Request, status: int, message: str) -> Response:
    lang = language(request)
    if status == 401:
        target = quote(request.url.path, safe="/")
        return RedirectResponse(f"/sign-in?next={target}", status_code=303, headers=NO_STORE)
    key = {403: "web_error_403", 404: "web_error_404", 409: "web_error_409"}.get(status)
    heading = i18n.t(key or ("web_error_500" if status >= 500 else "web_error_other"), lang)
    return page(
        request, "error.html.j2", heading, None, status=status, heading=heading, message=message
    )


def _wrapped(original: Handler) -> Handler:
    async def handle(request: Request, exc: Any) -> Response:
        answer = original(request, exc)
        response = await answer if isinstance(answer, Awaitable) else answer
        if not is_page(request):
            return response
        try:
            message = str(json.loads(bytes(response.body))["error"])
        except (ValueError, KeyError, TypeError):
            message = ""
        return error_page(request, response.status_code, message)

    return handle


def install(app: FastAPI) -> None:
    """Wrap every error handler of the app (installed by the API) so pages get pages."""
    for kind, handler in list(app.exception_handlers.items()):
        app.add_exception_handler(kind, _wrapped(handler))
