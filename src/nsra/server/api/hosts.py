"""Only the host names the operator named are answered (``nsra serve --allowed-hosts``).

A request whose ``Host`` header names another host is refused with 400 before anything else:
a page on an attacker's domain that the attacker points at 127.0.0.1 afterwards (DNS
rebinding) would otherwise be same-origin with this server in the victim's browser. The check
is on the name only (the port is not checked: behind a proxy it is the proxy's). Names are
compared in lower case; ``*.example.org`` matches any name under example.org (not the bare
name), ``*`` matches any host (a deliberate choice of the operator, e.g. behind a proxy that
checks the names itself).
"""

from __future__ import annotations

from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from nsra.server.api.errors import error_body


def host_name(header: str) -> str:
    """The name of a ``Host`` header value, without the port (and IPv6 brackets), lower case."""
    header = header.strip().lower()
    if header.startswith("["):
        return header[1 : header.find("]")] if "]" in header else header
    return header.rsplit(":", 1)[0] if header.count(":") == 1 else header


def allowed(name: str, hosts: tuple[str, ...]) -> bool:
    """Whether ``name`` is one of ``hosts`` (with ``*`` and ``*.domain`` patterns)."""
    for host in hosts:
        if host == "*" or host == name:
            return True
        if host.startswith("*.") and name.endswith(host[1:]) and len(name) > len(host) - 1:
            return True
    return False


class HostCheck:
    """ASGI middleware: 400 for a request whose ``Host`` is not allowed."""

    def __init__(self, app: ASGIApp, hosts: tuple[str, ...] | None) -> None:
        self.app = app
        self.hosts = hosts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.hosts is None or scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        header = next((v for k, v in scope.get("headers", []) if k == b"host"), b"")
        name = host_name(header.decode("latin-1"))
        if name and allowed(name, self.hosts):
            await self.app(scope, receive, send)
            return
        response = JSONResponse(
            error_body("this server does not answer to that host name", "Host"), 400
        )
        await response(scope, receive, send)
