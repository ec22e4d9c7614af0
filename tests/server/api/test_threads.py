"""``nsra serve --threads N``: each worker's application handles at most N requests at once
(the thread limiter of its event loop), set when the application starts."""

from __future__ import annotations

from pathlib import Path

import anyio.to_thread
import pytest
from fastapi.testclient import TestClient

from nsra.server.api import create_app
from nsra.server.api.app import THREADS_ENV
from nsra.server.db import make_engine


def _tokens(client: TestClient) -> float:
    portal = client.portal
    assert portal is not None
    return portal.call(lambda: anyio.to_thread.current_default_thread_limiter().total_tokens)


@pytest.mark.parametrize("threads", ["3", "8"])
def test_the_application_takes_its_thread_limit_at_start(
    template_db: Path, monkeypatch: pytest.MonkeyPatch, threads: str
) -> None:
    monkeypatch.setenv(THREADS_ENV, threads)
    engine = make_engine(f"sqlite:///{template_db}")
    with TestClient(create_app(engine)) as client:
        assert _tokens(client) == int(threads)
    engine.dispose()


def test_without_the_setting_the_default_stays(
    template_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(THREADS_ENV, raising=False)
    engine = make_engine(f"sqlite:///{template_db}")
    with TestClient(create_app(engine)) as client:
        assert _tokens(client) == 40  # anyio's own default
    engine.dispose()
