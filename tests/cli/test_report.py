"""``nsra report`` and ``nsra demo`` (nsra.cli.report): the HTML written where asked, whole, and
the command saying where it is."""

from __future__ import annotations

from pathlib import Path

import pytest

from nsra.io.problems import InputError
from nsra.io.safeyaml import load
from nsra.model.text import tr
from tests.cli.conftest import Invoke
from tests.helpers import EXAMPLES_DIR, NL_BASE


def test_report_without_analyses(
    invoke: Invoke, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("small.yaml").write_text(NL_BASE, encoding="utf-8")
    done = invoke("report", "small.yaml", "-o", "deep/r.html", "--no-analysis", "--lang", "nl")
    assert done.exit_code == 0, done.output
    target = tmp_path.resolve() / "deep" / "r.html"
    assert done.stdout == f"Report written: {target}\n"  # where it is, whatever the folder
    html = target.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>")
    assert 'lang="nl"' in html
    assert "River flood" in html


def test_report_into_a_folder_is_a_problem(invoke: Invoke, tmp_path: Path) -> None:
    source = tmp_path / "small.yaml"
    source.write_text(NL_BASE, encoding="utf-8")
    done = invoke("report", str(source), "-o", str(tmp_path), "--no-analysis")
    assert done.exit_code == 1
    assert isinstance(done.exception, InputError)
    assert "is a folder; give the name of a file to write" in str(done.exception)


def test_demo_writes_the_report_of_the_integrated_example(
    invoke: Invoke, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    example = load((EXAMPLES_DIR / "nl-integrated.yaml").read_text(encoding="utf-8"))
    done = invoke("demo")
    assert done.exit_code == 0, done.output
    target = tmp_path / "out" / "nsra-demo-report.html"  # the default
    assert done.stdout == (
        f"Integrated example: {len(example['scenarios'])} scenarios, method {example['method']}.\n"
        f"Report written: {target}\n"
        "Open it in a browser; it works offline.\n"
    )
    html = target.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>")
    assert f"<title>{tr(example['title'], 'en')} — " in html


@pytest.mark.parametrize(("suffix", "magic"), [(".pdf", b"%PDF-"), (".docx", b"PK\x03\x04")])
def test_report_format_follows_the_suffix(
    invoke: Invoke, tmp_path: Path, suffix: str, magic: bytes
) -> None:
    source = tmp_path / "small.yaml"
    source.write_text(NL_BASE, encoding="utf-8")
    target = tmp_path / f"r{suffix}"
    done = invoke("report", str(source), "-o", str(target), "--no-analysis", "--lang", "fr")
    assert done.exit_code == 0, done.output
    assert target.read_bytes().startswith(magic)


def test_unknown_suffix_is_a_plain_error_and_nothing_is_written(
    invoke: Invoke, tmp_path: Path
) -> None:
    source = tmp_path / "small.yaml"
    source.write_text(NL_BASE, encoding="utf-8")
    done = invoke("report", str(source), "-o", str(tmp_path / "r.odt"), "--no-analysis")
    assert done.exit_code == 1
    assert isinstance(done.exception, InputError)
    assert "r.odt: the report is written as .html, .pdf or .docx" in str(done.exception)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["small.yaml"]


def test_a_failing_render_leaves_no_file(
    invoke: Invoke, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import nsra.report.pdf

    def broken(page: str, lang: str | None = None) -> bytes:
        raise RuntimeError("layout failed")

    monkeypatch.setattr(nsra.report.pdf, "render_pdf", broken)
    source = tmp_path / "small.yaml"
    source.write_text(NL_BASE, encoding="utf-8")
    done = invoke("report", str(source), "-o", str(tmp_path / "r.pdf"), "--no-analysis")
    assert done.exit_code != 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["small.yaml"]
