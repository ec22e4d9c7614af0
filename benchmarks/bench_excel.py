"""Benchmark of the Excel round trip: export an assessment as a workbook, import it back.

Usage::

    .venv/bin/python benchmarks/bench_excel.py [--sizes 250 500 1000] [--runs N] [--seed S]

Synthetic assessments from ``bench_core.generate`` (method nl-snv, five analysts a scenario,
likelihood and 12 criteria each: 65 estimate rows a scenario, about one cascade a scenario).
Each measurement runs in a fresh Python process:

Times are wall-clock and, in brackets, the process's CPU time (the machine may be shared); the
best run by CPU time is kept; growth compares import CPU time per scenario with the size before
(1.0 is linear).

* export: ``export_workbook(assessment, method)`` wall time (best of ``--runs``), the
  workbook's size, and in another process the tracemalloc peak;
* import: ``import_workbook(bytes, name)`` wall time (best of ``--runs``; it reads the cells,
  builds the assessment file's data and runs every check), and the tracemalloc peak;
* the round trip's result is compared with the assessment read from YAML (must be equal).

Nothing is written into the repository; results are printed only.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_core import generate


def _worker(kind: str, path: str) -> dict[str, Any]:
    import gc
    import tracemalloc

    from nsra.io.excel import export_workbook, import_workbook
    from nsra.io.validate import read_assessment

    loaded = read_assessment(path)
    out: dict[str, Any] = {"kind": kind}
    book_path = path + ".xlsx"
    gc.collect()
    if kind == "export":
        t0, c0 = time.perf_counter(), time.process_time()
        book = export_workbook(loaded.assessment, loaded.method)
        out["seconds"] = time.perf_counter() - t0
        out["cpu"] = time.process_time() - c0
        Path(book_path).write_bytes(book)
        out["bytes"] = len(book)
        out["estimate_rows"] = len(loaded.inputs.estimates)
    elif kind == "export-trace":
        tracemalloc.start()
        export_workbook(loaded.assessment, loaded.method)
        out["peak"] = tracemalloc.get_traced_memory()[1]
    elif kind == "import":
        book = Path(book_path).read_bytes()
        t0, c0 = time.perf_counter(), time.process_time()
        imported = import_workbook(book, "book.xlsx")
        out["seconds"] = time.perf_counter() - t0
        out["cpu"] = time.process_time() - c0
        out["equal"] = imported.loaded.assessment == loaded.assessment
    elif kind == "import-trace":
        book = Path(book_path).read_bytes()
        tracemalloc.start()
        import_workbook(book, "book.xlsx")
        out["peak"] = tracemalloc.get_traced_memory()[1]
    return out


def _run(kind: str, path: str) -> dict[str, Any]:
    proc = subprocess.run(
        [sys.executable, __file__, "--worker", kind, path],
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        raise SystemExit(f"worker {kind} failed:\n{proc.stderr}")
    result: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[250, 500, 1000])
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--worker", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(_worker(*args.worker)))
        return
    print(f"python {platform.python_version()}, {os.cpu_count()} CPUs, {platform.machine()}")
    header = (
        "| scenarios | estimate rows | workbook MB | export s (CPU s) | export peak MB "
        "| import s (CPU s) | import peak MB | import CPU µs/row | growth | equal |"
    )
    print(header)
    print("|---" * 10 + "|")
    previous: tuple[int, float] | None = None
    with tempfile.TemporaryDirectory() as tmp:
        for n in args.sizes:
            path = os.path.join(tmp, f"bench-{n}.yaml")
            text, _ = generate(n, args.seed)
            Path(path).write_text(text, encoding="utf-8")
            exports = [_run("export", path) for _ in range(args.runs)]
            imports = [_run("import", path) for _ in range(args.runs)]
            ex_peak = _run("export-trace", path)["peak"]
            im_peak = _run("import-trace", path)["peak"]
            ex = min(exports, key=lambda e: e["cpu"])
            im = min(imports, key=lambda i: i["cpu"])
            rows = exports[0]["estimate_rows"]
            cpu = im["cpu"]
            growth = "" if previous is None else f"{(cpu / previous[1]) / (n / previous[0]):.2f}"
            previous = (n, cpu)
            print(
                f"| {n:,} | {rows:,} | {exports[0]['bytes'] / 1e6:.1f} | "
                f"{ex['seconds']:.2f} ({ex['cpu']:.2f}) | {ex_peak / 1e6:.0f} | "
                f"{im['seconds']:.2f} ({cpu:.2f}) | {im_peak / 1e6:.0f} | "
                f"{cpu / rows * 1e6:.0f} | {growth} | {all(i['equal'] for i in imports)} |",
                flush=True,
            )


if __name__ == "__main__":
    main()
