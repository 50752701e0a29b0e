"""Confidence weighting of counts (log, BM25) and ALS's exact fold-in/explanations under it."""

from __future__ import annotations

import numpy as np
import pytest
from implicit.cpu.als import AlternatingLeastSquares
from implicit.nearest_neighbours import bm25_weight

from recsys.data import weighting as w
from recsys.errors import ModelConfigError
from recsys.models.profile import Profile
from recsys.models.registry import create_model
from tests._rec_models import demo
from tests.lastfm_like import lastfm_like_dataset


def counts():
    return lastfm_like_dataset(seed=3, n_users=150, n_items=900, per_user=30)


def test_auto_is_log_for_counts_and_binary_or_raw_for_ratings():
    assert w.has_counts(counts()) and not w.has_counts(demo())
    assert w.resolve("auto", counts()) == "log"
    assert w.resolve("auto", demo(), binarize=True) == "binary"
    assert w.resolve("auto", demo(), binarize=False) == "none"
    assert w.resolve("bm25", demo()) == "bm25"
    with pytest.raises(ModelConfigError, match="weighting must be one of"):
        w.resolve("tfidf", demo())


def test_bm25_matrix_equals_implicits_lastfm_weighting():
    m = counts().matrix.astype(np.float64).tocsr()
    ours = w.Weighting.fit("bm25", m).apply(m)
    # implicit's Last.fm example: bm25 on the artist x user matrix, then transposed
    theirs = bm25_weight(m.T.tocsr(), K1=100, B=0.8).T.tocsr()
    np.testing.assert_allclose(ours.toarray(), theirs.toarray(), rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("kind", w.KINDS)
def test_a_row_weighed_alone_equals_its_row_of_the_weighted_matrix(kind):
    m = counts().matrix.tocsr()
    fitted = w.Weighting.fit(kind, m)
    full = fitted.apply(m)
    for u in (0, 7, 99):
        row = m[u]
        np.testing.assert_allclose(
            fitted.row(row.data, row.indices), full[u].data, rtol=1e-6, atol=1e-6
        )


def test_log_weights_compress_counts_and_keep_sign():
    got = w.Weighting("log").row(np.array([1.0, 99.0, 99_999.0, -3.0]), np.arange(4))
    np.testing.assert_allclose(got, [np.log(2), np.log(100), np.log(100_000), -np.log(4)])


@pytest.fixture(scope="module", params=["log", "bm25", "auto"])
def als(request):
    return create_model("als", factors=12, iterations=4, weighting=request.param).fit(counts())


def test_fit_keeps_the_hyperparameter_and_states_the_fitted_weighting(als):
    assert als.weighting in ("log", "bm25", "auto")
    assert als.weighting_.kind == ("log" if als.weighting == "auto" else als.weighting)
    assert "log" in als.weighting_description or "BM25" in als.weighting_description


def test_training_matrix_is_the_weighted_counts(als):
    raw = counts().matrix.tocsr()
    expected = w.Weighting.fit(als.weighting_.kind, raw).apply(raw)
    np.testing.assert_allclose(als.user_items_.toarray(), expected.toarray(), rtol=1e-6)


@pytest.mark.parametrize("u", [0, 42, 149])
def test_explanations_sum_to_a_fresh_solve_that_matches_implicit(als, u):
    ds = counts()
    user = als.user_ids_[u]
    profile = Profile.of_user(als, ds, user)
    items = np.arange(0, ds.n_items, 97)
    breakdown = als.explain(profile, items)
    twin = AlternatingLeastSquares(
        factors=12, regularization=float(als.regularization), alpha=float(als.alpha)
    )
    twin.item_factors, twin.user_factors = als.item_factors_.copy(), als.user_factors_.copy()
    theirs = np.asarray(twin.recalculate_user(u, als.user_items_[u])).ravel()
    sums = breakdown.contributions.sum(axis=0)
    np.testing.assert_allclose(sums, als.item_factors_[items] @ theirs, rtol=1e-3, atol=1e-4)
    # a visitor holding the user's raw counts gets the very vector of the training user's solve
    raw = ds.matrix[u]
    visitor = als.fold_in(Profile(raw.indices.astype(np.int64), raw.data, None))
    np.testing.assert_allclose(visitor, theirs, rtol=1e-3, atol=1e-4)


def test_saved_model_keeps_its_weighting(als, tmp_path):
    from recsys.models.base import Recommender

    als.save(tmp_path / "m")
    back = Recommender.load(tmp_path / "m")
    assert back.weighting_.kind == als.weighting_.kind
    raw = counts().matrix[5]
    profile = Profile(raw.indices.astype(np.int64), raw.data, None)
    np.testing.assert_allclose(back.fold_in(profile), als.fold_in(profile), rtol=1e-6)


def test_ratings_keep_the_binarised_default():
    model = create_model("als", factors=8, iterations=2).fit(demo())
    assert model.weighting_.kind == "binary"
    assert set(np.unique(model.user_items_.data)) == {1.0}
