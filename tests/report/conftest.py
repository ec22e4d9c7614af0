"""Fixtures of the report tests: the headless Chromium of the web tests (skipped without it)."""

from tests.server.web.conftest import browser  # noqa: F401
