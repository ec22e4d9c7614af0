"""``nsra methods``, ``nsra methods show`` and ``nsra schema`` (nsra.cli.methods): every shipped
method listed and shown, class bounds and weights as the method file gives them, the JSON Schema
of both file kinds."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from tests.cli.conftest import Invoke
from tests.helpers import METHOD_IDS, ROOT, no_traceback, replace_once, run_cli, table_row


def test_methods_lists_every_shipped_method() -> None:
    proc = run_cli("methods")
    assert proc.returncode == 0, proc.stderr
    for mid in METHOD_IDS:
        assert mid in proc.stdout


@pytest.mark.parametrize("method_id", METHOD_IDS)
def test_methods_show(method_id: str) -> None:
    proc = run_cli("methods", "show", method_id)
    assert proc.returncode == 0, proc.stderr
    assert method_id in proc.stdout
    no_traceback(proc)


def test_methods_show_nl_says_illustrative() -> None:
    proc = run_cli("methods", "show", "nl-snv")
    assert "ILLUSTRATIVE" in proc.stdout
    assert "illustrative" in proc.stdout.lower()


def test_methods_show_bnra_lists_its_indicators() -> None:
    proc = run_cli("methods", "show", "be-bnra-2023")
    for indicator in ("Ha", "Hb", "Hc", "Sa", "Sb", "Sc", "Sd", "Ea", "Fa", "Fb"):
        assert indicator in proc.stdout


def test_methods_show_in_dutch() -> None:
    proc = run_cli("methods", "show", "nl-snv", "--lang", "nl")
    assert proc.returncode == 0, proc.stderr
    assert "Doden" in proc.stdout


def test_methods_show_unknown_method() -> None:
    proc = run_cli("methods", "show", "xx-nope")
    assert proc.returncode == 1
    assert "unknown method 'xx-nope'" in proc.stderr
    no_traceback(proc)


@pytest.mark.parametrize("kind", ["assessment", "method"])
def test_schema_is_valid_json(kind: str) -> None:
    proc = run_cli("schema", "--kind", kind)
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert doc["$schema"].startswith("https://json-schema.org/")
    assert "properties" in doc


def test_schema_default_is_the_assessment() -> None:
    doc = json.loads(run_cli("schema").stdout)
    assert {"title", "method", "scenarios"} <= set(doc["properties"])


def test_methods_in_dutch(invoke: Invoke) -> None:
    done = invoke("methods", "--lang", "nl")
    assert done.exit_code == 0, done.output
    assert done.stdout.startswith("Methoden\n")
    assert table_row(done.stdout, "be-bnra-2023").startswith(
        "be-bnra-2023 | 2023.1 | BNRA 2023–2026 (België, Nationaal Crisiscentrum) | "
        "considerable, major, extreme | monetised"
    )


def test_methods_show_writes_the_class_bounds_of_the_method_file(invoke: Invoke) -> None:
    """nl-snv, criterion 2.1 (fatalities): classes A 0-10, B 10-100, C 100-1,000,
    D 1,000-10,000, E from 10,000 (the method file's lower and upper bounds)."""
    done = invoke("methods", "show", "nl-snv")
    assert done.exit_code == 0, done.output
    row = table_row(done.stdout, "2.1")
    assert row.startswith("2.1 | physical | Fatalities | persons | ")
    assert row.endswith(
        "A: 0 – 10; B: 10 – 100; C: 100 – 1,000; D: 1,000 – 10,000; E: 10,000 – and more"
    )
    costs = table_row(done.stdout, "3.1")  # EUR: big bounds written out, not 5e+08
    assert "C: 500,000,000 – 5,000,000,000" in costs


def test_methods_show_normalises_the_profile_weights(invoke: Invoke) -> None:
    """nl-snv's profile equal-interests gives weights 3, 3 | 2, 2, 2 | 6 | 6 | 2, 2, 2 | 3, 3
    (sum 36): 1.1 -> 3/36 = 0.083, 2.1 -> 2/36 = 0.056, 3.1 -> 6/36 = 0.167; equal is the
    default profile, 1/12 = 0.083 each."""
    done = invoke("methods", "show", "nl-snv")
    row = table_row(done.stdout, "equal-interests:")
    assert "1.1 0.083, 1.2 0.083, 2.1 0.056, 2.2 0.056, 2.3 0.056, 3.1 0.167, 4.1 0.167" in row
    assert "6.1 0.083, 6.2 0.083" in row
    equal = table_row(done.stdout, "equal")
    assert equal.startswith("equal (default): Equal criterion weights | 1.1 0.083, 1.2 0.083")
    assert "equal-interests (default)" not in done.stdout


def test_methods_show_a_monetised_method(invoke: Invoke) -> None:
    """be-bnra-2023: EUR(s) = 1.6 M x 10^s above s = 0.5, linear from 0 to 5 M below."""
    done = invoke("methods", "show", "be-bnra-2023")
    assert done.exit_code == 0, done.output
    assert (
        "Aggregation: monetised; EUR(s) = 1.6e+06 x 10^s above s = 0.5, linear from 0 to 5e+06 "
        "below" in done.stdout
    )
    assert "Cascades, conditional probability classes: 0: 0 – 0.001; 1: 0.001 – 0.01;" in (
        done.stdout
    )


def test_methods_show_a_method_file(invoke: Invoke) -> None:
    done = invoke("methods", "show", str(ROOT / "src" / "nsra" / "methods" / "uk-nsra-2023.yaml"))
    assert done.exit_code == 0, done.output
    assert "uk-nsra-2023" in done.stdout


def test_schema_of_an_unknown_kind(invoke: Invoke) -> None:
    done = invoke("schema", "--kind", "scenario")
    assert done.exit_code == 1
    assert str(done.exception) == "error: unknown kind 'scenario'; allowed: assessment, method"


def test_schema_of_the_method_file() -> None:
    doc = json.loads(run_cli("schema", "--kind", "method").stdout)
    assert doc["title"] == "nsra method file"
    assert {"id", "criteria", "scales", "aggregation"} <= set(doc["properties"])


def test_methods_show_prints_the_method_text_as_it_is(invoke: Invoke, tmp_path: Path) -> None:
    source = (ROOT / "src" / "nsra" / "methods" / "uk-nsra-2023.yaml").read_text(encoding="utf-8")
    mine = tmp_path / "mine.yaml"
    mine.write_text(
        replace_once(
            source,
            '  en: "UK National Security Risk Assessment (NRR 2023)"',
            '  en: "UK [/x] [bold]risks[/bold] :fire:"',
        ),
        encoding="utf-8",
    )
    done = invoke("methods", "show", str(mine))
    assert done.exit_code == 0, done.output
    assert done.stdout.startswith("UK [/x] [bold]risks[/bold] :fire:  (uk-nsra-2023, version 2023)")


def test_methods_scale_reads_dp_2_5_as_a_3600_month_return_period(invoke: Invoke) -> None:
    r = invoke("methods", "scale", "be-bnra-2023", "dp", "2.5", "--format", "json")
    assert r.exit_code == 0, r.output
    doc = json.loads(r.output)
    (x,) = doc["positions"]
    assert doc["role"] == "likelihood" and x["class_code"] == "3"
    assert x["quantity"] == pytest.approx(3600.0, rel=1e-13)
    assert x["daily_probability"] == pytest.approx(1 - math.exp(-(1 / 30.437) / 3600), rel=1e-12)
    assert x["lower"] == pytest.approx(36 * 10**2.5) and x["upper"] == pytest.approx(36 * 10**1.5)


def test_methods_scale_reads_cp7_and_indicators(invoke: Invoke) -> None:
    r = invoke("methods", "scale", "be-bnra-2025", "cp7", "1.0", "4.2", "--format", "json")
    one, other = json.loads(r.output)["positions"]
    assert one["quantity"] == pytest.approx(0.05005, rel=1e-13)
    assert other["quantity"] == pytest.approx(0.40 + 0.15 * 0.7, rel=1e-13)
    assert other["class_code"] == "4" and other["class_label"] == "between 40% and 55%"
    # an actor's cascade: a probability over 3 years, turned into a daily one
    daily = 1 - math.exp(math.log1p(-0.05005) / (36 * 30.437))
    assert one["daily_probability"] == pytest.approx(daily, rel=1e-12)
    r = invoke("methods", "scale", "be-bnra-2023", "Ha", "2")
    assert r.exit_code == 0
    assert table_row(r.output, "2").split(" | ")[:4] == ["2", "2", "11–100", "32.00"]
    r = invoke("methods", "scale", "be-bnra-2025", "Ha", "2", "--format", "json")
    (x,) = json.loads(r.output)["positions"]
    assert x["euros"] == pytest.approx(math.exp(1.92 * 1.5 + 13.2), rel=1e-12)
    assert x["quantity"] == pytest.approx(x["euros"] * 10 / 50e6, rel=1e-12)


def test_methods_scale_unknown_scale(invoke: Invoke) -> None:
    r = invoke("methods", "scale", "be-bnra-2023", "dp7")
    assert r.exception is not None
    assert "has no scale or criterion 'dp7'" in str(r.exception)
