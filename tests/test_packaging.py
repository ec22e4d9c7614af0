"""What pyproject.toml declares exists: every package-data pattern names files, and the version
is written in one place."""

from __future__ import annotations

import tomllib
from typing import Any

from nsra.version import __version__
from tests.helpers import ROOT


def _pyproject() -> dict[str, Any]:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def test_every_package_data_pattern_matches_files() -> None:
    data = _pyproject()["tool"]["setuptools"]["package-data"]
    empty = [p for p in data["nsra"] if not list((ROOT / "src" / "nsra").glob(p))]
    assert empty == [], f"package-data patterns that match no file: {empty}"


def test_the_version_is_read_from_the_package() -> None:
    project = _pyproject()["project"]
    assert "version" in project["dynamic"] and "version" not in project
    dynamic = _pyproject()["tool"]["setuptools"]["dynamic"]
    assert dynamic["version"] == {"attr": "nsra.version.__version__"}
    assert __version__.count(".") == 2
