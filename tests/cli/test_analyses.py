"""``nsra analyse`` and the executors the analyses run on (nsra.cli.analyses): this process, a
process pool or a Dask cluster; what the document records of them; plain problems for wrong
options."""

from __future__ import annotations

import json
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pytest

from nsra.cli.analyses import executor
from nsra.io.problems import InputError
from tests.cli.conftest import Invoke
from tests.helpers import EXAMPLES_DIR, NL_BASE

SMALL = ("--samples", "100", "--years", "20", "--seed", "5")


@pytest.fixture
def small(tmp_path: Path) -> Path:
    path = tmp_path / "small.yaml"
    path.write_text(NL_BASE, encoding="utf-8")
    return path


def test_one_worker_is_this_process() -> None:
    with executor(1, None) as pool:
        assert pool is None


def test_more_workers_are_a_process_pool() -> None:
    with executor(3, None) as pool:
        assert isinstance(pool, ProcessPoolExecutor)
        assert pool._max_workers == 3  # type: ignore[attr-defined]
        assert pool.submit(abs, -4).result() == 4


def test_an_unreachable_dask_scheduler_is_a_problem() -> None:
    with (
        pytest.raises(InputError, match="cannot reach the Dask scheduler at nowhere: "),
        executor(1, "nowhere"),
    ):
        pass


def test_analyse_writes_the_document_with_its_executor(invoke: Invoke, small: Path) -> None:
    done = invoke("analyse", str(small), *SMALL, "--workers", "2")
    assert done.exit_code == 0, done.output
    doc = json.loads(done.stdout)
    assert doc["format"] == "nsra-analysis/1"
    assert doc["options"]["seed"] == 5
    assert doc["options"]["workers"] == 2
    assert doc["options"]["dask"] is None
    assert doc["uncertainty"]["samples"] == 100


def test_analyse_output_says_where_on_standard_error(
    invoke: Invoke, small: Path, tmp_path: Path
) -> None:
    target = tmp_path / "out" / "a.json"
    done = invoke("analyse", str(small), *SMALL, "-o", str(target))
    assert done.exit_code == 0, done.output
    assert done.stdout == ""
    assert done.stderr == f"Written: {target}\n"
    assert json.loads(target.read_text(encoding="utf-8"))["options"]["seed"] == 5


def test_the_same_seed_gives_the_same_document_on_any_executor(invoke: Invoke, small: Path) -> None:
    here = json.loads(invoke("analyse", str(small), *SMALL).stdout)
    pooled = json.loads(invoke("analyse", str(small), *SMALL, "--workers", "2").stdout)
    here["options"].pop("workers")
    pooled["options"].pop("workers")
    assert here == pooled


@pytest.mark.parametrize(
    ("option", "said"),
    [
        (
            ("--distribution", "normal"),
            "unknown distribution 'normal'; allowed: uniform, triangular",
        ),
        (("--weights", "bogus"), "unknown --weights 'bogus'"),
        (("--profile", "nope"), "unknown weight profile 'nope'"),
        (("--only", "cascades,bogus"), "--only: unknown analysis bogus; allowed: uncertainty"),
        (("--format", "xml"), "unknown format 'xml'; allowed: json, table"),
    ],
)
def test_wrong_analysis_options_are_problems(
    invoke: Invoke, small: Path, option: tuple[str, str], said: str
) -> None:
    done = invoke("analyse", str(small), *SMALL, *option)
    assert done.exit_code == 1
    assert isinstance(done.exception, InputError)
    assert said in str(done.exception)
    assert done.stdout == ""


@pytest.mark.parametrize("option", [("--samples", "99"), ("--seed", "-1"), ("--workers", "0")])
def test_sizes_out_of_range_are_wrong_use(
    invoke: Invoke, small: Path, option: tuple[str, str]
) -> None:
    assert invoke("analyse", str(small), *option).exit_code == 2


def test_only_cascades_runs_the_cascade_analysis_alone(invoke: Invoke) -> None:
    bnra = str(EXAMPLES_DIR / "be-bnra.yaml")
    done = invoke("analyse", bnra, "--only", "cascades", "--years", "50", "--graphs", "40")
    assert done.exit_code == 0, done.output
    doc = json.loads(done.stdout)
    assert set(doc) == {"format", "nsra_version", "assessment", "options", "cascades"}
    cas = doc["cascades"]
    assert cas["years"] == 50
    assert cas["forced_start"] == {"graphs": 40, "seed": 1, "impact_noise": True}
    for risk in cas["risks"]:  # every cell has a figure
        for lv in risk["levels"]:
            imp = lv["impact_forced_start"]
            assert 0 < imp["p5"] <= imp["p50"] <= imp["p95"]
    plain = invoke(
        "analyse",
        bnra,
        "--only",
        "cascades",
        "--years",
        "50",
        "--graphs",
        "40",
        "--no-impact-noise",
    )
    flat = json.loads(plain.stdout)["cascades"]
    assert flat["forced_start"]["impact_noise"] is False
    assert (
        flat["risks"][0]["levels"][0]["impact_forced_start"]["p50"]
        != (cas["risks"][0]["levels"][0]["impact_forced_start"]["p50"])
    )
    both = json.loads(invoke("analyse", bnra, *SMALL, "--only", "network,smaa").stdout)
    assert {"network", "smaa"} <= set(both) and "uncertainty" not in both


def test_format_table_is_a_summary_to_read(invoke: Invoke, small: Path) -> None:
    done = invoke("analyse", str(small), *SMALL, "--format", "table")
    assert done.exit_code == 0, done.output
    text = done.stdout
    assert not text.lstrip().startswith("{")
    assert "Ranking and its uncertainty" in text
    assert "How often each scenario ranks first" in text
    bnra = str(EXAMPLES_DIR / "be-bnra.yaml")
    done = invoke(
        "analyse",
        bnra,
        "--only",
        "cascades",
        "--years",
        "30",
        "--graphs",
        "20",
        "--format",
        "table",
    )
    assert "Cascades over 30 simulated years" in done.stdout
    assert "Pandemic" in done.stdout and "Ranking" not in done.stdout
