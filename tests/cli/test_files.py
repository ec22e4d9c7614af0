"""The files the commands read and write (nsra.cli.files): an assessment read with its warnings
shown, and files written whole or not at all, never leaving a temporary file behind."""

from __future__ import annotations

import os
from pathlib import Path
from typing import NoReturn

import pytest

from nsra.cli.files import load, write_atomic
from nsra.io.problems import InputError
from tests.helpers import NL_BASE, replace_once


def test_load_shows_the_warnings(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "w.yaml"
    path.write_text(replace_once(NL_BASE, "        likelihood: D\n", ""), encoding="utf-8")
    loaded = load(path, 10_000)
    assert [sc.id for sc in loaded.assessment.scenarios] == ["flood", "attack"]
    err = capsys.readouterr().err
    assert err == (
        f"{path}:44:5: warning: scenarios[1]: no likelihood estimate: the scenario cannot be "
        "ranked\n"
    )


def test_load_refuses_a_file_above_the_size(tmp_path: Path) -> None:
    path = tmp_path / "a.yaml"
    path.write_text(NL_BASE, encoding="utf-8")
    with pytest.raises(InputError, match="above the limit of 100 bytes"):
        load(path, 100)


def test_write_text_and_bytes_making_the_folders(tmp_path: Path) -> None:
    text = tmp_path / "a" / "b" / "r.json"
    write_atomic(text, '{"é": 1}\n')
    assert text.read_bytes() == '{"é": 1}\n'.encode()
    raw = tmp_path / "r.bin"
    write_atomic(raw, b"\x00\xff")
    assert raw.read_bytes() == b"\x00\xff"


def test_write_replaces_an_old_file(tmp_path: Path) -> None:
    target = tmp_path / "r.csv"
    target.write_text("old, and longer than the new text", encoding="utf-8")
    write_atomic(target, "new")
    assert target.read_text(encoding="utf-8") == "new"
    assert os.listdir(tmp_path) == ["r.csv"]


def test_write_to_a_folder_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="is a folder; give the name of a file to write"):
        write_atomic(tmp_path, "x")
    assert os.listdir(tmp_path) == []


def test_write_below_a_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / "plain").write_text("", encoding="utf-8")
    with pytest.raises(InputError, match="cannot create the folder"):
        write_atomic(tmp_path / "plain" / "r.json", "x")


def test_a_failed_write_keeps_the_old_file_and_leaves_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "r.json"
    target.write_text("old", encoding="utf-8")

    def full(_src: str, _dst: Path) -> NoReturn:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", full)
    with pytest.raises(InputError, match=f"cannot write {target}: No space left on device"):
        write_atomic(target, "new")
    assert target.read_text(encoding="utf-8") == "old"
    assert os.listdir(tmp_path) == ["r.json"]


def test_an_interrupted_write_leaves_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def interrupted(_src: str, _dst: Path) -> NoReturn:
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "replace", interrupted)
    with pytest.raises(KeyboardInterrupt):
        write_atomic(tmp_path / "r.json", "new")
    assert os.listdir(tmp_path) == []
