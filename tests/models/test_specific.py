"""What each model promises beyond the shared contract."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from recsys.data.dataset import Dataset
from recsys.errors import ModelConfigError
from recsys.models import ease as ease_module
from recsys.models.profile import Profile
from recsys.models.registry import create_model
from tests.models.conftest import FAST, implicit_als, subset, tiny_frame


def test_als_factors_are_implicits_own(small):
    ours = create_model(
        "als", factors=16, iterations=4, alpha=3.0, regularization=0.1, seed=5, binarize=False
    ).fit(small)
    bare, _ = implicit_als(
        small, factors=16, iterations=4, alpha=3.0, regularization=0.1, random_state=5
    )
    np.testing.assert_array_equal(ours.item_factors_, bare.item_factors)
    np.testing.assert_array_equal(ours.user_factors_, bare.user_factors)
    losses = [h["loss"] for h in ours.history_]
    assert len(losses) == 4 and losses[-1] < losses[0]


def test_als_history_contributions_match_implicit_explain(small):
    from implicit.cpu.als import AlternatingLeastSquares

    model = create_model("als", **FAST["als"], binarize=True).fit(small)
    bare = AlternatingLeastSquares(
        factors=16, regularization=model.regularization, alpha=model.alpha
    )
    bare.user_factors, bare.item_factors = model.user_factors_, model.item_factors_
    user = small.user_ids.ids[3]
    u = small.user_ids.index(user)
    item = model.recommend(user, n=1)["item"][0]
    i = small.item_ids.index(item)
    breakdown = model.explain(Profile.of_user(model, small, user), np.array([i]))
    contributions = breakdown.contributions[:, 0]
    total = float(contributions.sum())
    top = np.argsort(-contributions, kind="stable")[:5]
    ref_total, ref_top, _ = bare.explain(u, model.user_items_, i, N=5)
    assert total == pytest.approx(ref_total, rel=1e-5)
    assert list(breakdown.terms[top]) == [j for j, _ in ref_top]
    np.testing.assert_allclose(contributions[top], [s for _, s in ref_top], rtol=1e-5)
    # the fresh solve is implicit's recalculate_user
    fresh = bare.recalculate_user(u, model.user_items_[u])
    np.testing.assert_allclose(
        model.fold_in(Profile.of_user(model, small, user)), np.ravel(fresh), rtol=1e-3, atol=1e-5
    )
    # the exact least-squares score is close to the model's (CG-solved) score
    assert total == pytest.approx(
        float(model.user_scores(user)[small.item_ids.index(item)]), rel=0.05
    )


def test_bpr_learns_to_rank_and_resolves_auto_iterations(small):
    model = create_model("bpr", factors=8, seed=3).fit(small)
    assert model.iterations == 0  # "auto" stays as given ...
    assert model.iterations_ == model.AUTO_MAX_ITERATIONS  # ... and is resolved from the size
    assert len(model.history_) == model.iterations_
    accuracy = [h["accuracy"] for h in model.history_]
    assert accuracy[0] < 0.75 < accuracy[-1]
    assert model.history_[-1]["loss"] < model.history_[0]["loss"]
    assert model.item_factors_.shape[1] == 8 and model.item_bias_.shape == (small.n_items,)
    np.testing.assert_allclose(
        model.score_users(np.arange(3)),
        model.user_factors_[:3] @ model.item_factors_.T + model.item_bias_,
        rtol=1e-5,
    )


def test_bpr_ranks_above_most_popular(demo):
    """Uniform negatives: implicit's popularity-weighted ones ranked below this baseline."""
    from recsys.evaluation.metrics import evaluate_model, make_split

    data = make_split(demo, "temporal", test_fraction=0.2).apply(demo)
    bpr = create_model("bpr", factors=32, iterations=30).fit(data.train)
    popular = create_model("popular").fit(data.train)
    ndcg = {m.key: evaluate_model(m, data, 10).metrics["ndcg"] for m in (bpr, popular)}
    assert ndcg["bpr"] > 1.2 * ndcg["popular"], ndcg


