"""BPR's negatives: plain uniform (1) and the hardest of several both learn; harder is harder."""

from __future__ import annotations

import numpy as np
import pytest

from recsys.models.registry import create_model


@pytest.mark.parametrize("negatives", [1, 3])
def test_bpr_learns_with_any_number_of_negatives(small, negatives):
    model = create_model("bpr", factors=8, iterations=15, negatives=negatives, seed=1).fit(small)
    accuracy = [h["accuracy"] for h in model.history_]
    assert accuracy[-1] > accuracy[0] + 0.1
    assert np.isfinite(model.user_factors_).all() and np.isfinite(model.item_bias_).all()


def test_harder_negatives_are_ranked_correctly_less_often(small):
    """The chosen negative is the highest-scored draw, so fewer pairs start out correct."""
    final = {
        n: create_model("bpr", factors=8, iterations=15, negatives=n, seed=1)
        .fit(small)
        .history_[-1]["accuracy"]
        for n in (1, 3)
    }
    assert final[3] < final[1], final
