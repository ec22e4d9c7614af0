"""``nsra serve --workers N``: N uvicorn worker processes, each on a listening socket of its own.

Decisions (read before changing):

* uvicorn's workers share one listening socket, and a worker that wakes up first accepts every
  connection waiting (asyncio accepts up to the backlog at a time). A burst of connections, as a
  load generator or a reverse proxy opening its keep-alive connections makes, then lands on one
  worker while the others idle: in the load benchmark (``benchmarks/bench_server_load.py``) 50
  keep-alive connections split 50/0, 36/14 or 34/16 over 2 workers, and the read rate followed
  (0.41x to 0.85x of the bare floor on the same machine).
* On Linux each worker gets its own socket, all bound to the same address with
  ``SO_REUSEPORT``: the kernel spreads new connections over the sockets evenly (by a hash of the
  client's address and port). A worker takes its socket by an exclusive ``flock`` of a file
  numbered like the socket, so a worker that replaces one that died takes the socket left
  without a server (the kernel drops a dead process's locks). When no socket is free (during a
  restart the new workers start before the old ones stop), a worker serves them all.
* ``SO_REUSEPORT`` would also let a second ``nsra serve`` on the same port join silently (same
  user) instead of failing with "address already in use": the first one holds a lock named by
  the user and the port in the temporary folder, and a second one is refused with a clear
  message (also on another address of the machine with the same port: conservative).
* Elsewhere (not Linux), or with one worker: uvicorn as it comes.
"""

from __future__ import annotations

import contextlib
import errno
import logging
import os
import socket
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import uvicorn
from uvicorn.config import Config
from uvicorn.supervisors import multiprocess
from uvicorn.supervisors.multiprocess import Process

from nsra.io.problems import InputError, Problem

logger = logging.getLogger("uvicorn.error")
LOCKS_ENV = "NSRA_WORKER_LOCKS"
"""The folder of the workers' socket locks (set for the worker processes)."""

try:
    import fcntl
except ImportError:  # not POSIX
    fcntl = None  # type: ignore[assignment]


def spreads() -> bool:
    """Whether this system spreads connections over sockets sharing a port (Linux)."""
    return (
        sys.platform.startswith("linux") and hasattr(socket, "SO_REUSEPORT") and fcntl is not None
    )


def run(import_string: str, workers: int, options: dict[str, Any]) -> None:
    """uvicorn with ``workers`` processes on the application made by ``import_string``."""
    if workers < 2 or not spreads():
        uvicorn.run(import_string, factory=True, workers=workers, **options)
        return
    config = Config(import_string, factory=True, workers=workers, **options)
    with _only_server(config.port), tempfile.TemporaryDirectory(prefix="nsra-workers-") as locks:
        sockets = bind(config.host, config.port, workers)
        scheme = "https" if config.is_ssl else "http"
        logger.info(
            "Uvicorn running on %s://%s:%d (Press CTRL+C to quit), %d workers, a socket each",
            *(scheme, config.host, config.port, workers),
        )
        os.environ[LOCKS_ENV] = locks  # inherited by the worker processes
        # uvicorn's supervisor starts (and restarts) its workers as this class
        multiprocess.Process = _Worker  # type: ignore[misc]
        try:
            multiprocess.Multiprocess(config, sockets=sockets).run()
        finally:
            multiprocess.Process = Process  # type: ignore[misc]
            for s in sockets:
                s.close()


def bind(host: str, port: int, n: int) -> list[socket.socket]:
    """``n`` sockets bound to ``host:port`` with ``SO_REUSEPORT``, inheritable; an
    :class:`InputError` when the address is taken."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sockets: list[socket.socket] = []
    try:
        for _ in range(n):
            s = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
            sockets.append(s)
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
            s.bind((host, port))
            s.set_inheritable(True)
    except OSError as exc:
        for s in sockets:
            s.close()
        raise InputError([Problem(f"cannot listen on {host}:{port}: {exc.strerror}")]) from None
    return sockets


@contextlib.contextmanager
def _only_server(port: int) -> Iterator[None]:
    """Refuse a second ``nsra serve`` of the same user on the same port (see the module's
    decisions; another user's cannot join the sockets, and gets "address already in use")."""
    assert fcntl is not None
    path = Path(tempfile.gettempdir()) / f"nsra-serve-{os.getuid()}-{port}.lock"
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    except OSError as exc:  # a temporary folder not writable: serve without the check
        logger.warning("cannot check for another nsra serve on port %d: %s", port, exc)
        yield
        return
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            if exc.errno not in (errno.EWOULDBLOCK, errno.EACCES):
                raise
            raise InputError(
                [Problem(f"port {port} is in use by another nsra serve: stop it or give --port")]
            ) from None
        yield
    finally:
        os.close(fd)


def _own_socket(sockets: list[socket.socket]) -> list[socket.socket]:
    """The socket this worker serves: the first whose lock it gets; all when none is free."""
    folder = os.environ.get(LOCKS_ENV)
    if folder is None or fcntl is None or len(sockets) < 2:
        return sockets
    for i, s in enumerate(sockets):
        fd = os.open(Path(folder) / f"socket-{i}.lock", os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            continue
        return [s]  # the lock is kept (fd left open) until the process ends
    return sockets


class _Worker(Process):
    """uvicorn's worker process, serving its own socket (:func:`_own_socket`) and closing its
    copies of the others."""

    def target(self, sockets: list[socket.socket] | None = None) -> None:
        given = sockets or []
        own = _own_socket(given)
        for s in given:
            if s not in own:
                s.close()
        super().target(own)
