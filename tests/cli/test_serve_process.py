"""``nsra serve`` as a real process (issue 12): proxy headers are not believed unless the
operator names the proxies (F4), no ``Server`` banner, only the allowed host names answered
(F5), and the demo's temporary database removed when it is stopped with SIGTERM (F6)."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from nsra.cli.server import host_names, uvicorn_options
from tests.server.common import free_port


@dataclass
class Demo:
    process: subprocess.Popen[str]
    url: str
    folder: Path
    lines: list[str]


def _start(*args: str) -> Demo:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("NSRA_")}
    process = subprocess.Popen(
        [sys.executable, "-m", "nsra.cli", "serve", "--demo", "--port", str(port), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
    )
    assert process.stdout is not None
    lines: list[str] = []
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        lines.append(line)
        if "Uvicorn running" in line or "Application startup complete" in line:
            break
        assert line or process.poll() is None, "".join(lines)
    found = re.search(r"\(database (\S+), deleted at exit\)", "".join(lines))
    assert found, "".join(lines)
    return Demo(process, url, Path(found.group(1)), lines)


def _stop(demo: Demo, sig: int = signal.SIGTERM) -> int:
    if demo.process.poll() is None:
        demo.process.send_signal(sig)
    try:
        return demo.process.wait(timeout=30)
    finally:
        if demo.process.stdout is not None:
            demo.process.stdout.close()


@pytest.fixture(scope="module")
def demo() -> Iterator[Demo]:
    running = _start()
    yield running
    if running.process.poll() is None:
        _stop(running)


def test_sigterm_removes_the_demo_database() -> None:
    running = _start()
    assert (running.folder / "nsra-demo.db").is_file()
    code = _stop(running, signal.SIGTERM)
    assert not running.folder.exists(), code
    assert code != 0  # ended by a signal, and says so


def test_no_server_banner_and_the_headers(demo: Demo) -> None:
    r = httpx.get(f"{demo.url}/api/methods", headers={"X-Forwarded-Proto": "https"})
    assert "server" not in r.headers
    assert r.headers["cache-control"] == "no-store"
    assert "strict-transport-security" not in r.headers  # the forwarded https is not believed


def test_a_foreign_host_name_is_refused(demo: Demo) -> None:
    r = httpx.get(f"{demo.url}/api/methods", headers={"Host": "rebound.example.org"})
    assert r.status_code == 400 and r.json()["field"] == "Host"
    r = httpx.get(f"{demo.url}/api/methods", headers={"Host": "localhost:1"})
    assert r.status_code == 401  # past the host check: on to signing in


def test_forwarded_for_does_not_lift_the_limit_on_sign_in_attempts(demo: Demo) -> None:
    """20 failures from this address: the 21st attempt is refused, whatever address the
    request claims to be forwarded for."""
    with httpx.Client(base_url=demo.url) as c:
        for i in range(20):
            r = c.post("/api/session", json={"user": f"nobody-{i}", "password": "x"})
            assert r.status_code == 401, r.text
        for claimed in ("203.0.113.9", "203.0.113.10"):
            r = c.post(
                "/api/session",
                json={"user": "someone-else", "password": "x"},
                headers={"X-Forwarded-For": claimed},
            )
            assert r.status_code == 429, r.text


def test_proxy_headers_are_believed_only_from_the_proxies_named() -> None:
    assert uvicorn_options("127.0.0.1", 1, None)["proxy_headers"] is False
    named = uvicorn_options("127.0.0.1", 1, "10.0.0.2")
    assert named["proxy_headers"] is True and named["forwarded_allow_ips"] == "10.0.0.2"
    assert named["server_header"] is False


def test_the_host_names_answered_by_default() -> None:
    assert host_names("127.0.0.1", None) == ("localhost", "127.0.0.1", "::1")
    assert host_names("192.0.2.7", None) == ("localhost", "127.0.0.1", "::1", "192.0.2.7")
    assert host_names("0.0.0.0", None) == ("localhost", "127.0.0.1", "::1")
    assert host_names("0.0.0.0", "nsra.example.org, *.gov.example") == (
        "nsra.example.org",
        "*.gov.example",
    )
