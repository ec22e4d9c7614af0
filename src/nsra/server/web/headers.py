"""Security headers on every response.

* ``Content-Security-Policy``: everything from this server only (``'self'``), no inline
  scripts, no plug-ins, no framing, forms post only here. Swagger UI (``/api/docs``) sets
  inline styles, so that one page also allows inline *styles* (never inline scripts).
* ``X-Content-Type-Options: nosniff``, ``X-Frame-Options: DENY`` (older browsers),
  ``Referrer-Policy: no-referrer`` (the address of an answer is never told to anyone), but
  for the HTML pages, which have ``same-origin``: under ``no-referrer`` a browser sends
  ``Origin: null`` with a page's form post, which the origin check cannot tell from a
  sandboxed foreign page (Chromium sends no ``Sec-Fetch-Site`` over plain http to tell them
  apart); ``same-origin`` still never tells another site an address.
  ``Permissions-Policy`` turns off the devices and features no page uses.
* ``Cache-Control: no-store`` on every response but the static assets: pages, the API's
  answers, reports and exports carry assessment content (classified), which no browser or
  proxy cache may keep. An answer that sets ``Cache-Control`` itself keeps its own.
* ``Strict-Transport-Security`` when the request came over TLS (directly, or from a trusted
  proxy that says so: ``nsra serve --forwarded-allow-ips``): browsers then never use plain
  http for this host for a year.
* No ``Server`` banner (``nsra serve`` runs uvicorn without it).
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

PERMISSIONS = (
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), "
    "microphone=(), payment=(), usb=()"
)
"""The Permissions-Policy of every response: no page uses any of these."""
HSTS = "max-age=31536000"
"""Strict-Transport-Security of a response over TLS."""
CACHEABLE = ("/static/",)
"""Path prefixes whose answers may be cached (vendored assets, no assessment content)."""

INLINE_STYLES = ("/api/docs",)
"""Paths whose page may use inline styles (never inline scripts)."""


def referrer_policy(headers: list[tuple[bytes, bytes]]) -> bytes:
    """``same-origin`` for an HTML page (its forms post here), else ``no-referrer``."""
    html = any(k.lower() == b"content-type" and v.startswith(b"text/html") for k, v in headers)
    return b"same-origin" if html else b"no-referrer"


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
        extra: list[tuple[bytes, bytes]] = []
        if not path.startswith(CACHEABLE):
            extra.append((b"cache-control", b"no-store"))
        if scope.get("scheme") == "https":
            extra.append((b"strict-transport-security", HSTS.encode()))

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
                    (b"referrer-policy", referrer_policy(headers)),
                    (b"permissions-policy", PERMISSIONS.encode()),
                    *extra,
                ):
                    if name not in names:
                        headers.append((name, value))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, with_headers)
