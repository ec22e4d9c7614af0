"""The checks a workbook passes before openpyxl opens it: its size, that it is an ``.xlsx``
(a zip archive) without macros, and that it does not unpack into far more than it weighs (a
zip bomb). Each refusal is an :class:`~nsra.io.problems.InputError` in plain words.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass

from nsra.io.problems import InputError, Problem

MAX_BYTES = 50_000_000
"""The largest workbook accepted (50 MB; a 1,000-scenario assessment is about 3 MB)."""
MAX_UNPACKED = 600_000_000
"""The most its parts may unpack to in all (600 MB)."""
MAX_RATIO = 200
"""The most a part may unpack to per byte it takes in the archive (sheets usually 5 to 40)."""
MAX_PARTS = 2_000


@dataclass(frozen=True)
class Limits:
    max_bytes: int = MAX_BYTES
    max_unpacked: int = MAX_UNPACKED
    max_ratio: float = MAX_RATIO


_MACRO_EXTENSIONS = (".xlsm", ".xltm", ".xlam", ".xlsb")
_OLD_EXTENSIONS = (".xls", ".xlt")


def _refuse(message: str, source: str) -> InputError:
    return InputError([Problem(message, file=source)])


def checked_archive(data: bytes, source: str, limits: Limits | None = None) -> zipfile.ZipFile:
    """The workbook as an open zip archive, once it passed every check; else InputError."""
    limits = limits or Limits()
    lower = source.lower()
    if lower.endswith(_MACRO_EXTENSIONS):
        raise _refuse(
            "a macro-enabled workbook is not read (macros could run code): save it as an Excel "
            "workbook (.xlsx) and import that",
            source,
        )
    if len(data) > limits.max_bytes:
        raise _refuse(
            f"the workbook is {len(data):,} bytes; the largest accepted is "
            f"{limits.max_bytes:,} bytes",
            source,
        )
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" or lower.endswith(_OLD_EXTENSIONS):
        raise _refuse(
            "this is an old Excel file (.xls) or a password-protected workbook: save it as an "
            "Excel workbook (.xlsx) without a password and import that",
            source,
        )
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise _refuse(
            "this is not an Excel workbook (.xlsx): open it in Excel or LibreOffice and save it "
            "as an Excel workbook",
            source,
        ) from None
    if len(infos) > MAX_PARTS:
        raise _refuse(f"the workbook has {len(infos):,} parts; at most {MAX_PARTS:,}", source)
    names = {i.filename for i in infos}
    unpacked = 0
    for i in infos:
        unpacked += i.file_size
        if i.file_size > 1_000_000 and i.file_size > limits.max_ratio * max(i.compress_size, 1):
            raise _refuse(
                f"the workbook's part {i.filename} unpacks to {i.file_size:,} bytes from "
                f"{i.compress_size:,} (more than {limits.max_ratio:g} times): refused as a "
                "possible zip bomb",
                source,
            )
    if unpacked > limits.max_unpacked:
        raise _refuse(
            f"the workbook unpacks to {unpacked:,} bytes; at most {limits.max_unpacked:,} are "
            "read (refused as a possible zip bomb)",
            source,
        )
    if any(n.lower().endswith("vbaproject.bin") for n in names) or _macro_content(archive):
        raise _refuse(
            "the workbook contains macros (VBA), which are not read: save it as an Excel "
            "workbook (.xlsx, without macros) and import that",
            source,
        )
    if "xl/workbook.xml" not in names:
        raise _refuse(
            "this zip archive is not an Excel workbook (.xlsx): it has no workbook part", source
        )
    return archive


def _macro_content(archive: zipfile.ZipFile) -> bool:
    try:
        types = archive.read("[Content_Types].xml")
    except KeyError:
        return False
    return re.search(rb"macroEnabled|vbaProject", types, re.I) is not None
