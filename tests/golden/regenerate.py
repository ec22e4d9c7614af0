"""Write the regression golden files again, on purpose, after an intended change of results.

    .venv/bin/python tests/golden/regenerate.py            # compute and analyse files
    .venv/bin/python tests/golden/regenerate.py analyse    # only tests/golden/analyse/*.json

``compute`` writes ``tests/golden/<example>.json`` (``nsra compute EXAMPLE --format json``),
``analyse`` writes ``tests/golden/analyse/<example>.json`` (seeded ``nsra analyse``, see
``tests/golden/runs.py``). The hand-checked cases in ``tests/golden/cases/`` are never written
here: their values are worked out by hand. No test calls this script.

Review the diff (``git diff tests/golden``) before committing, and say in the commit message why
the numbers changed.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path

if __name__ == "__main__" and not __package__:  # run as a script: the tests' import paths
    _root = Path(__file__).resolve().parents[2]
    sys.path[:0] = [str(_root), str(_root / "tests")]

from nsra.io.jsondoc import Json
from tests.golden.compare import differences
from tests.golden.runs import (
    EXAMPLES,
    analyse_example,
    analyse_golden,
    compute_example,
    compute_golden,
)
from tests.helpers import ROOT

KINDS: dict[str, tuple[Callable[[Path], Json], Callable[[Path], Path]]] = {
    "compute": (compute_example, compute_golden),
    "analyse": (analyse_example, analyse_golden),
}


def write(doc: Json, path: Path) -> bool:
    """Write ``doc`` as a golden file, unless the file already agrees with it (within the
    tests' tolerance: a last-digit difference from another machine is not a change); True
    when written."""
    if path.exists() and not differences(json.loads(path.read_text(encoding="utf-8")), doc):
        return False
    text = json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return True


def main(argv: list[str]) -> int:
    kinds = argv or list(KINDS)
    unknown = [k for k in kinds if k not in KINDS]
    if unknown:
        print(f"unknown kind {unknown[0]!r}; give any of: {', '.join(KINDS)}", file=sys.stderr)
        return 2
    for kind in kinds:
        produce, golden = KINDS[kind]
        for example in EXAMPLES:
            path = golden(example)
            changed = write(produce(example), path)
            print(f"{'written  ' if changed else 'unchanged'} {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
