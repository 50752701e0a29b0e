"""ALS computes its training loss at a few iterations on large data, exactly as implicit would."""

from __future__ import annotations

import numpy as np

from recsys.models import als as als_module
from recsys.models.registry import create_model
from recsys.training import history_frame, progress_metric
from tests.models.conftest import implicit_als


def test_loss_every_iteration_on_small_data_few_on_large():
    assert als_module.loss_iterations(15, 100_000) == set(range(1, 16))
    assert als_module.loss_iterations(15, 25_000_000) == {3, 6, 9, 12, 15}
    assert als_module.loss_iterations(4, 25_000_000) == {1, 2, 3, 4}
    for n in (6, 7, 13, 200):
        chosen = als_module.loss_iterations(n, 25_000_000)
        assert n in chosen and len(chosen) == als_module.LOSS_POINTS and min(chosen) >= 1


def test_sparse_loss_equals_implicits_own_loss(small, monkeypatch):
    monkeypatch.setattr(als_module, "LOSS_EVERY_ITERATION_NNZ", 0)  # behave as on large data
    ours = create_model("als", factors=16, iterations=10, binarize=False, seed=3).fit(small)
    reported = {h["step"]: h["loss"] for h in ours.history_ if "loss" in h}
    assert set(reported) == {2, 4, 6, 8, 10}
    assert [h["step"] for h in ours.history_] == list(range(1, 11))

    bare, losses = implicit_als(
        small, factors=16, iterations=10, alpha=2.0, regularization=0.05, random_state=3
    )
    np.testing.assert_array_equal(ours.user_factors_, bare.user_factors)
    for step, loss in reported.items():
        assert loss == np.float64(losses[step - 1])

    assert progress_metric(ours.history_) == "loss"
    frame = history_frame(ours.history_)
    assert list(frame["iteration"]) == [2, 4, 6, 8, 10]
    assert frame["loss"].iloc[-1] < frame["loss"].iloc[0]
