"""Security headers on every response.

* ``Content-Security-Policy``: everything from this server only (``'self'``), no inline
  scripts, no plug-ins, no framing, forms post only here. Swagger UI (``/api/docs``) sets
  inline styles, so that one page also allows inline *styles* (never inline scripts).
* ``X-Content-Type-Options: nosniff``, ``X-Frame-Options: DENY`` (older browsers),
  ``Referrer-Policy: same-origin`` (addresses of assessments are never told to another site;
  with ``no-referrer`` browsers send ``Origin: null`` on the forms, which the origin check
  then refuses).
"""

from __future__ import annotations

import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send

POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)
"""The Content-Security-Policy of every response."""

INLINE_STYLES = ("/api/docs",)
"""Paths whose page may use inline styles (never inline scripts)."""


def policy_for(path: str) -> str:
    """The Content-Security-Policy of a response to ``path``."""
    if path in INLINE_STYLES:
        return POLICY.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'")
    return POLICY


class SecurityHeaders:
    """ASGI middleware adding the security headers to every HTTP response, and how long the
    server took to start answering (``Server-Timing: app;dur=MS``)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = str(scope.get("path", ""))
        started = time.perf_counter()

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                names = {k.lower() for k, _ in headers}
                took = (time.perf_counter() - started) * 1000
                for name, value in (
                    # the server's time to the answer's first byte (benchmarks and operators)
                    (b"server-timing", f"app;dur={took:.1f}".encode()),
                    (b"content-security-policy", policy_for(path).encode()),
                    (b"x-content-type-options", b"nosniff"),
                    (b"x-frame-options", b"DENY"),
                    (b"referrer-policy", b"same-origin"),
                ):
                    if name not in names:
                        headers.append((name, value))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, with_headers)
