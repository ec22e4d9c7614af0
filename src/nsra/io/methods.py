"""Method files: the shipped ones (package data) and a user's own, loaded the same way."""

from __future__ import annotations

import os
from functools import lru_cache
from importlib import resources

from nsra.io.modelcheck import check
from nsra.io.problems import InputError, Problem
from nsra.io.safeyaml import load, locate, read_text
from nsra.model.method import Method

_PACKAGE = "nsra.methods"


def shipped_method_ids() -> list[str]:
    """Ids of the methods that ship with nsra (file names without extension)."""
    files = resources.files(_PACKAGE)
    return sorted(
        p.name.rsplit(".", 1)[0]
        for p in files.iterdir()
        if p.name.endswith((".yaml", ".yml", ".json")) and not p.name.startswith("_")
    )


def with_positions(problems: list[Problem], text: str, source: str) -> list[Problem]:
    """Fill in file, line and column of problems from their field paths."""
    where = locate(text, [p.path for p in problems if p.line is None])
    for p in problems:
        p.file = p.file or source
        if p.line is None and p.path in where:
            p.line, p.column = where[p.path]
    return sorted(problems, key=lambda p: (p.line or 0, p.column or 0))


def parse_method(text: str, source: str) -> Method:
    """A method from the text of a method file, or :class:`InputError` with every problem."""
    data = load(text, source)
    method, problems = check(Method, data, context={"defer_references": True})
    if method is not None:
        problems = [Problem(msg, path) for path, msg in method.reference_problems()]
    if method is None or problems:
        raise InputError(with_positions(problems, text, source))
    return method


@lru_cache(maxsize=32)
def _shipped(method_id: str) -> Method:
    files = resources.files(_PACKAGE)
    for ext in (".yaml", ".yml", ".json"):
        res = files / f"{method_id}{ext}"
        if res.is_file():
            return parse_method(res.read_text(encoding="utf-8"), f"nsra/methods/{res.name}")
    raise KeyError(method_id)


def load_method(ref: str, relative_to: str | None = None) -> Method:
    """A method by shipped id (``be-bnra-2023``) or by path to a method file.

    A relative path is taken relative to the directory of ``relative_to`` (the assessment file).
    """
    looks_like_path = ref.endswith((".yaml", ".yml", ".json")) or os.sep in ref or "/" in ref
    if not looks_like_path:
        try:
            return _shipped(ref)
        except KeyError:
            known = ", ".join(shipped_method_ids())
            raise InputError(
                [
                    Problem(
                        f"unknown method {ref!r}; shipped methods: {known}; or give the path "
                        "of a method file (e.g. ./my-method.yaml)"
                    )
                ]
            ) from None
    if not ref.endswith((".yaml", ".yml", ".json")):
        raise InputError(
            [Problem(f"a method file must end in .yaml, .yml or .json; found {ref!r}")]
        )
    path = ref
    if relative_to and not os.path.isabs(path):
        path = os.path.join(os.path.dirname(os.path.abspath(relative_to)), path)
    text = read_text(path)
    return parse_method(text, ref)
