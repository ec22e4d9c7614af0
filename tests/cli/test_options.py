"""The options several commands share (nsra.cli.options): ``--lang`` accepts exactly the
languages of nsra's own words (:data:`nsra.i18n.LANGS`) and says which they are; ``--max-size``
at least one byte."""

from __future__ import annotations

import importlib
from typing import get_args

import pytest

from nsra import i18n
from nsra.cli import options
from nsra.cli.options import languages
from tests.cli.conftest import Invoke

LANG_COMMANDS = [("methods",), ("methods", "show"), ("compute",), ("report",), ("demo",)]


def test_languages_as_a_sentence_lists_them() -> None:
    assert languages(("en",)) == "en"
    assert languages(("en", "nl")) == "en or nl"
    assert languages(("en", "nl", "fr", "de")) == "en, nl, fr or de"


@pytest.mark.parametrize("command", LANG_COMMANDS, ids=" ".join)
def test_the_help_names_the_languages_of_nsra(invoke: Invoke, command: tuple[str, ...]) -> None:
    done = invoke(*command, "--help")
    assert done.exit_code == 0, done.output
    (line,) = [line for line in done.stdout.splitlines() if "--lang" in line]
    metavar = "<" + "|".join(i18n.LANGS) + ">"
    assert f"--lang {metavar} Language of labels: {languages(i18n.LANGS)}. [default: en]" in (
        " ".join(line.strip("│ ").split())
    )


def test_the_help_is_made_from_the_list_of_languages(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(i18n, "LANGS", ("en", "nl", "fr"))
    try:
        made = get_args(importlib.reload(options).LangOpt)[1]
        assert made.help == "Language of labels: en, nl or fr."
        assert made.metavar == "<en|nl|fr>"
    finally:
        monkeypatch.undo()
        importlib.reload(options)


@pytest.mark.parametrize("lang", i18n.LANGS)
def test_every_language_of_nsra_is_accepted(invoke: Invoke, lang: str) -> None:
    done = invoke("methods", "--lang", lang)
    assert done.exit_code == 0, done.output


@pytest.mark.parametrize("lang", ["de", "it", "EN", "nl-BE", "english", ""])
def test_another_language_is_wrong_use(invoke: Invoke, lang: str) -> None:
    done = invoke("methods", "--lang", lang)
    assert done.exit_code == 2
    assert done.stdout == ""
    said = " ".join(done.stderr.replace("│", " ").split())
    allowed = ", ".join(i18n.LANGS)
    assert f"Invalid value for '--lang': {lang!r} is not a language of nsra's labels; " in said
    assert f"allowed: {allowed}" in said
    assert "Traceback" not in done.stderr


def test_a_language_added_to_nsra_is_accepted(
    invoke: Invoke, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The option reads the one list of languages; adding a language there is enough."""
    assert invoke("methods", "--lang", "de").exit_code == 2
    monkeypatch.setattr(i18n, "LANGS", (*i18n.LANGS, "de"))
    done = invoke("methods", "--lang", "de")
    assert done.exit_code == 0, done.output
    assert "BNRA 2023" in done.stdout  # a method name in German falls back to English


def test_max_size_is_at_least_one_byte(invoke: Invoke) -> None:
    done = invoke("validate", "x.yaml", "--max-size", "0")
    assert done.exit_code == 2
    assert "--max-size" in done.stderr


def test_the_defaults_the_options_hold_are_the_librarys() -> None:
    # written in nsra.cli.options so that the options load neither scipy nor openpyxl
    from nsra.analysis.uncertainty import DEFAULT_SAMPLES
    from nsra.io.excel.safety import MAX_BYTES

    assert options.DEFAULT_SAMPLES == DEFAULT_SAMPLES
    assert options.WORKBOOK_MAX_BYTES == MAX_BYTES
