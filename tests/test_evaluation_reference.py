"""The reference protocol of issue 6 on ml-latest-small: our leaderboard reproduces the peer figures.

Temporal split (each user's latest 20% held out), all ratings positive, every training item
ranked, training items excluded, K=10, NDCG with binary gains. Skipped without the data.
"""

from __future__ import annotations

import pytest

from recsys.data.reference import ml_small_path
from recsys.evaluation.comparison import ModelSpec, run_comparison
from recsys.evaluation.metrics import temporal_split

ML_SMALL = ml_small_path()

# (key, settings used by the peers, NDCG@10 they measured)
REFERENCE = [
    ("popular", {}, 0.088),
    ("als", {"factors": 64, "regularization": 0.05, "alpha": 1.0, "binarize": True}, 0.108),
    ("svd", {"factors": 20}, 0.118),
    # EASE (lambda 250) -> 0.131 is checked by benchmarks/bench_evaluation.py: its 9.7k x 9.7k
    # inverse takes a minute on a busy 2-core box, too slow for the test suite.
]


@pytest.mark.slow
@pytest.mark.skipif(not ML_SMALL.exists(), reason=f"ml-latest-small not found at {ML_SMALL}")
def test_reference_figures_are_reproduced_within_0_005():
    from recsys.data import load_path

    ds = load_path(ML_SMALL)
    split = temporal_split(ds, 0.2)
    specs = [ModelSpec(key, dict(params)) for key, params, _ in REFERENCE]
    comparison = run_comparison(ds, split, specs, k=10, include_baselines=False)
    got = {r.key: r.metrics["ndcg"] for r in comparison.results}
    for key, _, peer in REFERENCE:
        assert abs(got[key] - peer) <= 0.005, (key, got[key], peer)
    assert got["svd"] > got["als"] > got["popular"]
