"""``nsra compare OLD NEW`` (nsra.cli.compare): the changes as a table, JSON and CSV, from files
and from published versions in the database; bad files said plainly."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from nsra.io.problems import InputError
from tests.cli.conftest import Invoke
from tests.helpers import NL_BASE, no_traceback, replace_once, run_cli, table_row

LOWER = replace_once(
    NL_BASE,
    "      - analyst: a1\n        likelihood: D\n",
    "      - analyst: a1\n        likelihood: B\n",
)
PLANNED = replace_once(
    NL_BASE, "    scenarios: [flood]\n", "    scenarios: [flood]\n    status: planned\n"
)


@pytest.fixture
def pair(tmp_path: Path) -> tuple[Path, Path]:
    """The small Dutch assessment with a planned measure, and the same with that measure in
    place and the attack's likelihood two classes lower (analyst a1: D -> B)."""
    old, new = tmp_path / "old.yaml", tmp_path / "new.yaml"
    old.write_text(PLANNED, encoding="utf-8")
    new.write_text(LOWER, encoding="utf-8")
    return old, new


def test_the_same_file_says_no_changes(invoke: Invoke, pair: tuple[Path, Path]) -> None:
    old, _new = pair
    done = invoke("compare", str(old), str(old))
    assert done.exit_code == 0, done.output
    assert done.stdout.splitlines()[-1] == "No changes."
    data = json.loads(invoke("compare", str(old), str(old), "--format", "json").stdout)
    assert data["changed"] is False
    assert data["scenarios"] == {"added": [], "removed": [], "changed": []}
    assert invoke("compare", str(old), str(old), "--format", "csv").stdout == (
        "change,id,title,level,slot,analyst,old,new\n"
    )


def test_table(invoke: Invoke, pair: tuple[Path, Path]) -> None:
    done = invoke("compare", *map(str, pair))
    assert done.exit_code == 0, done.output
    text = done.stdout
    assert "0 new and 0 removed scenarios; 2 risks moved (1 up, 1 down)" in text
    assert "measures: 0 added, 1 completed, 0 removed." in text
    assert table_row(text, "1 -> 2") == (
        "1 -> 2 | down 1 | Attack | D -> B | B | no | likelihood D -> B (a1 D -> B)"
    )
    assert (
        table_row(text, "2 -> 1") == "2 -> 1 | up 1 | River flood | C | A | no | other risks moved"
    )
    assert table_row(text, "completed") == "completed | A measure | planned -> in_place"


def test_json(invoke: Invoke, pair: tuple[Path, Path]) -> None:
    old, new = pair
    doc = json.loads(invoke("compare", str(old), str(new), "--format", "json").stdout)
    assert doc["format"] == "nsra-changes/1"
    assert (doc["old"]["source"], doc["new"]["source"]) == (str(old), str(new))
    assert doc["same_method"] is True and doc["changed"] is True
    assert doc["counts"] == {
        "added": 0, "removed": 0, "moved": 2, "up": 1, "down": 1, "serious_new": 0,
        "serious_gone": 0, "measures_added": 0, "measures_completed": 1,
        "measures_removed": 0, "measures_status": 0,
    }  # fmt: skip
    flood, attack = doc["scenarios"]["changed"]  # the new rank order: the flood leads now
    assert (flood["id"], flood["moved"], flood["causes"]) == ("flood", 1, [])
    assert attack["id"] == "attack" and attack["moved"] == -1
    assert attack["causes"] == [
        {
            "level": None,
            "slot": "likelihood",
            "old": {"class": "D", "position": 4.0, "consensus": None},
            "new": {"class": "B", "position": 2.0, "consensus": None},
            "analysts": [{"analyst": "a1", "old": "D", "new": "B"}],
        }
    ]
    assert doc["measures"]["completed"] == [
        {"id": "m1", "title": "A measure", "old_status": "planned", "new_status": "in_place"}
    ]


def test_csv_one_row_per_change(invoke: Invoke, pair: tuple[Path, Path], tmp_path: Path) -> None:
    target = tmp_path / "out" / "changes.csv"
    done = invoke("compare", *map(str, pair), "--format", "csv", "-o", str(target))
    assert (done.exit_code, done.stdout) == (0, f"Written: {target}\n")
    rows = target.read_text(encoding="utf-8").splitlines()
    assert rows[0] == "change,id,title,level,slot,analyst,old,new"
    assert rows[1:5] == [
        "rank,flood,River flood,,,,2,1",
        "rank,attack,Attack,,,,1,2",
        "likelihood,attack,Attack,,,,D,B",
        "risk,attack,Attack,,,,0.395285,0.00395285",
    ]
    assert rows[5:] == [
        "estimate,attack,Attack,,likelihood,,D,B",
        "analyst_estimate,attack,Attack,,likelihood,a1,D,B",
        "measure_completed,m1,A measure,,,,planned,in_place",
    ]


