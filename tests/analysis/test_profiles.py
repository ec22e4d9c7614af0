"""Results under every weight profile of the method (nsra.analysis.profiles)."""

from __future__ import annotations

import numpy as np

from helpers import ROOT
from nsra.analysis.profiles import compare_profiles
from nsra.engine.compute import compute
from nsra.io.validate import read_assessment

NL = ROOT / "examples" / "nl-integrated.yaml"


def test_profiles_show_which_scenarios_change_rank() -> None:
    loaded = read_assessment(str(NL))
    results = compute(loaded.inputs, loaded.method)
    cmp = compare_profiles(loaded.inputs, loaded.method, results.cells)
    assert cmp.profiles == [p.id for p in loaded.method.profiles]
    default = cmp.profiles.index(results.profile_id or "")
    assert np.array_equal(cmp.rank[default], results.rank)
    for p, pid in enumerate(cmp.profiles):
        expected = compute(loaded.inputs, loaded.method, pid).rank
        assert np.array_equal(cmp.rank[p], expected)
    moved = cmp.changes
    assert moved == [i for i in range(cmp.rank.shape[1]) if len(set(cmp.rank[:, i])) > 1]
