"""Monte Carlo blocks (nsra.analysis.chunks): one stream per block, whatever the grouping."""

from __future__ import annotations

import numpy as np

from nsra.analysis.chunks import Plan, block_stream, run_blocks, streams


def test_block_streams_do_not_depend_on_how_many_are_spawned() -> None:
    a = streams(42, 5)[3].random(4)
    b = block_stream(42, 3).random(4)
    assert np.array_equal(a, b)
    assert not np.array_equal(block_stream(42, 2).random(4), b)


def test_run_blocks_sizes_and_order() -> None:
    plan = Plan(10, block=4)
    assert plan.blocks == 3
    assert [plan.size(b) for b in range(3)] == [4, 4, 2]
    out = run_blocks(lambda b, n, rng: (b, n), plan, seed=0)
    assert out == [(0, 4), (1, 4), (2, 2)]