def test_a_table_is_not_written_to_a_file(invoke: Invoke, pair: tuple[Path, Path]) -> None:
    done = invoke("compare", *map(str, pair), "-o", "x.txt")
    assert done.exit_code == 1
    assert isinstance(done.exception, InputError)
    assert "--output needs --format json or csv" in str(done.exception)


def test_a_bad_file_is_said_with_file_line_and_field(
    invalid_file: Path, pair: tuple[Path, Path], tmp_path: Path
) -> None:
    target = tmp_path / "never.json"
    proc = run_cli(
        "compare", str(pair[0]), str(invalid_file), "--format", "json", "-o", str(target)
    )
    no_traceback(proc)
    assert proc.returncode == 1
    line = 1 + invalid_file.read_text(encoding="utf-8").splitlines().index('          "2.1": F')
    assert proc.stderr.startswith(
        f"{invalid_file}:{line}:11: error: scenarios[0].estimates[1].impact.2.1: criterion 2.1 "
        "has no class 'F'"
    )
    assert "nothing was computed or written" in proc.stderr
    assert proc.stdout == "" and not target.exists()


def test_a_missing_file_is_a_problem(pair: tuple[Path, Path], tmp_path: Path) -> None:
    proc = run_cli("compare", str(tmp_path / "nope.yaml"), str(pair[1]))
    no_traceback(proc)
    assert proc.returncode == 1
    assert "nope.yaml" in proc.stderr and proc.stdout == ""


def test_published_versions_in_the_database(
    invoke: Invoke, pair: tuple[Path, Path], tmp_path: Path
) -> None:
    from nsra.server.db import make_engine
    from nsra.server.db import versions as vs
    from nsra.server.db.models import AssessmentRow

    url = f"sqlite:///{tmp_path / 'nsra.db'}"
    old, new = pair
    assert invoke("db", "upgrade", "--url", url).exit_code == 0
    assert invoke("db", "import", str(old), "--url", url).exit_code == 0
    engine = make_engine(url)
    with Session(engine) as s:
        vs.publish(s, s.get(AssessmentRow, 1), "tester", label="first")  # type: ignore[arg-type]
        s.commit()
    engine.dispose()
    same = invoke("compare", "db:1/1", "db:1/live", "--url", url)
    assert same.exit_code == 0, same.output
    assert same.stdout.splitlines()[-1] == "No changes."
    doc = json.loads(invoke("compare", "db:1/1", str(new), "--url", url, "--format", "json").stdout)
    assert doc["old"]["source"] == "assessment 1 version 1"
    assert doc["counts"]["moved"] == 2
    file_doc = json.loads(invoke("compare", str(old), str(new), "--format", "json").stdout)
    assert doc["scenarios"] == file_doc["scenarios"]  # the version is the file it was made of
    for spec, message in (
        ("db:1/9", "assessment 1 has no published version 9"),
        ("db:7/1", "there is no assessment 7 in the database"),
        ("db:one", "an edition in the database is written db:ID/N"),
    ):
        done = invoke("compare", spec, str(new), "--url", url)
        assert done.exit_code == 1
        assert message in str(done.exception), spec


def test_a_risk_moved_by_a_cascade_says_so(invoke: Invoke, tmp_path: Path) -> None:
    """be-bnra-2023 counts cascades in risk: a higher conditional probability from the flood
    raises the sabotage's risk and a class with no estimate of its own changed."""
    from tests.helpers import BNRA_BASE

    old, new = tmp_path / "old.yaml", tmp_path / "new.yaml"
    old.write_text(BNRA_BASE, encoding="utf-8")
    new.write_text(
        replace_once(
            BNRA_BASE, 'considerable: {considerable: "2"}', 'considerable: {considerable: "5"}'
        ),
        encoding="utf-8",
    )
    doc = json.loads(invoke("compare", str(old), str(new), "--format", "json").stdout)
    sabotage = next(sc for sc in doc["scenarios"]["changed"] if sc["id"] == "sabotage")
    assert sabotage["shifted"] and sabotage["causes"] == []
    assert sabotage["new"]["risk"] > sabotage["old"]["risk"]
    text = invoke("compare", str(old), str(new)).stdout
    assert text.count("its risk changed through cascades (no estimate of its own changed)") == 1