def test_ease_weights_scores_and_explanation(small):
    model = create_model("ease", regularization=50.0, factors=8).fit(small)
    X = model.user_items_.toarray().astype(np.float64)
    G = X.T @ X + 50.0 * np.eye(X.shape[1])
    P = np.linalg.inv(G)
    B = P / -np.diag(P)
    np.fill_diagonal(B, 0.0)
    np.testing.assert_allclose(model.B_, B, atol=1e-5)
    assert model.B_.dtype == np.float32
    np.testing.assert_allclose(
        model.score_users(np.arange(5)), X[:5] @ model.B_, rtol=1e-5, atol=1e-6
    )
    user = small.user_ids.ids[2]
    item = model.recommend(user, n=1)["item"][0]
    i = small.item_ids.index(item)
    breakdown = model.explain(Profile.of_user(model, small, user), np.array([i]))
    score = float(model.user_scores(user)[i])
    assert breakdown.kind == "history"
    assert breakdown.totals[0] == pytest.approx(score, rel=1e-5)
    np.testing.assert_array_equal(breakdown.terms, model.user_items_[small.user_ids.index(user)].indices)


def test_ease_refuses_large_catalogues_politely(small, monkeypatch):
    monkeypatch.setattr(ease_module, "MAX_ITEMS", 100)
    with pytest.raises(ModelConfigError, match="pick ALS"):
        create_model("ease").fit(small)


def test_biased_mf_rmse_falls_and_predicts_ratings(demo):
    ds = subset(demo, 600, 600)
    model = create_model("mf", epochs=8).fit(ds)
    rmse = [h["rmse"] for h in model.history_]
    assert rmse == sorted(rmse, reverse=True)
    baseline = float(np.sqrt(np.mean((ds.values - ds.values.mean()) ** 2)))
    assert model.rmse(ds) < 0.9 * baseline
    user = ds.user_ids.ids[0]
    pred = model.predict(user, list(ds.item_ids.ids[:50]))
    assert ((pred >= 1.0) & (pred <= 5.0)).all()
    # the explanation's terms sum to the predicted (unclipped) rating
    breakdown = model.explain(Profile.of_user(model, ds, user), np.array([0]))
    raw = model.predict(user, [ds.item_ids.ids[0]], clip=False)[0]
    assert breakdown.totals[0] == pytest.approx(raw, rel=1e-5)
    assert {"item bias", "user bias", "global mean"} <= set(breakdown.terms)


def test_biased_mf_needs_varying_values():
    ds = Dataset.from_frame(tiny_frame([("u1", "a", 1.0), ("u2", "a", 1.0), ("u2", "b", 1.0)]))
    with pytest.raises(ModelConfigError, match="same value"):
        create_model("mf").fit(ds)


def test_item2vec_is_reproducible_across_processes(small, tmp_path):
    """gensim seeds vectors with hash(word); Python's str hash changes per process unless fixed."""
    model = create_model("item2vec", **FAST["item2vec"]).fit(small)
    code = (
        "import sys, numpy as np\n"
        "sys.path.insert(0, '.')\n"
        "from tests.models.conftest import subset, FAST\n"
        "from recsys.data.demo import load_demo\n"
        "from recsys.models.registry import create_model\n"
        "m = create_model('item2vec', **FAST['item2vec']).fit(subset(load_demo(), 300, 400))\n"
        f"np.save({str(tmp_path / 'v.npy')!r}, m.item_factors_)\n"
    )
    root = Path(__file__).resolve().parents[2]
    subprocess.run(
        [sys.executable, "-c", code],
        check=True,
        cwd=root,
        env={"PYTHONHASHSEED": "random", "PATH": ""},
    )
    np.testing.assert_array_equal(np.load(tmp_path / "v.npy"), model.item_factors_)


