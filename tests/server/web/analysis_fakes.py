"""Stand-ins for the analyses a job runs, for the tests of the Analyses page. They are sent to
the pool process by name, so they live in a module of their own."""

from __future__ import annotations

import time

from nsra.analysis.pipeline import AnalysisOptions, Stage
from nsra.engine.compute import Results
from nsra.io.contract import AnalysisDoc
from nsra.io.validate import Loaded
from nsra.server.analysis_runner import analysis_document

SECRET = "internal detail at /srv/nsra/secret.py line 12"


def slow(
    loaded: Loaded, results: Results, options: AnalysisOptions, progress: Stage
) -> AnalysisDoc:
    """The real analyses, after a second and a half of reported progress."""
    for k in range(15):
        progress("Monte Carlo", k, 15)
        time.sleep(0.1)
    return analysis_document(loaded, results, options, progress)


def failing(
    loaded: Loaded, results: Results, options: AnalysisOptions, progress: Stage
) -> AnalysisDoc:
    progress("Monte Carlo", 0, 1)
    raise RuntimeError(SECRET)
