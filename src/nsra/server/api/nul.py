"""Requests with a NUL character or a lone surrogate are refused (422) before they reach an
endpoint.

PostgreSQL cannot store or even compare text containing NUL (``\\x00``): a scenario id
``a%00b`` in a path, or ``"\\u0000"`` in a rationale, made the query fail there (a 500, found by
the fuzz run) while SQLite accepted it. No id, name or text of an assessment needs NUL, so the
server refuses it everywhere, the same on both engines: in the path, the query string and the
body (raw, or as the JSON escape ``\\u0000``).

A lone surrogate (the JSON escape ``\\ud800`` without its low half, or a low half alone) is no
character at all: it cannot be encoded to store, hash or send, and made the sign-in, a rationale
(in the audit hash), a round note and a title end in a 500 whose cause was masked by the failed
rollback. It is refused the same way, with its own message.
"""

from __future__ import annotations

import re
from typing import Any

from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from nsra.server.api.errors import error_body

BINARY_UPLOADS = re.compile(
    r"/api/assessments/import\.xlsx|/assessments/new"
    r"|/api/assessments/[0-9]+/import\.xlsx|/a/[0-9]+/excel"
)
"""Where a file is uploaded as bytes (an Excel workbook): its body may hold NUL bytes. What is
read from it cannot: XML (the workbook's cells) and YAML refuse NUL characters, and the name
of an uploaded file is cleaned of them."""
MESSAGE = "the request contains a NUL character (\\u0000): ids, names and text may not contain it"
SURROGATE = (
    "the request contains half of a character (a lone surrogate such as \\ud800): text must be "
    "valid Unicode"
)
_LONE = re.compile(
    rb"\\u[dD][89abAB][0-9a-fA-F]{2}(?!\\u[dD][c-fC-F][0-9a-fA-F]{2})"
    rb"|(?<!\\u[dD][89abAB][0-9a-fA-F]{2})\\u[dD][c-fC-F][0-9a-fA-F]{2}"
)


def has_lone_surrogate(data: bytes) -> bool:
    """Whether a JSON text escapes half of a surrogate pair without the other half (an escaped
    backslash followed by ``ud800`` is text, not an escape)."""
    return b"\\u" in data and _LONE.search(data.replace(b"\\\\", b"__")) is not None


def _has_nul(data: bytes) -> bool:
    lowered = data.lower()
    return b"\x00" in data or b"%00" in lowered or b"\\u0000" in lowered


class RefuseNul:
    """ASGI middleware: 422 for a request with NUL in its path, query string or body."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        head = scope.get("raw_path") or scope["path"].encode("utf-8", "surrogateescape")
        if _has_nul(head) or "\x00" in scope["path"] or _has_nul(scope.get("query_string", b"")):
            await self._refuse(scope, receive, send)
            return
        messages: list[Message] = []
        while True:
            message = await receive()
            messages.append(message)
            if message["type"] != "http.request" or not message.get("more_body", False):
                break
        body = b"".join(m.get("body", b"") for m in messages if m["type"] == "http.request")
        form = any(
            k == b"content-type" and v.lower().startswith(b"application/x-www-form-urlencoded")
            for k, v in scope.get("headers", [])
        )
        # a workbook is a zip: NUL bytes are its own
        binary = BINARY_UPLOADS.fullmatch(scope["path"]) is not None
        if not binary and (
            b"\x00" in body or b"\\u0000" in body.lower() or (form and b"%00" in body)
        ):
            await self._refuse(scope, receive, send)
            return
        if not form and not binary and has_lone_surrogate(body):
            await self._refuse(scope, receive, send, SURROGATE)
            return

        async def replay() -> Message:
            if messages:
                return messages.pop(0)
            return await receive()

        await self.app(scope, replay, send)

    @staticmethod
    async def _refuse(scope: Scope, receive: Receive, send: Send, message: str = MESSAGE) -> None:
        response: Any = JSONResponse(error_body(message, None), status_code=422)
        await response(scope, receive, send)