def test_item2vec_scores_input_means_against_output_vectors(small):
    model = create_model("item2vec", **FAST["item2vec"]).fit(small)
    assert model.epochs_ == 3 and not np.allclose(model.input_vectors_, model.item_factors_)
    user = small.user_ids.ids[5]
    profile = Profile.of_user(model, small, user)
    visitor = Profile(profile.items, profile.values, None)
    # a visitor with a user's history gets that user's vector and scores
    np.testing.assert_allclose(model.fold_in(visitor), model.user_factors_[5], rtol=1e-5)
    np.testing.assert_allclose(
        model.score_profile(visitor), model.score_profile(profile), rtol=1e-4, atol=1e-6
    )
    auto = create_model("item2vec", factors=8).fit(small)
    assert auto.epochs == 0 and auto.epochs_ == auto.AUTO_MAX_EPOCHS


def test_item2vec_needs_histories_longer_than_one():
    ds = Dataset.from_frame(tiny_frame([("u1", "a", 1.0), ("u2", "b", 1.0)]))
    with pytest.raises(ModelConfigError, match="more than one item"):
        create_model("item2vec").fit(ds)


def test_spectral_normalisation_exponent(small):
    half = create_model("spectral", factors=8, exponent=0.5).fit(small)
    raw = create_model("spectral", factors=8, exponent=0.0).fit(small)
    # the normalised bipartite graph's top singular value is exactly 1
    assert half.singular_values_[0] == pytest.approx(1.0, abs=1e-5)
    assert raw.singular_values_[0] > 2.0
    assert not np.allclose(half.item_factors_, raw.item_factors_)


def test_baselines(small):
    popular = create_model("popular").fit(small)
    user = small.user_ids.ids[0]
    recs = popular.recommend(user, n=5)
    unseen = np.ones(small.n_items, dtype=bool)
    unseen[small.item_ids.indices(small.user_history(user)["item"])] = False
    best = np.flatnonzero(unseen)[np.argsort(-small.item_popularity[unseen], kind="stable")][:5]
    assert set(small.item_popularity[small.item_ids.indices(recs["item"])]) == set(
        small.item_popularity[best]
    )
    r1 = create_model("random", seed=1).fit(small)
    r2 = create_model("random", seed=2).fit(small)
    assert list(r1.recommend(user)["item"]) != list(r2.recommend(user)["item"])
    assert list(r1.recommend(user)["item"]) == list(r1.recommend(user)["item"])


def test_als_threads_do_not_change_the_factors(small):
    one = create_model("als", **FAST["als"], threads=1).fit(small)
    two = create_model("als", **FAST["als"], threads=2).fit(small)
    np.testing.assert_array_equal(one.item_factors_, two.item_factors_)
    np.testing.assert_array_equal(one.user_factors_, two.user_factors_)


def test_als_fold_in_reproduces_a_users_own_vector(small):
    """Folding in a user's own history gives (almost) the vector ALS learned for them."""
    model = create_model("als", factors=16, iterations=15, threads=1).fit(small)
    user = small.user_ids.ids[4]
    row = model.user_items_[small.user_ids.index(user)]
    folded = model.fold_in(Profile(row.indices, row.data.astype(np.float64)))
    learned = model.user_factors_[small.user_ids.index(user)]
    cos = folded @ learned / np.linalg.norm(folded) / np.linalg.norm(learned)
    assert cos > 0.99


def test_ease_visitor_vector_matches_user_vector(small):
    model = create_model("ease", factors=8).fit(small)
    user = small.user_ids.ids[6]
    row = model.user_items_[small.user_ids.index(user)]
    folded = model.fold_in(Profile(row.indices, row.data.astype(np.float64)))
    np.testing.assert_allclose(
        folded, model.user_factors_[small.user_ids.index(user)], rtol=1e-4, atol=1e-5
    )
