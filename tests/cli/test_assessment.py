"""``nsra validate`` and ``nsra compute`` (nsra.cli.assessment), run in a subprocess as a user
runs them, on every example in examples/.

Exit codes: 0 success, 1 problems in the input, 2 wrong use of the command, 3 internal error.
A user never sees a Python traceback.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from nsra.i18n import LANGS
from nsra.io.methods import load_method
from nsra.io.safeyaml import load
from tests.helpers import (
    EXAMPLES,
    NL_BASE,
    ROOT,
    compute_json,
    line_of,
    no_traceback,
    replace_once,
    run_cli,
    table_row,
)

EXAMPLE_IDS = [p.stem for p in EXAMPLES]


def rel(path: Path) -> str:
    return str(path.relative_to(ROOT))


def scenario_ids(path: Path) -> list[str]:
    data = load(path.read_text(encoding="utf-8"))
    return [sc["id"] for sc in data["scenarios"]]


def test_there_are_examples() -> None:
    assert len(EXAMPLES) >= 2
    assert {"be-bnra", "nl-integrated"} <= set(EXAMPLE_IDS)


# -- every example ---------------------------------------------------------------------------------
@pytest.mark.parametrize("example", EXAMPLES, ids=EXAMPLE_IDS)
def test_validate_example(example: Path) -> None:
    proc = run_cli("validate", rel(example))
    assert proc.returncode == 0, proc.stderr
    assert "valid" in proc.stdout
    no_traceback(proc)


@pytest.mark.parametrize("example", EXAMPLES, ids=EXAMPLE_IDS)
def test_validate_example_json_format(example: Path) -> None:
    proc = run_cli("validate", rel(example), "--format", "json")
    assert proc.returncode == 0, proc.stderr
    problems = json.loads(proc.stdout)
    assert isinstance(problems, list)
    assert all(p["severity"] == "warning" for p in problems)


@pytest.mark.parametrize("example", EXAMPLES, ids=EXAMPLE_IDS)
def test_compute_json_contract(example: Path) -> None:
    doc = compute_json(rel(example))
    assert doc["format"] == "nsra-results/1"
    assert doc["nsra_version"]
    assert {"title", "date", "classification", "source"} <= set(doc["assessment"])
    assert {"id", "version", "aggregation", "time_basis_months"} <= set(doc["method"])
    scenarios = doc["scenarios"]
    assert sorted(sc["id"] for sc in scenarios) == sorted(scenario_ids(example))
    method_criteria = None
    for sc in scenarios:
        for key in ("id", "title", "impact", "likelihood", "risk", "rank", "spread"):
            assert key in sc, f"{sc.get('id')}: no {key}"
        assert {"criteria", "interests", "total"} <= set(sc["impact"])
        assert {"class", "probability"} <= set(sc["likelihood"])
        assert {"likelihood", "impact"} <= set(sc["spread"])
        assert isinstance(sc["title"], str) and sc["title"]
        if method_criteria is None:
            method_criteria = set(sc["impact"]["criteria"])
        assert set(sc["impact"]["criteria"]) == method_criteria
        assert set(sc["spread"]["impact"]) == method_criteria
        p = sc["likelihood"]["probability"]
        assert p is None or 0.0 <= p <= 1.0
        assert sc["rank"] is None or sc["rank"] >= 1
        if sc["risk"] is not None and sc["impact"]["total"] is not None:
            assert sc["risk"] >= 0
        interests = [v for v in sc["impact"]["interests"].values() if v is not None]
        if sc["impact"]["direct"] is not None:
            assert sum(interests) == pytest.approx(sc["impact"]["direct"], rel=1e-9, abs=1e-12)


@pytest.mark.parametrize("example", EXAMPLES, ids=EXAMPLE_IDS)
def test_compute_json_is_in_rank_order_with_1224_ties(example: Path) -> None:
    scenarios = compute_json(rel(example))["scenarios"]
    ranked = [sc for sc in scenarios if sc["rank"] is not None]
    assert [sc["rank"] for sc in ranked] == sorted(sc["rank"] for sc in ranked)
    for n, sc in enumerate(ranked):
        higher = sum(1 for other in ranked if other["risk"] > sc["risk"] * (1 + 1e-12))
        assert sc["rank"] == 1 + higher, sc["id"]
        assert sc["rank"] <= n + 1
    # unranked scenarios come last
    assert scenarios[: len(ranked)] == ranked


@pytest.mark.parametrize("example", EXAMPLES, ids=EXAMPLE_IDS)
def test_compute_csv(example: Path) -> None:
    proc = run_cli("compute", rel(example), "--format", "csv")
    assert proc.returncode == 0, proc.stderr
    rows = list(csv.DictReader(io.StringIO(proc.stdout)))
    doc = compute_json(rel(example))
    assert len(rows) == len(doc["scenarios"]) == len(scenario_ids(example))
    assert [r["id"] for r in rows] == [sc["id"] for sc in doc["scenarios"]]
    for col in ("rank", "id", "title", "domain", "likelihood_class", "probability", "risk"):
        assert col in rows[0]
    for row, sc in zip(rows, doc["scenarios"], strict=True):
        assert row["title"] == sc["title"]
        assert row["classification"] == doc["assessment"]["classification"]
        if sc["risk"] is not None:
            assert float(row["risk"]) == pytest.approx(sc["risk"], rel=1e-5)


@pytest.mark.parametrize("example", EXAMPLES, ids=EXAMPLE_IDS)
@pytest.mark.parametrize("lang", LANGS)
def test_compute_table(example: Path, lang: str) -> None:
    proc = run_cli("compute", rel(example), "--format", "table", "--lang", lang)
    assert proc.returncode == 0, proc.stderr
    no_traceback(proc)
    assert "rank" in proc.stdout
    assert "classification" in proc.stdout


@pytest.mark.parametrize("example", EXAMPLES, ids=EXAMPLE_IDS)
def test_every_profile_of_the_example_method_computes(example: Path) -> None:
    method_id = load(example.read_text(encoding="utf-8"))["method"]
    method = load_method(method_id)
    for profile in [p.id for p in method.profiles][:2]:
        proc = run_cli("compute", rel(example), "--format", "json", "--profile", profile)
        assert proc.returncode == 0, proc.stderr
        assert json.loads(proc.stdout)["method"]["profile"] == profile


@pytest.mark.parametrize("example", EXAMPLES, ids=EXAMPLE_IDS)
def test_serious_follows_the_method_diagram(example: Path) -> None:
    """serious = impact class >= serious_from, or likelihood + impact class >= serious_sum_from."""
    doc = compute_json(rel(example))
    method = load_method(doc["method"]["id"])
    impact_scale = method.scale(method.aggregation.total_scale)
    d = method.diagram
    for sc in doc["scenarios"]:
        lik_scale = method.scale(method.likelihood.scale_for(sc["malicious"]).scale)
        imp = impact_scale.index_of(sc["impact"]["class"]) if sc["impact"]["class"] else None
        lik = lik_scale.index_of(sc["likelihood"]["class"]) if sc["likelihood"]["class"] else None
        expected = imp is not None and (
            imp >= d.serious_from
            or (
                d.serious_sum_from is not None
                and lik is not None
                and lik + imp >= d.serious_sum_from
            )
        )
        assert sc["serious"] is expected, sc["id"]


# -- problems --------------------------------------------------------------------------------------
@pytest.mark.parametrize("command", ["validate", "compute"])
def test_invalid_file_exits_1_with_the_problem_on_stderr(command: str, invalid_file: Path) -> None:
    proc = run_cli(command, str(invalid_file))
    assert proc.returncode == 1
    assert "criterion 2.1 has no class 'F'; allowed: X, A, B, C, D, E" in proc.stderr
    line = line_of(invalid_file.read_text(encoding="utf-8"), '"2.1": F')
    assert f"{invalid_file}:{line}:" in proc.stderr  # file:line:column
    assert "1 problem found" in proc.stderr
    no_traceback(proc)


def test_validate_json_problems(invalid_file: Path) -> None:
    proc = run_cli("validate", str(invalid_file), "--format", "json")
    assert proc.returncode == 1
    (p,) = [p for p in json.loads(proc.stdout) if p["severity"] == "error"]
    assert p["line"] == line_of(invalid_file.read_text(encoding="utf-8"), '"2.1": F')
    assert p["field"] == "scenarios[0].estimates[1].impact.2.1"
    assert p["message"] == "criterion 2.1 has no class 'F'; allowed: X, A, B, C, D, E"


def test_missing_file_exits_1(tmp_path: Path) -> None:
    proc = run_cli("compute", str(tmp_path / "nope.yaml"))
    assert proc.returncode == 1
    assert "cannot read the file" in proc.stderr
    no_traceback(proc)


INVALID_INPUTS = {
    "custom tag": ("    theme: water\n", '    theme: !!python/object/apply:os.system ["x"]\n'),
    "alias": ("    theme: water\n", "    theme: &t water\n    description: *t\n"),
    "duplicate key": ("    theme: water\n", "    theme: water\n    theme: fire\n"),
    "not a list": ("    owner: bz\n    estimates:\n", "    owner: bz\n    estimates: 5\n    x:\n"),
}


@pytest.mark.parametrize("name", list(INVALID_INPUTS))
def test_invalid_input_is_never_an_internal_error(tmp_path: Path, name: str) -> None:
    """Exit 1 with a plain message; exit 3 ("internal error") is a bug in nsra. The last case
    (``estimates: 5``) currently ends in an internal error (BUG, see the report)."""
    old, new = INVALID_INPUTS[name]
    path = tmp_path / "bad.yaml"
    path.write_text(replace_once(NL_BASE, old, new), encoding="utf-8")
    proc = run_cli("compute", str(path))
    assert proc.returncode == 1, f"{name}: exit {proc.returncode}: {proc.stderr}"
    assert "internal error" not in proc.stderr
    no_traceback(proc)


def test_file_above_max_size(tmp_path: Path) -> None:
    path = tmp_path / "a.yaml"
    path.write_text(NL_BASE, encoding="utf-8")
    proc = run_cli("validate", str(path), "--max-size", "100")
    assert proc.returncode == 1
    assert "above the limit of 100 bytes" in proc.stderr
    no_traceback(proc)


def test_unknown_profile_lists_the_profiles(tmp_path: Path) -> None:
    path = tmp_path / "a.yaml"
    path.write_text(NL_BASE, encoding="utf-8")
    proc = run_cli("compute", str(path), "--profile", "nope")
    assert proc.returncode == 1
    assert "unknown weight profile 'nope'" in proc.stderr
    assert "equal, equal-interests, physical-first, no-international" in proc.stderr
    no_traceback(proc)


def test_unknown_profile_on_a_monetised_method(tmp_path: Path) -> None:
    example = next(p for p in EXAMPLES if p.stem == "be-bnra")
    proc = run_cli("compute", rel(example), "--profile", "nope")
    assert proc.returncode == 1
    assert "unknown weight profile 'nope'" in proc.stderr
    assert "no weights" in proc.stderr
    no_traceback(proc)


# -- writing a file --------------------------------------------------------------------------------
@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_compute_output_writes_the_file(tmp_path: Path, fmt: str) -> None:
    example = EXAMPLES[0]
    out = tmp_path / "sub" / f"results.{fmt}"
    proc = run_cli("compute", rel(example), "--format", fmt, "-o", str(out))
    assert proc.returncode == 0, proc.stderr
    assert out.is_file()
    stdout = run_cli("compute", rel(example), "--format", fmt).stdout
    if fmt == "json":
        written = json.loads(out.read_text(encoding="utf-8"))
        assert written["scenarios"] == json.loads(stdout)["scenarios"]
    else:
        assert out.read_text(encoding="utf-8") == stdout
    # nothing but the result is left behind (no temporary files)
    assert [p.name for p in out.parent.iterdir()] == [out.name]


def test_compute_output_writes_nothing_on_error(tmp_path: Path, invalid_file: Path) -> None:
    out = tmp_path / "out" / "results.json"
    proc = run_cli("compute", str(invalid_file), "--format", "json", "-o", str(out))
    assert proc.returncode == 1
    assert not out.exists()
    assert not out.parent.exists() or not list(out.parent.iterdir())
    no_traceback(proc)


def test_compute_output_keeps_an_old_file_on_error(tmp_path: Path, invalid_file: Path) -> None:
    out = tmp_path / "results.json"
    out.write_text('{"old": true}', encoding="utf-8")
    proc = run_cli("compute", str(invalid_file), "--format", "json", "-o", str(out))
    assert proc.returncode == 1
    assert out.read_text(encoding="utf-8") == '{"old": true}'
    assert sorted(p.name for p in tmp_path.iterdir()) == ["invalid.yaml", "results.json"]


def test_compute_output_needs_json_or_csv(tmp_path: Path) -> None:
    out = tmp_path / "results.txt"
    proc = run_cli("compute", rel(EXAMPLES[0]), "-o", str(out))
    assert proc.returncode == 1
    assert "--output needs --format json or csv" in proc.stderr
    assert not out.exists()
    assert not list(tmp_path.iterdir())


def test_compute_output_to_a_directory_is_a_plain_problem(tmp_path: Path) -> None:
    """``-o`` naming an existing directory is a user's mistake: exit 1 with a plain message,
    not exit 3 "internal error ... a bug in nsra" (BUG, minor: ``_write_atomic`` lets the
    IsADirectoryError of ``os.replace`` through)."""
    proc = run_cli("compute", rel(EXAMPLES[0]), "--format", "json", "-o", str(tmp_path))
    assert not list(tmp_path.iterdir())  # no temporary file left behind
    assert proc.returncode == 1, proc.stderr
    assert "internal error" not in proc.stderr
    no_traceback(proc)


def test_validate_checks_method_files_too(tmp_path: Path) -> None:
    shipped = ROOT / "src" / "nsra" / "methods"
    for name in ("nl-snv.yaml", "be-bnra-2023.yaml", "uk-nsra-2023.yaml"):
        proc = run_cli("validate", str(shipped / name))
        assert proc.returncode == 0, proc.stderr
        assert "valid method" in proc.stdout
    broken = tmp_path / "my-method.yaml"
    text = (shipped / "nl-snv.yaml").read_text(encoding="utf-8")
    broken.write_text(text.replace("scores: [0, 1, 3, 9, 27, 81]", "scores: [0, 1, 3]"), "utf-8")
    proc = run_cli("validate", str(broken))
    assert proc.returncode == 1
    assert "aggregation.scores" in proc.stderr and "Traceback" not in proc.stderr


def test_compute_table_prints_titles_as_they_are(tmp_path: Path) -> None:
    path = tmp_path / "a.yaml"
    text = replace_once(NL_BASE, "title: Test assessment\n", 'title: "[/x] risks :fire:"\n')
    text = replace_once(text, "    title: Attack\n", "    title: Attack [red]now\n")
    path.write_text(text, encoding="utf-8")
    proc = run_cli("compute", str(path))
    assert proc.returncode == 0, proc.stderr
    assert "[/x] risks :fire: — nl-snv" in proc.stdout
    assert table_row(proc.stdout, "1").split(" | ")[1] == "Attack [red]now"
