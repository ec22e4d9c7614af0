"""The Python code in the documentation runs as written (docs/python-api.md, README.md), from the
repository's folder, block after block in one namespace, as a notebook would."""

from __future__ import annotations

import re

import pytest

from tests.helpers import ROOT

PAGES = ["docs/python-api.md", "README.md"]


def blocks(text: str) -> list[str]:
    return re.findall(r"```python\n(.*?)```", text, flags=re.S)


@pytest.mark.parametrize("page", PAGES)
def test_python_blocks_run(page: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    code = blocks((ROOT / page).read_text(encoding="utf-8"))
    assert code, f"{page} has no python blocks"
    namespace: dict[str, object] = {"__name__": "__docs__"}
    for n, block in enumerate(code, 1):
        try:
            exec(compile(block, f"{page} block {n}", "exec"), namespace)
        except Exception as exc:  # pragma: no cover - the message is the point
            pytest.fail(f"{page}, python block {n} fails: {exc!r}\n{block}")
