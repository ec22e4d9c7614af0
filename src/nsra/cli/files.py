"""The files the commands read and write: an assessment read with its warnings shown, and a file
written whole or not at all."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

import nsra
from nsra.cli.console import show_problems
from nsra.io.problems import InputError, Problem

if TYPE_CHECKING:
    from nsra.io.validate import Loaded


def load(path: Path, max_size: int) -> Loaded:
    """The checked assessment (:func:`nsra.read`); its warnings are shown on standard error."""
    loaded = nsra.read(str(path), max_size=max_size)
    if loaded.warnings:
        show_problems(loaded.warnings)
    return loaded


def write_atomic(target: Path, data: str | bytes) -> None:
    """Write a file whole or not at all (temporary file, then rename)."""
    if target.is_dir():
        raise InputError([Problem(f"{target} is a folder; give the name of a file to write")])
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(
            [Problem(f"cannot create the folder {target.parent}: {exc.strerror}")]
        ) from None
    try:
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    except OSError as exc:
        raise InputError([Problem(f"cannot write in {target.parent}: {exc.strerror}")]) from None
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data.encode("utf-8") if isinstance(data, str) else data)
        os.replace(tmp, target)
    except OSError as exc:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise InputError([Problem(f"cannot write {target}: {exc.strerror}")]) from None
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
