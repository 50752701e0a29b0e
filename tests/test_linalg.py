"""The one ranking rule: score descending, ties to the lower index, exact at the boundary."""

import numpy as np
import pytest

from recsys.linalg import cosine_neighbours, normalise_rows, top_k, top_k_rows


def test_ties_at_the_boundary_go_to_the_lower_index():
    scores = np.array([0.5] * 50 + [1.0])
    assert list(top_k(scores, 3)) == [50, 0, 1]  # argpartition alone gave [50, 0, 2]


@pytest.mark.parametrize("seed", range(20))
def test_top_k_equals_a_full_stable_sort(seed):
    rng = np.random.default_rng(seed)
    scores = rng.integers(0, 5, size=300).astype(float)  # many ties, like most-popular counts
    scores[rng.choice(300, 10)] = -np.inf
    scores[rng.choice(300, 3)] = np.nan
    for k in (1, 7, 50, 299, 300, 400):
        expected = np.argsort(-np.where(np.isnan(scores), -np.inf, scores), kind="stable")[:k]
        assert list(top_k(scores, k)) == list(expected)


def test_top_k_rows_agrees_with_top_k():
    rng = np.random.default_rng(3)
    scores = rng.integers(0, 4, size=(40, 500)).astype(np.float32)
    rows = top_k_rows(scores, 10)
    for r in range(len(scores)):
        assert list(rows[r]) == list(top_k(scores[r], 10))


def test_cosine_neighbours_exclude_self_and_sort():
    v = normalise_rows(np.random.default_rng(0).normal(size=(30, 4)))
    idx, sims = cosine_neighbours(v, 5, 6)
    assert 5 not in idx and len(idx) == 6
    assert list(sims) == sorted(sims, reverse=True)
    assert sims[0] == pytest.approx(float(np.max(np.delete(v @ v[5], 5))), rel=1e-6)
