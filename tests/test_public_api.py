"""The public Python API (``import nsra``): read -> compute -> analyse -> documents, report.

The command line and the server call these functions, so what a notebook user gets is what
``nsra compute``, ``nsra analyse`` and ``nsra report`` write.
"""

from __future__ import annotations

import json
import pydoc
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

import nsra
from nsra.analysis.pipeline import AnalysisOptions
from nsra.io.problems import InputError
from tests.helpers import EXAMPLES_DIR, run_cli

NL = EXAMPLES_DIR / "nl-integrated.yaml"
UK = EXAMPLES_DIR / "uk-nsra.yaml"
SMALL = AnalysisOptions(seed=0, samples=200, years=300)


def test_help_shows_the_public_pipeline() -> None:
    text = pydoc.plain(pydoc.render_doc(nsra))
    for name in ("read", "compute", "analyse", "results_document", "analysis_document"):
        assert f"{name}(" in text, name
    assert "report_html(" in text
    assert "AnalysisOptions(seed=" in text  # the docstring shows an explicit seed


def test_importing_nsra_loads_nothing_heavy() -> None:
    code = (
        "import sys, nsra; print(sorted(m for m in sys.modules if m.startswith(('nsra', 'numpy'))))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert json.loads(out.stdout.replace("'", '"')) == ["nsra", "nsra.version"]


def test_the_seed_is_never_implicit() -> None:
    with pytest.raises(TypeError):
        AnalysisOptions()  # type: ignore[call-arg]
    assert nsra.AnalysisOptions is AnalysisOptions
    assert nsra.InputError is InputError


def test_compute_json_is_what_the_command_writes(tmp_path: Path) -> None:
    assessment = nsra.read(str(UK))
    results = nsra.compute(assessment, "equal")
    doc = nsra.results_document(assessment, results, "nl")
    out = tmp_path / "r.json"
    run = run_cli("compute", str(UK), "--profile", "equal", "--format", "json", "--lang", "nl",
                  "-o", str(out))  # fmt: skip
    assert run.returncode == 0, run.stderr
    assert json.loads(out.read_text(encoding="utf-8")) == json.loads(json.dumps(doc))


def test_analyse_json_is_what_the_command_writes(tmp_path: Path) -> None:
    assessment = nsra.read(str(UK))
    results = nsra.compute(assessment)
    analyses = nsra.analyse(assessment, results, replace(SMALL, seed=9))
    doc = json.loads(json.dumps(nsra.analysis_document(assessment, results, analyses)))
    out = tmp_path / "a.json"
    run = run_cli("analyse", str(UK), "--seed", "9", "--samples", "200", "--years", "300",
                  "-o", str(out))  # fmt: skip
    assert run.returncode == 0, run.stderr
    written = json.loads(out.read_text(encoding="utf-8"))
    assert written["options"].pop("workers") == 1 and written["options"].pop("dask") is None
    assert written == doc


def test_typed_results_are_arrays_in_the_assessments_order() -> None:
    assessment = nsra.read(str(NL))
    results = nsra.compute(assessment)
    n = len(assessment.assessment.scenarios)
    assert results.risk.shape == results.rank.shape == results.serious.shape == (n,)
    ranked = sorted(range(n), key=lambda i: -results.risk[i])
    assert results.rank[ranked[0]] == 1
    analyses = nsra.analyse(assessment, results, replace(SMALL, seed=3))
    assert analyses.uncertainty is not None
    assert analyses.options.seed == 3 and analyses.uncertainty.seed == 3
    assert analyses.uncertainty.intervals.rank.shape == (3, n)
    assert analyses.smaa is not None and analyses.smaa.options.seed == 3


def test_same_seed_same_analyses_other_seed_other_draws() -> None:
    assessment = nsra.read(str(UK))
    results = nsra.compute(assessment)

    def doc(seed: int) -> str:
        a = nsra.analyse(assessment, results, replace(SMALL, seed=seed, sensitivity=False))
        return json.dumps(nsra.analysis_document(assessment, results, a))

    assert doc(4) == doc(4)
    assert doc(4) != doc(5)


def test_report_is_what_the_command_writes(tmp_path: Path) -> None:
    assessment = nsra.read(str(UK))
    results = nsra.compute(assessment)
    analyses = nsra.analyse(assessment, results, replace(SMALL, seed=2))
    html = nsra.report_html(assessment, results, analyses, "nl")
    out = tmp_path / "r.html"
    run = run_cli("report", str(UK), "--seed", "2", "--samples", "200", "--years", "300",
                  "--lang", "nl", "-o", str(out))  # fmt: skip
    assert run.returncode == 0, run.stderr
    assert out.read_text(encoding="utf-8") == html


def test_problems_are_input_errors_in_plain_words(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("title: x\n", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        nsra.read(str(bad))
    assert any("method" in str(p) for p in caught.value.problems)
    assessment = nsra.read(str(UK))
    with pytest.raises(InputError, match="unknown weight profile 'nope'"):
        nsra.compute(assessment, "nope")
    results = nsra.compute(assessment)
    with pytest.raises(InputError, match="unknown criterion"):
        nsra.analyse(assessment, results, replace(SMALL, seed=1, weights="ordinal:9.9"))


def test_parse_takes_text() -> None:
    text = UK.read_text(encoding="utf-8")
    a, b = nsra.parse(text, "uk.yaml"), nsra.read(str(UK))
    assert np.array_equal(nsra.compute(a).risk, nsra.compute(b).risk, equal_nan=True)
