"""How many requests one worker process works on at once: the rest wait in line, holding
nothing, before they touch the database.

Found under load (issue 12: 50 users, 2 workers, reads and writes): requests answered 500 with
``QueuePool limit of size 5 overflow 35 reached, connection timed out``. A request holds its
database connection from its first query (signing in, in a dependency) to its end, and FastAPI
runs a request's dependencies and its endpoint in *separate* turns of the thread pool: between
two turns the request holds a connection but no thread. The thread limit (``nsra serve
--threads``) therefore never bounded the connections held, and with enough clients every
connection of the pool was held by a request waiting for a thread, while the request holding a
thread waited 30 s for a connection and failed.

Decisions (read before changing):

* A request is *admitted* before any work (after the host check and the body limits, which
  cost nothing) and holds its admission until its answer is sent. At most :attr:`limit`
  requests per worker process are admitted; the others wait in an ``asyncio`` line (first come,
  first served), holding no thread and no connection.
* A request holds at most :data:`CONNECTIONS_PER_REQUEST` connections at once (its read session
  and, for a write, the write transaction, :mod:`nsra.server.api.transaction`), so the limit is
  the pool's size, less :data:`RESERVED` connections for work outside requests (the job pool
  recording a finished job), divided by that (:func:`admitted`): an admitted request always
  finds a connection. A smaller limit than the pool allows would only add waiting: the thread limit
  already decides how many run Python at once.
* A request that waited :data:`WAIT` seconds in line is answered 503 with ``Retry-After`` in the
  API's error shape: the server is overloaded, and saying so is better than a request that
  never ends.
* Static files (``/static``) touch no database and are never held in line.
"""

from __future__ import annotations

import asyncio
from typing import Final

from starlette.types import ASGIApp, Receive, Scope, Send

from nsra.server.api.errors import busy_response

CONNECTIONS_PER_REQUEST: Final = 2
"""The most connections one request holds at once: its read session and its write."""
RESERVED: Final = 4
"""Connections of the pool kept for work outside requests (a finished job's record)."""
WAIT: Final = 60.0
"""Seconds a request may wait in line before it is answered 503."""
FREE_PREFIXES: Final = ("/static/",)


def admitted(max_connections: int) -> int:
    """How many requests may be worked on at once with a pool of ``max_connections``."""
    return max(1, (max_connections - RESERVED) // CONNECTIONS_PER_REQUEST)


class Admission:
    """ASGI middleware: at most ``limit`` requests of this process in progress at once."""

    def __init__(self, app: ASGIApp, limit: int, wait: float = WAIT) -> None:
        self.app = app
        self.limit = limit
        self.wait = wait
        self._line: asyncio.Semaphore | None = None  # made in the server's event loop

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or str(scope.get("path", "")).startswith(FREE_PREFIXES):
            await self.app(scope, receive, send)
            return
        if self._line is None:
            self._line = asyncio.Semaphore(self.limit)
        line = self._line
        if line.locked():  # wait in line (wait_for costs a task: only when there is a line)
            try:
                await asyncio.wait_for(line.acquire(), self.wait)
            except TimeoutError:
                await busy_response()(scope, receive, send)
                return
        else:
            await line.acquire()  # free: taken at once, without yielding
        try:
            await self.app(scope, receive, send)
        finally:
            line.release()
