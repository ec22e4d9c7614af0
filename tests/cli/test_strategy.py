"""``nsra strategy``: tables, JSON and CSV of the strategy analysis; plain errors."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from nsra.analysis.strategy.run import strategy_analysis
from nsra.engine.compute import compute
from nsra.io.jsondoc import num
from nsra.io.strategy_doc import STRATEGY_FORMAT, strategy_document, what_if_document
from nsra.io.validate import read_assessment
from tests.analysis.strategy.cases import HEAD, scenario
from tests.helpers import ROOT, line_of, no_traceback, run_cli

EXAMPLE = "src/nsra/examples/nl-integrated.yaml"


@pytest.fixture(scope="module")
def example_doc() -> dict[str, Any]:
    proc = run_cli("strategy", EXAMPLE, "--format", "json", "--budget", "100M", "--samples", "200")
    assert proc.returncode == 0, proc.stderr
    doc: dict[str, Any] = json.loads(proc.stdout)
    return doc


def test_the_document_of_the_example(example_doc: dict[str, Any]) -> None:
    d = example_doc
    assert d["format"] == STRATEGY_FORMAT
    t = d["totals"]
    assert t["inherent"] >= t["current"] >= t["target"] >= t["every_measure"]
    assert t["with_all_developments"] > t["current"]
    assert sum(s["current"]["risk"] or 0 for s in d["scenarios"]) == pytest.approx(t["current"])
    p = d["portfolio"]
    assert p["budget"] == 100e6
    assert p["best"]["cost"] <= 100e6 and p["greedy"]["cost"] <= 100e6
    assert p["best"]["risk_removed"] >= p["greedy"]["risk_removed"]
    assert set(p["candidates"]) == {m["id"] for m in d["measures"] if m["status"] == "proposed"}
    assert all(0 <= x <= 1 for x in p["robustness"]["share"].values())
    assert p["robustness"]["samples"] == 200
    kinds = {f["kind"] for f in d["flags"]}
    assert {"side_effect", "no_lead", "idle_strategy", "development_unaddressed"} <= kinds
    assert all(f["message"] and "{" not in f["message"] for f in d["flags"])
    assert (
        d["capabilities"]["ranking"][0]["risk_open"]
        >= d["capabilities"]["ranking"][-1]["risk_open"]
    )


def test_the_document_carries_the_analysis_exactly() -> None:
    loaded = read_assessment(str(ROOT / EXAMPLE))
    results = compute(loaded.inputs, loaded.method)
    sa = strategy_analysis(loaded.assessment, loaded.inputs, loaded.method, results, samples=0)
    doc = strategy_document(loaded, sa, "en")
    for i, m in enumerate(doc["measures"]):
        assert m["alone"] == sa.values.alone[i] and m["marginal"] == sa.values.marginal[i]
    for s, sc in enumerate(doc["scenarios"]):
        # a chronic risk has no risk value: null in the document
        assert sc["target"]["risk"] == num(sa.states.target.risk[s])
        assert sc["inherent"]["rank"] == sa.states.inherent.rank[s]
    assert doc["totals"]["current"] == pytest.approx(float(np.nansum(results.risk)))
    assert doc["uncertainty"] is None and doc["portfolio"] is None


def test_the_tables(tmp_path: Path) -> None:
    proc = run_cli("strategy", EXAMPLE, "--samples", "0", "--budget", "50M")
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    for title in (
        "Risk without measures, today, and when planned measures are in place",
        "What each measure removes",
        "International developments: national risks they raise",
        "Proposed measures to fund within 50.0 M a year",
        "Capability gaps, by the risk they leave open",
        "Coherence of the strategies:",
    ):
        assert title in out
    assert "Highs" not in out  # the solver says nothing


@pytest.mark.parametrize(
    ("table", "first"),
    [
        ("measures", "id"),
        ("scenarios", "id"),
        ("developments", "development"),
        ("capabilities", "capability"),
        ("flags", "kind"),
        ("portfolio", "measure"),
    ],
)
def test_csv_tables(table: str, first: str, tmp_path: Path) -> None:
    target = tmp_path / f"{table}.csv"
    proc = run_cli(
        "strategy",
        EXAMPLE,
        "--samples",
        "0",
        "--budget",
        "1e8",
        "--format",
        "csv",
        "--table",
        table,
        "-o",
        str(target),
    )
    assert proc.returncode == 0, proc.stderr
    rows = list(csv.reader(io.StringIO(target.read_text(encoding="utf-8"))))
    assert rows[0][0] == first and len(rows) > 1


@pytest.mark.parametrize("budget", ["lots", "-5", "nan"])
def test_a_budget_that_is_not_an_amount(budget: str) -> None:
    proc = run_cli("strategy", EXAMPLE, "--budget", budget)
    assert proc.returncode == 2
    assert "budget" in proc.stderr or "amount" in proc.stderr
    no_traceback(proc)


def test_a_bad_file_is_said_plainly(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        HEAD
        + "scenarios:\n"
        + scenario("a")
        + "developments:\n"
        + "  - {id: d, title: D, kind: climate, effects: [{scenario: zz, likelihood: 1}]}\n",
        encoding="utf-8",
    )
    proc = run_cli("strategy", str(bad))
    assert proc.returncode == 1
    line = line_of(bad.read_text(encoding="utf-8"), "zz")
    assert f"bad.yaml:{line}:" in proc.stderr and "unknown scenario 'zz'" in proc.stderr
    no_traceback(proc)


def test_too_many_proposals_on_one_scenario(tmp_path: Path) -> None:
    measures = "".join(
        f"  - {{id: p{i}, title: P, owners: [jv], strategy: n, phase: prevent, scenarios: [a],"
        f" status: proposed, cost: 1, effects: [{{likelihood: -0.1}}]}}\n"
        for i in range(13)
    )
    f = tmp_path / "many.yaml"
    f.write_text(
        HEAD
        + "scenarios:\n"
        + scenario("a")
        + "strategies: [{id: n, title: N, scope: national, owner: jv}]\nmeasures:\n"
        + measures,
        encoding="utf-8",
    )
    proc = run_cli("strategy", str(f), "--budget", "5", "--samples", "0")
    assert proc.returncode == 1
    assert "13 proposed measures act on the scenario 'a'" in proc.stderr
    no_traceback(proc)


def test_what_if_a_set_of_developments_materialises() -> None:
    loaded = read_assessment(str(ROOT / EXAMPLE))
    results = compute(loaded.inputs, loaded.method)
    sa = strategy_analysis(loaded.assessment, loaded.inputs, loaded.method, results, samples=0)
    both = what_if_document(loaded, sa, ["climate-change-extremes", "cocaine-market-growth"])
    one = what_if_document(loaded, sa, ["climate-change-extremes"])
    other = what_if_document(loaded, sa, ["cocaine-market-growth"])
    # the two touch different scenarios and no cascade joins them: their risks add
    assert both["with"] - both["current"] == pytest.approx(
        (one["with"] - one["current"]) + (other["with"] - other["current"])
    )
    added = {m["scenario"]: m["risk_added"] for m in both["moves"]}
    heat = [sc.id for sc in loaded.assessment.scenarios].index("heat-wave-drought")
    climate = [d.id for d in loaded.assessment.developments].index("climate-change-extremes")
    assert added["heat-wave-drought"] == pytest.approx(sa.what_if.risk_added[climate, heat])
    with pytest.raises(ValueError, match="unknown development 'mars'"):
        what_if_document(loaded, sa, ["mars"])
    proc = run_cli("strategy", EXAMPLE, "--samples", "0", "--what-if", "mars")
    assert proc.returncode == 1 and "--what-if: unknown development 'mars'" in proc.stderr
    no_traceback(proc)
