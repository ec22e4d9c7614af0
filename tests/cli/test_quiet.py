"""What native code prints to descriptor 1 during a solve does not reach the output."""

from __future__ import annotations

import ctypes
import ctypes.util

import pytest

from nsra.cli.quiet import quiet_native_stdout


def test_native_output_is_silenced_and_python_output_before_and_after_kept(
    capfd: pytest.CaptureFixture[str],
) -> None:
    name = ctypes.util.find_library("c")
    assert name is not None
    libc = ctypes.CDLL(name)
    print("before", flush=True)
    with quiet_native_stdout():
        libc.printf(b"native noise\n")  # buffered in C: must be flushed into the null device
    print("after", flush=True)
    out = capfd.readouterr().out
    assert "native noise" not in out
    assert out.index("before") < out.index("after")
