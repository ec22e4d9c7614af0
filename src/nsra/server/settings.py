"""The server's settings that ``nsra serve`` passes to every worker process through the
environment (a worker builds its application from it): names and defaults only, so that the
command line imports nothing heavy to show its options."""

from __future__ import annotations

import os
from typing import Final

WRITE_ENV: Final = "NSRA_MAX_BODY"
"""Largest body of a write, in bytes (``nsra serve --max-body``, in kB)."""
UPLOAD_ENV: Final = "NSRA_MAX_UPLOAD"
"""Largest upload, in bytes (``nsra serve --max-upload``, in MB)."""
WRITE_SIZE: Final = 256 * 1024
"""Default largest body of a write (JSON or form): a scenario with its descriptions is a few
kilobytes."""
UPLOAD_SIZE: Final = 16 * 1024 * 1024
"""Default largest upload: the largest example assessment is under 100 kB as YAML."""


def positive(name: str, default: int) -> int:
    """A positive whole number from the environment variable ``name``, else ``default``."""
    value = os.environ.get(name, "").strip()
    return int(value) if value.isdigit() and int(value) > 0 else default


HOSTS_ENV: Final = "NSRA_ALLOWED_HOSTS"
"""The host names the server answers to, separated by commas (``nsra serve --allowed-hosts``);
``*`` answers any, ``*.example.org`` any name under example.org. Unset: no check (an
application built in a program or a test); ``nsra serve`` always sets it."""
LOOPBACK_HOSTS: Final = ("localhost", "127.0.0.1", "::1")
"""The names ``nsra serve`` answers to unless told others (with the ``--host`` listened on)."""


def allowed_hosts() -> tuple[str, ...] | None:
    """The allowed host names from the environment (lower case), or None for no check."""
    value = os.environ.get(HOSTS_ENV)
    if value is None:
        return None
    return tuple(h.strip().lower() for h in value.split(",") if h.strip())
