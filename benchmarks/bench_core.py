"""Benchmarks of the nsra core: validation, compute and the results document.

Usage::

    .venv/bin/python benchmarks/bench_core.py [--sizes 100 1000 10000] [--out DIR]
        [--runs N] [--seed S] [--profile]

It generates seeded, deterministic assessment files for the method ``nl-snv`` (5 analysts per
scenario from at least 3 organisations, likelihood and all 12 criteria estimated with a mix of
classes, class ranges and values in the criterion's unit, about one cascade per scenario, a few
strategies and measures), then measures each step in a fresh subprocess so that peak memory is
clean:

* validation: ``read_assessment(path)`` wall time and peak RSS growth over a baseline taken after
  the imports; in a separate run (tracemalloc slows Python down) the tracemalloc peak;
* compute: ``compute(loaded.inputs, loaded.method)`` best-of-5 wall time and tracemalloc peak;
* the results document: ``results_document(loaded, results)`` wall time (and ``json.dumps``).

Nothing is written into the repository: files go to a temporary directory unless ``--out`` is
given, and results are printed only. ``--profile`` adds a validation phase breakdown and a
cProfile (top 15 cumulative) of validating the largest size.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

# -- generation ----------------------------------------------------------------------------------

METHOD = "nl-snv"
CRITERIA = ["1.1", "1.2", "2.1", "2.2", "2.3", "3.1", "4.1", "5.1", "5.2", "5.3", "6.1", "6.2"]
CLASSES = ["X", "A", "B", "C", "D", "E"]
LIKELIHOOD = ["A", "B", "C", "D", "E"]
CASCADE = ["A", "B", "C", "D", "E"]

# Class bounds of the quantitative criteria of nl-snv (src/nsra/methods/nl-snv.yaml): the lower
# bound of A..E (X is exactly 0, E is open-ended; values are drawn below 10x its lower bound).
QUANTITATIVE: dict[str, list[float]] = {
    "2.1": [0, 10, 100, 1e3, 1e4],
    "2.2": [0, 100, 1e3, 1e4, 1e5],
    "2.3": [0, 1e4, 1e5, 1e6, 1e7],
    "3.1": [0, 5e7, 5e8, 5e9, 5e10],
    "4.1": [0, 1, 10, 100, 1e3],
    "5.1": [0, 1e5, 1e6, 1e7, 1e8],
}
# Likelihood: probability over 5 years, classes A..E; cascades: conditional probability A..E.
LIKELIHOOD_BOUNDS = [0.0, 0.0005, 0.005, 0.05, 0.5, 1.0]
CASCADE_BOUNDS = [0.0, 0.01, 0.1, 0.5, 0.9, 1.0]

ORGANISATIONS = [
    ("jenv", "Ministry of Justice and Security", "Ministerie van Justitie en Veiligheid"),
    ("bzk", "Ministry of the Interior", "Ministerie van Binnenlandse Zaken"),
    ("defensie", "Ministry of Defence", "Ministerie van Defensie"),
    ("bz", "Ministry of Foreign Affairs", "Ministerie van Buitenlandse Zaken"),
    ("ezk", "Ministry of Economic Affairs", "Ministerie van Economische Zaken"),
    ("ienw", "Ministry of Infrastructure and Water", "Ministerie van Infrastructuur en Waterstaat"),
    ("vws", "Ministry of Health", "Ministerie van Volksgezondheid"),
]
ANALYSTS_PER_ORG = 2
THEMES = [
    "terrorism",
    "cyber",
    "state-threats",
    "energy",
    "health",
    "climate",
    "migration",
    "critical-infrastructure",
    "financial",
    "international-order",
]
DOMAINS = ["internal", "external", "both"]
PHASES = ["prevent", "prepare", "respond", "recover"]
WORDS = [
    "supply",
    "network",
    "failure",
    "attack",
    "region",
    "weeks",
    "national",
    "critical",
    "service",
    "hospital",
    "water",
    "power",
    "port",
    "data",
    "cabinet",
    "border",
    "ally",
    "market",
    "trust",
    "public",
    "transport",
    "grid",
    "storm",
    "flood",
    "outbreak",
]


def _sentence(rng: random.Random, n: int) -> str:
    words = [rng.choice(WORDS) for _ in range(n)]
    return (" ".join(words)).capitalize() + "."


def _value_in(rng: random.Random, lower: float, upper: float) -> float:
    """A value strictly inside (lower, upper), log-uniform when lower > 0."""
    if lower <= 0:
        return rng.uniform(upper * 0.05, upper * 0.95)
    return float(lower * (upper / lower) ** rng.uniform(0.05, 0.95))


def _num(v: float) -> str:
    return f"{v:.4g}"


def _criterion_spec(rng: random.Random, cid: str, center: int) -> str:
    """One impact estimate: a class, a range, a value (quantitative criteria) or a detail."""
    k = min(max(center + rng.choice((-1, 0, 0, 0, 1)), 0), 5)
    r = rng.random()
    bounds = QUANTITATIVE.get(cid)
    if bounds is not None and r < 0.25 and k > 0:
        lower = bounds[k - 1]
        upper = bounds[k] if k < 5 else bounds[4] * 10
        value = _num(_value_in(rng, lower, upper))
        if rng.random() < 0.5:
            return f"{{value: {value}, rationale: {json.dumps(_sentence(rng, 8))}}}"
        return f"{{value: {value}}}"
    if r < 0.45 and 0 < k < 5:
        return f'"{CLASSES[k]}..{CLASSES[k + 1]}"'
    if r < 0.55:
        return f"{{class: {CLASSES[k]}, rationale: {json.dumps(_sentence(rng, 10))}}}"
    return CLASSES[k]


def _likelihood_spec(rng: random.Random, center: int) -> str:
    k = min(max(center + rng.choice((-1, 0, 0, 1)), 0), 4)
    r = rng.random()
    if r < 0.25:
        p = _num(_value_in(rng, LIKELIHOOD_BOUNDS[k], LIKELIHOOD_BOUNDS[k + 1]))
        return f"{{value: {p}, rationale: {json.dumps(_sentence(rng, 12))}}}"
    if r < 0.45 and k < 4:
        return f'"{LIKELIHOOD[k]}..{LIKELIHOOD[k + 1]}"'
    if r < 0.65:
        return f"{{class: {LIKELIHOOD[k]}, rationale: {json.dumps(_sentence(rng, 12))}}}"
    return LIKELIHOOD[k]


def _cascade_spec(rng: random.Random) -> str:
    k = rng.randrange(5)
    if rng.random() < 0.3:
        return f"{{value: {_num(_value_in(rng, CASCADE_BOUNDS[k], CASCADE_BOUNDS[k + 1]))}}}"
    return CASCADE[k]


def _analysts() -> list[tuple[str, str]]:
    """(analyst id, organisation id)."""
    return [
        (f"{org}-analyst-{i + 1}", org)
        for org, _, _ in ORGANISATIONS
        for i in range(ANALYSTS_PER_ORG)
    ]


@dataclass(frozen=True)
class Generated:
    """Counts of what a generated file holds."""

    scenarios: int
    estimates: int
    consensus: int
    cascades: int
    strategies: int
    measures: int


def generate(n: int, seed: int) -> tuple[str, Generated]:
    """Assessment YAML text with ``n`` scenarios (deterministic for a given seed)."""
    rng = random.Random(seed * 1_000_003 + n)
    analysts = _analysts()
    ids = [f"s{i:06d}-{THEMES[i % len(THEMES)]}" for i in range(n)]
    out: list[str] = [
        f"# Generated by benchmarks/bench_core.py (seed {seed}, {n} scenarios). Synthetic data.",
        "title:",
        f"  en: Synthetic benchmark assessment ({n} scenarios)",
        f"  nl: Synthetische geïntegreerde benchmarkbeoordeling ({n} scenario's)",
        f"method: {METHOD}",
        "date: 2026-03-16",
        "classification: UNCLASSIFIED (synthetic benchmark)",
        "illustrative: true",
        "description: >-",
        "  Synthetic data for measuring validation and compute time; none of it is an estimate.",
        "",
        "organisations:",
    ]
    for org, en, nl in ORGANISATIONS:
        out.append(f"  - id: {org}")
        out.append(f'    name: {{nl: "{nl}", en: "{en}"}}')
    out.append("")
    out.append("analysts:")
    for aid, org in analysts:
        out.append(f'  - {{id: {aid}, name: "Analyst {aid} (fictitious)", organisation: {org}}}')
    out.append("")
    out.append("scenarios:")
    n_est = n_cons = 0
    for i, sid in enumerate(ids):
        theme = THEMES[i % len(THEMES)]
        malicious = rng.random() < 0.5
        owner = rng.choice(ORGANISATIONS)[0]
        out.append(f"  - id: {sid}")
        if rng.random() < 0.5:
            out.append("    title:")
            out.append(
                f"      nl: Scenario {i} – {rng.choice(WORDS)} {rng.choice(WORDS)} (geïllustreerd)"
            )
            out.append(f"      en: Scenario {i} {rng.choice(WORDS)} {rng.choice(WORDS)}")
        else:
            out.append(f"    title: Scenario {i} {rng.choice(WORDS)} {rng.choice(WORDS)}")
        out.append(f"    theme: {theme}")
        out.append(f"    domain: {rng.choice(DOMAINS)}")
        out.append(f"    malicious: {'true' if malicious else 'false'}")
        out.append(f"    owner: {owner}")
        out.append("    description: >-")
        out.append(f"      {_sentence(rng, 14)}")
        out.append(f"      {_sentence(rng, 14)}")
        if rng.random() < 0.5:
            out.append("    sources:")
            out.append(f'      - {{ref: "Report {rng.randrange(1000)}", title: {theme} study}}')
        if n > 1 and rng.random() < 0.2:
            other = ids[(i + 1 + rng.randrange(n - 1)) % n]
            out.append(f"    reinforces: [{other}]")
        # 5 analysts from at least 3 organisations
        while True:
            team = rng.sample(analysts, 5)
            if len({org for _, org in team}) >= 3:
                break
        center_lik = rng.randrange(5)
        centers = {cid: rng.randrange(6) for cid in CRITERIA}
        out.append("    estimates:")
        for aid, _ in team:
            out.append(f"      - analyst: {aid}")
            out.append(f"        likelihood: {_likelihood_spec(rng, center_lik)}")
            if rng.random() < 0.3:  # flow style for some analysts
                items = ", ".join(
                    f'"{cid}": {_criterion_spec(rng, cid, centers[cid])}' for cid in CRITERIA
                )
                out.append(f"        impact: {{{items}}}")
            else:
                out.append("        impact:")
                for cid in CRITERIA:
                    out.append(f'          "{cid}": {_criterion_spec(rng, cid, centers[cid])}')
            n_est += 1 + len(CRITERIA)
        if rng.random() < 0.1:
            items = ", ".join(f'"{cid}": {CLASSES[centers[cid]]}' for cid in CRITERIA)
            out.append("    consensus:")
            out.append(f"      - likelihood: {LIKELIHOOD[center_lik]}")
            out.append(f"        impact: {{{items}}}")
            out.append(f"        rationale: {json.dumps(_sentence(rng, 10))}")
            out.append("        date: 2026-02-10")
            n_cons += 1 + len(CRITERIA)
    out.append("")
    out.append("cascades:")
    pairs: set[tuple[int, int]] = set()
    if n > 1:
        for i in range(n):
            if rng.random() < 0.9:
                j = (i + 1 + rng.randrange(n - 1)) % n
                pairs.add((i, j))
        # a few extra so that the average is about one per scenario
        while len(pairs) < n:
            i = rng.randrange(n)
            j = (i + 1 + rng.randrange(n - 1)) % n
            pairs.add((i, j))
    for i, j in sorted(pairs):
        out.append(f"  - cause: {ids[i]}")
        out.append(f"    effect: {ids[j]}")
        out.append(f"    probability: {_cascade_spec(rng)}")
        if rng.random() < 0.3:
            out.append(f"    rationale: {json.dumps(_sentence(rng, 10))}")
    if not pairs:
        out[-1] = "cascades: []"
    out.append("")
    strategies = [
        ("national-security-strategy", "national", "jenv"),
        ("international-security-strategy", "international", "bz"),
        ("defence-policy", "international", "defensie"),
        ("cyber-security-agenda", "national", "jenv"),
    ]
    out.append("strategies:")
    for st_id, scope, owner in strategies:
        out.append(f"  - id: {st_id}")
        out.append(f"    title: {{nl: {st_id} (nl), en: {st_id}}}")
        out.append(f"    scope: {scope}")
        out.append(f"    owner: {owner}")
    out.append("")
    n_measures = max(5, n // 100)
    out.append("measures:")
    for m in range(n_measures):
        owners = rng.sample([o for o, _, _ in ORGANISATIONS], 2)
        covered = sorted(rng.sample(range(n), min(n, 5)))
        out.append(f"  - id: measure-{m:05d}")
        out.append(f"    title: Measure {m} {rng.choice(WORDS)}")
        out.append(f"    owners: [{', '.join(owners)}]")
        out.append(f"    strategy: {rng.choice(strategies)[0]}")
        out.append(f"    phase: {rng.choice(PHASES)}")
        out.append(f"    scenarios: [{', '.join(ids[c] for c in covered)}]")
    out.append("")
    counts = Generated(n, n_est, n_cons, len(pairs), len(strategies), n_measures)
    return "\n".join(out), counts


# -- workers (run in a fresh subprocess each) -------------------------------------------------


def _maxrss_bytes() -> int:
    """Peak RSS of this process so far.

    On Linux ru_maxrss survives fork + exec: a child starts with its parent's peak. That is why
    the driver generates the files in a subprocess too and never loads them itself, so that its
    own peak stays below a worker's post-import baseline.
    """
    import resource

    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rss if sys.platform == "darwin" else rss * 1024  # Linux reports KiB


def _worker(kind: str, path: str, extra: list[str]) -> dict[str, Any]:
    if kind == "generate":  # here so that the driver process stays small (see _maxrss_bytes)
        n, seed = int(extra[0]), int(extra[1])
        text, counts = generate(n, seed)
        Path(path).write_text(text, encoding="utf-8")
        return {"kind": kind, "counts": asdict(counts)}

    import cProfile
    import gc
    import io
    import pstats
    import tracemalloc

    from nsra.engine.compute import compute
    from nsra.io.results import results_document
    from nsra.io.validate import read_assessment

    out: dict[str, Any] = {"kind": kind}
    if kind == "validate":
        gc.collect()
        base = _maxrss_bytes()
        t0 = time.perf_counter()
        loaded = read_assessment(path)
        out["seconds"] = time.perf_counter() - t0
        out["rss_peak_bytes"] = _maxrss_bytes() - base
        out["rss_baseline_bytes"] = base
        out["estimate_rows"] = len(loaded.inputs.estimates)
        out["consensus_rows"] = len(loaded.inputs.consensus)
        out["cascade_rows"] = len(loaded.inputs.cascades)
        out["warnings"] = len(loaded.warnings)
    elif kind == "validate-trace":
        gc.collect()
        tracemalloc.start()
        loaded = read_assessment(path)
        current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        out["trace_peak_bytes"] = peak
        out["trace_retained_bytes"] = current  # what the Loaded result keeps
    elif kind == "parse-trace":
        # The same work with the file read as ``fh.read()`` instead of read_text's
        # ``fh.read(max_bytes + 1)``, which allocates a buffer of the size limit (200 MB by
        # default) whatever the file size: the memory validation needs without that buffer.
        from nsra.io.safeyaml import decode
        from nsra.io.validate import parse_assessment

        gc.collect()
        tracemalloc.start()
        with open(path, "rb") as fh:
            text = decode(fh.read(), path)
        out["text_bytes"] = sys.getsizeof(text)
        parse_assessment(text, path, base_path=path)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        out["trace_peak_bytes"] = peak
    elif kind == "compute":
        loaded = read_assessment(path)
        gc.collect()
        times = []
        for _ in range(5):
            t0 = time.perf_counter()
            compute(loaded.inputs, loaded.method)
            times.append(time.perf_counter() - t0)
        out["seconds"] = min(times)
        gc.collect()
        tracemalloc.start()
        compute(loaded.inputs, loaded.method)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        out["trace_peak_bytes"] = peak
    elif kind == "results":
        loaded = read_assessment(path)
        results = compute(loaded.inputs, loaded.method)
        gc.collect()
        times, dumps = [], []
        for _ in range(3):
            t0 = time.perf_counter()
            doc = results_document(loaded, results)
            times.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            text = json.dumps(doc, ensure_ascii=False)
            dumps.append(time.perf_counter() - t0)
        out["seconds"] = min(times)
        out["dumps_seconds"] = min(dumps)
        out["json_bytes"] = len(text.encode())
    elif kind == "phases":
        out["phases"] = _phases(path)
    elif kind == "profile":
        prof = cProfile.Profile()
        prof.enable()
        read_assessment(path)
        prof.disable()
        buf = io.StringIO()
        stats = pstats.Stats(prof, stream=buf)
        stats.sort_stats("cumulative").print_stats(15)
        out["text"] = buf.getvalue()
    else:
        raise SystemExit(f"unknown worker kind {kind!r}")
    return out


def _phases(path: str) -> list[dict[str, Any]]:
    """Time and memory of each validation phase (what parse_assessment does, step by step)."""
    import gc
    import tracemalloc

    from nsra.io.meaning import check_meaning
    from nsra.io.methods import load_method, with_positions
    from nsra.io.modelcheck import check
    from nsra.io.safeyaml import load, read_text
    from nsra.model.assessment import Assessment

    def run(traced: bool) -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = []
        gc.collect()
        if traced:
            tracemalloc.start()

        def step(name: str, t0: float) -> None:
            row: dict[str, Any] = {"phase": name, "seconds": time.perf_counter() - t0}
            if traced:
                current, peak = tracemalloc.get_traced_memory()
                row["retained_bytes"] = current
                row["peak_bytes"] = peak
                tracemalloc.reset_peak()
            rows.append(row)

        t0 = time.perf_counter()
        text = read_text(path)
        step("read_text (UTF-8 decode)", t0)
        t0 = time.perf_counter()
        data = load(text, path)
        step("safeyaml.load (events -> plain data)", t0)
        t0 = time.perf_counter()
        assessment, problems = check(Assessment, data)
        step("modelcheck.check (pydantic Assessment)", t0)
        t0 = time.perf_counter()
        method = load_method(data["method"], relative_to=path)
        step("load_method", t0)
        t0 = time.perf_counter()
        inputs, meaning = check_meaning(data, method)
        step("check_meaning (classes, refs -> arrays)", t0)
        t0 = time.perf_counter()
        with_positions([p for p in meaning if p.severity == "warning"], text, path)
        step("with_positions (warnings only)", t0)
        assert assessment is not None and inputs is not None and not problems
        del data
        if traced:
            tracemalloc.stop()
        return rows

    timed = run(traced=False)
    traced = run(traced=True)
    for row, t in zip(timed, traced, strict=True):
        row["retained_bytes"] = t["retained_bytes"]
        row["peak_bytes"] = t["peak_bytes"]
    return timed


def measure(kind: str, path: Path, *extra: str) -> dict[str, Any]:
    """Run one worker in a fresh interpreter and return what it measured."""
    cmd = [sys.executable, str(Path(__file__).resolve()), "--worker", kind, str(path), *extra]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        sys.stderr.write(proc.stdout + proc.stderr)
        raise SystemExit(f"worker {kind} on {path} failed (exit {proc.returncode})")
    result: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


# -- reporting -----------------------------------------------------------------------------------

MB = 1024 * 1024


@dataclass(frozen=True)
class Row:
    """Everything measured for one size."""

    scenarios: int
    estimate_rows: int
    consensus_rows: int
    cascade_rows: int
    file_bytes: int
    validate_s: float
    validate_rss_bytes: int
    rss_baseline_bytes: int
    validate_trace_bytes: int
    parse_trace_bytes: int
    text_bytes: int
    retained_bytes: int
    compute_s: float
    compute_trace_bytes: int
    results_s: float
    dumps_s: float
    json_bytes: int


def _table(headers: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(headers)]
    line = "  ".join(h.rjust(w) for h, w in zip(headers, widths, strict=True))
    sep = "  ".join("-" * w for w in widths)
    body = ["  ".join(c.rjust(w) for c, w in zip(r, widths, strict=True)) for r in rows]
    return "\n".join([line, sep, *body])


def report(rows: list[Row]) -> None:
    print()
    print("Results (validation wall time: best of --runs fresh processes; compute: best of 5)")
    headers = [
        "scenarios",
        "est. rows",
        "file MB",
        "validate s",
        "val. peak MB",
        "peak/file",
        "val. RSS MB",
        "RSS/file",
        "no-buf peak MB",
        "no-buf/file",
        "compute s",
        "comp. peak MB",
        "results_doc s",
    ]
    table = [
        [
            f"{r.scenarios:,}",
            f"{r.estimate_rows:,}",
            f"{r.file_bytes / MB:.2f}",
            f"{r.validate_s:.3f}",
            f"{r.validate_trace_bytes / MB:.1f}",
            f"{r.validate_trace_bytes / r.file_bytes:.1f}x",
            f"{r.validate_rss_bytes / MB:.1f}",
            f"{r.validate_rss_bytes / r.file_bytes:.1f}x",
            f"{r.parse_trace_bytes / MB:.1f}",
            f"{r.parse_trace_bytes / r.file_bytes:.1f}x",
            f"{r.compute_s:.4f}",
            f"{r.compute_trace_bytes / MB:.2f}",
            f"{r.results_s:.3f}",
        ]
        for r in rows
    ]
    print(_table(headers, table))
    print(
        "  val. peak MB: tracemalloc peak of read_assessment(path) alone (its own process);\n"
        "  val. RSS MB: ru_maxrss growth over the baseline taken after the imports "
        f"({min(r.rss_baseline_bytes for r in rows) / MB:.0f} MB; driver peak "
        f"{_maxrss_bytes() / MB:.0f} MB, must stay below it);\n"
        "  no-buf peak MB: tracemalloc peak of reading the file with fh.read() + decode +\n"
        "    parse_assessment, i.e. validation without read_text's size-limit buffer;\n"
        "  x/file: that memory divided by the file size."
    )

    print()
    print("Per-scenario cost (µs/scenario) and growth (time ratio / size ratio; 1.0 = linear)")
    headers = [
        "scenarios",
        "validate µs/sc",
        "growth",
        "compute µs/sc",
        "growth",
        "results_doc µs/sc",
        "growth",
        "json.dumps s",
        "text MB",
        "retained MB",
        "consensus rows",
        "cascade rows",
    ]
    table = []
    prev: Row | None = None
    for r in rows:

        def growth(now: float, before: float | None, r: Row = r, p: Row | None = prev) -> str:
            if p is None or before is None or before <= 0:
                return "-"
            return f"{(now / before) / (r.scenarios / p.scenarios):.2f}"

        table.append(
            [
                f"{r.scenarios:,}",
                f"{r.validate_s / r.scenarios * 1e6:.1f}",
                growth(r.validate_s, prev.validate_s if prev else None),
                f"{r.compute_s / r.scenarios * 1e6:.2f}",
                growth(r.compute_s, prev.compute_s if prev else None),
                f"{r.results_s / r.scenarios * 1e6:.1f}",
                growth(r.results_s, prev.results_s if prev else None),
                f"{r.dumps_s:.3f}",
                f"{r.text_bytes / MB:.1f}",
                f"{r.retained_bytes / MB:.1f}",
                f"{r.consensus_rows:,}",
                f"{r.cascade_rows:,}",
            ]
        )
        prev = r
    print(_table(headers, table))
    print(
        "  text MB: sys.getsizeof of the decoded file text (2 bytes a character once the file\n"
        "    holds one non-Latin-1 character, e.g. an en dash);\n"
        "  retained MB: tracemalloc memory still held by the Loaded result after validation."
    )


def _versions() -> None:
    from importlib.metadata import version

    import yaml  # small; numpy and pydantic are not imported here (keeps the driver lean)

    libyaml = "yes" if getattr(yaml, "__with_libyaml__", False) else "no"
    print(f"nproc (os.cpu_count()): {os.cpu_count()}")
    print(
        f"Python {platform.python_version()} ({platform.python_implementation()}), "
        f"{platform.platform()}"
    )
    print(
        f"numpy {version('numpy')}, pydantic {version('pydantic')}, "
        f"PyYAML {version('PyYAML')} (libyaml: {libyaml}), nsra {version('nsra')}"
    )


def _run(sizes: list[int], out_dir: Path, runs: int, seed: int, profile: bool) -> None:
    _versions()
    print()
    print(f"Generating assessments (method {METHOD}, seed {seed}) in {out_dir}")
    files: dict[int, tuple[Path, Generated]] = {}
    for n in sizes:
        t0 = time.perf_counter()
        path = out_dir / f"bench-{n}.yaml"
        counts = Generated(**measure("generate", path, str(n), str(seed))["counts"])
        size = path.stat().st_size
        print(
            f"  {path.name}: {size:,} bytes ({size / MB:.2f} MB), {n:,} scenarios, "
            f"{counts.estimates:,} estimate rows, {counts.consensus:,} consensus rows, "
            f"{counts.cascades:,} cascades, {counts.strategies} strategies, "
            f"{counts.measures} measures; generated in {time.perf_counter() - t0:.2f} s"
        )
        files[n] = (path, counts)

    rows: list[Row] = []
    for n in sizes:
        path, counts = files[n]
        print(f"Measuring {n:,} scenarios ...", flush=True)
        val = [measure("validate", path) for _ in range(runs)]
        best = min(val, key=lambda v: float(v["seconds"]))
        if best["estimate_rows"] != counts.estimates:
            raise SystemExit(
                f"expected {counts.estimates} estimate rows, got {best['estimate_rows']}"
            )
        if best["warnings"]:
            print(f"  note: {best['warnings']} validation warnings")
        trace = measure("validate-trace", path)
        parse = measure("parse-trace", path)
        comp = measure("compute", path)
        res = measure("results", path)
        rows.append(
            Row(
                scenarios=n,
                estimate_rows=int(best["estimate_rows"]),
                consensus_rows=int(best["consensus_rows"]),
                cascade_rows=int(best["cascade_rows"]),
                file_bytes=path.stat().st_size,
                validate_s=float(best["seconds"]),
                validate_rss_bytes=max(int(v["rss_peak_bytes"]) for v in val),
                rss_baseline_bytes=min(int(v["rss_baseline_bytes"]) for v in val),
                validate_trace_bytes=int(trace["trace_peak_bytes"]),
                parse_trace_bytes=int(parse["trace_peak_bytes"]),
                text_bytes=int(parse["text_bytes"]),
                retained_bytes=int(trace["trace_retained_bytes"]),
                compute_s=float(comp["seconds"]),
                compute_trace_bytes=int(comp["trace_peak_bytes"]),
                results_s=float(res["seconds"]),
                dumps_s=float(res["dumps_seconds"]),
                json_bytes=int(res["json_bytes"]),
            )
        )
    report(rows)

    if profile:
        n = max(sizes)
        path = files[n][0]
        print()
        print(f"Validation phases for {n:,} scenarios (time untraced; memory from a traced run)")
        phases = measure("phases", path)["phases"]
        print(
            _table(
                ["phase", "s", "peak MB", "retained MB"],
                [
                    [
                        str(p["phase"]),
                        f"{p['seconds']:.3f}",
                        f"{p['peak_bytes'] / MB:.1f}",
                        f"{p['retained_bytes'] / MB:.1f}",
                    ]
                    for p in phases
                ],
            )
        )
        print("  peak MB: tracemalloc peak during the phase; retained MB: held after it.")
        print()
        print(f"cProfile of read_assessment, {n:,} scenarios (top 15 by cumulative time)")
        print(measure("profile", path)["text"])


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1000, 10000])
    parser.add_argument("--out", type=Path, default=None, help="keep the generated files here")
    parser.add_argument("--runs", type=int, default=3, help="validation runs (best time kept)")
    parser.add_argument("--seed", type=int, default=20260316)
    parser.add_argument("--profile", action="store_true", help="phases and cProfile of validation")
    parser.add_argument("--worker", nargs="+", metavar="ARG", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        print(json.dumps(_worker(args.worker[0], args.worker[1], args.worker[2:])))
        return
    sizes = sorted(set(args.sizes))
    if args.out is not None:
        args.out.mkdir(parents=True, exist_ok=True)
        _run(sizes, args.out, max(args.runs, 1), args.seed, args.profile)
    else:
        with tempfile.TemporaryDirectory(prefix="nsra-bench-") as tmp:
            _run(sizes, Path(tmp), max(args.runs, 1), args.seed, args.profile)


if __name__ == "__main__":
    main()
