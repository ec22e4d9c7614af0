"""The documents nsra writes have exactly the shapes their types declare (nsra.io.contract).

mypy checks the keys where a document is built and where the report reads it; this checks the
documents themselves at run time, on every example: no key missing, none extra, every value of
the declared type. A field left out of a builder, or added without its type, fails here.
"""

from __future__ import annotations

import functools
import json
import types
import typing
from pathlib import Path
from typing import Any, NotRequired, Required, Union, get_args, get_origin, get_type_hints

import pytest

from nsra.analysis.pipeline import AnalysisOptions, analyse
from nsra.engine.compute import compute
from nsra.io import contract
from nsra.io.analysis_results import analysis_document
from nsra.io.results import results_document
from nsra.io.validate import read_assessment
from tests.helpers import EXAMPLES


def _is_typeddict(tp: Any) -> bool:
    return isinstance(tp, type) and typing.is_typeddict(tp)


def problems(value: Any, tp: Any, path: str = "$") -> list[str]:
    """Where ``value`` (plain JSON data) differs from the type ``tp``."""
    origin = get_origin(tp)
    if origin in (Required, NotRequired):
        return problems(value, get_args(tp)[0], path)
    if tp is Any:
        return []
    if origin in (Union, types.UnionType):
        options = get_args(tp)
        if any(not problems(value, option, path) for option in options):
            return []
        return [f"{path}: {value!r:.60} is none of {options}"]
    if tp is type(None):
        return [] if value is None else [f"{path}: expected null, found {value!r:.60}"]
    if _is_typeddict(tp):
        if not isinstance(value, dict):
            return [f"{path}: expected an object ({tp.__name__}), found {type(value).__name__}"]
        hints = get_type_hints(tp)
        out = [f"{path}: key {k!r} missing" for k in tp.__required_keys__ if k not in value]
        out += [f"{path}: key {k!r} not in {tp.__name__}" for k in value if k not in hints]
        for k, v in value.items():
            if k in hints:
                out += problems(v, hints[k], f"{path}.{k}")
        return out
    if origin is list:
        if not isinstance(value, list):
            return [f"{path}: expected a list, found {type(value).__name__}"]
        (item,) = get_args(tp)
        return [p for i, v in enumerate(value) for p in problems(v, item, f"{path}[{i}]")]
    if origin is dict:
        if not isinstance(value, dict):
            return [f"{path}: expected an object, found {type(value).__name__}"]
        _, item = get_args(tp)
        return [p for k, v in value.items() for p in problems(v, item, f"{path}.{k}")]
    if tp is float:
        ok = isinstance(value, int | float) and not isinstance(value, bool)
        return [] if ok else [f"{path}: expected a number, found {value!r:.60}"]
    if tp is int:
        ok = isinstance(value, int) and not isinstance(value, bool)
        return [] if ok else [f"{path}: expected an integer, found {value!r:.60}"]
    if isinstance(tp, type):
        return [] if isinstance(value, tp) else [f"{path}: expected {tp.__name__}, {value!r:.60}"]
    raise AssertionError(f"{path}: the checker does not know the type {tp!r}")


@functools.cache
def _documents(path: Path) -> tuple[Any, Any]:
    loaded = read_assessment(str(path))
    results = compute(loaded.inputs, loaded.method)
    options = AnalysisOptions(seed=5, samples=200, years=300)
    analyses = analyse(loaded, results, options)
    # through JSON, as a reader of the file gets them
    res = json.loads(json.dumps(results_document(loaded, results, "nl"), allow_nan=False))
    ana = json.loads(json.dumps(analysis_document(loaded, results, analyses), allow_nan=False))
    return res, ana


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_results_document_has_exactly_its_declared_shape(path: Path) -> None:
    doc, _ = _documents(path)
    assert doc["format"] == contract.RESULTS_FORMAT
    assert problems(doc, contract.ResultsDoc) == []


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_analysis_document_has_exactly_its_declared_shape(path: Path) -> None:
    _, doc = _documents(path)
    assert doc["format"] == contract.ANALYSIS_FORMAT
    assert problems(doc, contract.AnalysisDoc) == []


def test_every_optional_section_is_exercised_by_some_example() -> None:
    present = {key for path in EXAMPLES for key in _documents(path)[1]}
    assert set(contract.AnalysisDoc.__optional_keys__) <= present


def test_the_checker_finds_a_missing_an_extra_and_a_mistyped_key() -> None:
    doc, _ = _documents(EXAMPLES[0])
    entry = json.loads(json.dumps(doc["scenarios"][0]))
    del entry["serious"]
    entry["colour"] = "red"
    entry["rank"] = "first"
    found = problems(entry, contract.ScenarioResult)
    assert "$: key 'serious' missing" in found
    assert "$: key 'colour' not in ScenarioResult" in found
    assert any(p.startswith("$.rank:") for p in found)
