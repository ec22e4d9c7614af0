"""Time and peak memory of the report in its three formats (HTML, PDF, Word) on generated
assessments of growing size (the generator of ``bench_core.py``).

    .venv/bin/python benchmarks/bench_publish.py                   # 250, 500 and 1,000 scenarios
    .venv/bin/python benchmarks/bench_publish.py --sizes 250 --profile
    .venv/bin/python benchmarks/bench_publish.py --sizes 1000 --formats html

Each format is measured in its own process (peak RSS from ``resource``), the report without the
Monte Carlo analyses (as ``nsra report --no-analysis``): the HTML time includes importing the
report's modules, reading and computing the assessment; the PDF and Word times are the
conversion of that HTML page. The process's CPU time is printed beside the wall time, and the
load average (1 minute) before each run: on a shared machine the wall time is the CPU time
stretched by the other jobs. Goals: HTML under 10 s and PDF under 60 s at 1,000 scenarios.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_core import generate


def _cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def _child(path: str, fmt: str, profile: bool) -> None:
    t0, c0 = time.perf_counter(), _cpu()
    import nsra
    from nsra.report.formats import publish

    loaded = nsra.read(path)
    results = nsra.compute(loaded)
    page = nsra.report_html(loaded, results, None, "en")
    html_s, html_cpu = time.perf_counter() - t0, _cpu() - c0
    t1, c1 = time.perf_counter(), _cpu()
    prof = cProfile.Profile() if profile else None
    if prof:
        prof.enable()
    data = publish(page, fmt) if fmt != "html" else page.encode("utf-8")
    if prof:
        prof.disable()
        pstats.Stats(prof, stream=sys.stderr).sort_stats("cumulative").print_stats(15)
    convert_s, convert_cpu = time.perf_counter() - t1, _cpu() - c1
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    print(json.dumps({"html_s": html_s, "html_cpu": html_cpu, "convert_s": convert_s,
                      "convert_cpu": convert_cpu, "peak_mb": peak / 2**20,
                      "bytes": len(data)}))  # fmt: skip


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", type=int, nargs="+", default=[250, 500, 1000])
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--profile", action="store_true")
    ap.add_argument("--formats", nargs="+", choices=["html", "pdf", "docx"],
                    default=["html", "pdf", "docx"])  # fmt: skip
    ap.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        _child(args.child[0], args.child[1], args.profile)
        return
    print(f"nproc {os.cpu_count()}")
    print(
        "| scenarios | format | HTML (s) | conversion (s) | total (s) | CPU (s) | peak MB "
        "| size MB | load |"
    )
    print("|---:|---|---:|---:|---:|---:|---:|---:|---:|")  # fmt: skip
    with tempfile.TemporaryDirectory() as tmp:
        for n in args.sizes:
            text, _ = generate(n, args.seed)
            path = Path(tmp) / f"bench-{n}.yaml"
            path.write_text(text, encoding="utf-8")
            for fmt in args.formats:
                load = os.getloadavg()[0]
                cmd = [sys.executable, __file__, "--child", str(path), fmt]
                if args.profile:
                    cmd.append("--profile")
                out = subprocess.run(cmd, check=True, capture_output=True, text=True)
                if args.profile:
                    print(out.stderr, file=sys.stderr)
                r = json.loads(out.stdout.strip().splitlines()[-1])
                html = fmt == "html"
                total = r["html_s"] + (0.0 if html else r["convert_s"])
                cpu = r["html_cpu"] + (0.0 if html else r["convert_cpu"])
                print(f"| {n:,} | {fmt} | {r['html_s']:.1f} | "
                      f"{0 if html else r['convert_s']:.1f} | {total:.1f} | {cpu:.1f} | "
                      f"{r['peak_mb']:.0f} | {r['bytes'] / 2**20:.1f} | {load:.1f} |",
                      flush=True)  # fmt: skip


if __name__ == "__main__":
    main()
