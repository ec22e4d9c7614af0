"""Fixtures of the web tests: a client of the app on a migrated SQLite database (the pages do
not depend on the database engine; the API tests run both), and a real browser (Debian's
Chromium driven by Playwright) on a real ``nsra serve --demo``."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from fastapi.testclient import TestClient
from playwright.sync_api import Browser, Page, sync_playwright

from nsra.server.api import create_app
from nsra.server.db import make_engine
from tests.server.common import free_port


@pytest.fixture
def client(template_db: Path, tmp_path: Path) -> Iterator[TestClient]:
    path = tmp_path / "nsra.db"
    path.write_bytes(template_db.read_bytes())
    engine = make_engine(f"sqlite:///{path}")
    with TestClient(create_app(engine)) as c:
        yield c
    engine.dispose()


CHROMIUM = Path(os.environ.get("NSRA_CHROMIUM", "/usr/bin/chromium"))
"""Debian's Chromium (``.ci/run`` installs it); browsers are never downloaded."""

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--host-resolver-rules=MAP nsra.test 127.0.0.1",  # a name that is not loopback-looking
]

HOST = "nsra.test"
"""The name the browser uses for the live server: some scripts treat ``localhost`` and
``127.0.0.1`` specially (Swagger UI skips its online validator there), so the tests do not."""


@dataclass
class LiveServer:
    """``nsra serve --demo`` in a subprocess on loopback, and what it printed."""

    url: str
    log: Path

    @property
    def password(self) -> str:
        """Every demo user's password, as ``nsra serve --demo`` printed it."""
        found = re.search(r"password[^:\n]*: (\S+)", self.log.read_text(encoding="utf-8"))
        assert found, self.log.read_text(encoding="utf-8")
        return found.group(1)


@pytest.fixture(scope="module")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """A real demo server (its own throw-away database) for the browser tests."""
    port = free_port()
    log = tmp_path_factory.mktemp("serve") / "serve.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "nsra.cli",
                "serve",
                "--demo",
                "--port",
                str(port),
                "--allowed-hosts",
                f"{HOST},127.0.0.1",
            ],
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{url}/api/methods", timeout=2) as r:
                    if r.status in (200, 401):
                        break
            except urllib.error.HTTPError as e:
                if e.code == 401:
                    break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"nsra serve --demo did not start:\n{log.read_text()}")
            time.sleep(0.2)
        yield LiveServer(f"http://{HOST}:{port}", log)
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def nsra_cli(*args: str, env: dict[str, str], stdin: str | None = None) -> None:
    """Run an ``nsra`` command (with ``env``) and check that it succeeded."""
    done = subprocess.run(
        [sys.executable, "-m", "nsra.cli", *args],
        input=stdin,
        text=True,
        capture_output=True,
        env=env,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr


@contextmanager
def serving(env: dict[str, str], folder: Path) -> Iterator[str]:
    """``nsra serve`` on the database of ``env`` in a subprocess on loopback (its output in
    ``folder/serve.log``): the URL the browser uses, while the server runs."""
    port = free_port()
    log = (folder / "serve.log").open("wb")
    proc = subprocess.Popen(
        [sys.executable, "-m", "nsra.cli", "serve", "--port", str(port),
         "--allowed-hosts", f"{HOST},127.0.0.1"],
        stdout=log, stderr=subprocess.STDOUT, env=env,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/sign-in", timeout=2):
                    break
            except (OSError, urllib.error.URLError):
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError((folder / "serve.log").read_text()) from None
                time.sleep(0.2)
        yield f"http://{HOST}:{port}"
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        log.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Headless Debian Chromium through Playwright. Without it the browser tests are skipped,
    except in CI (``CI=true``), where they fail."""
    if not CHROMIUM.exists():
        message = f"no Chromium at {CHROMIUM} (apt-get install chromium; see .ci/run)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield b
        b.close()


@dataclass
class Visit:
    """A page in a fresh browser context, with what it said and where it went."""

    page: Page
    console: list[str] = field(default_factory=list)
    hosts: set[str] = field(default_factory=set)
    failed: list[str] = field(default_factory=list)


@pytest.fixture
def visit(browser: Browser) -> Iterator[Visit]:
    """A fresh context (no cookies) and page; console errors and warnings, every host asked,
    and failed responses are recorded."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    v = Visit(page)
    page.on(
        "console",
        lambda m: (
            v.console.append(f"{m.type}: {m.text}") if m.type in ("error", "warning") else None
        ),
    )
    page.on("request", lambda r: v.hosts.add(urlsplit(r.url).netloc))
    page.on(
        "response", lambda r: v.failed.append(f"{r.status} {r.url}") if r.status >= 400 else None
    )
    yield v
    context.close()
