"""Cold-start vectors from metadata: they land near their genre, and the reliability is honest."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from recsys.data.dataset import Dataset
from recsys.errors import DataError
from recsys.explain.coldstart import (
    ColdStartRegressor,
    cold_item_vectors,
    describe_cold,
    evaluate_reliability,
    recommend_cold,
)
from tests._rec_models import demo, fitted


def _unit(v):
    v = np.asarray(v, dtype=np.float64)
    return v / np.maximum(np.linalg.norm(v, axis=-1, keepdims=True), 1e-12)


@pytest.mark.parametrize("key", ["als", "svd"])
def test_held_out_items_land_near_their_planted_genre(key):
    model, ds = fitted(key), demo()
    rng = np.random.default_rng(3)
    held = np.sort(rng.choice(ds.n_items, 150, replace=False))
    train = np.setdiff1d(np.arange(ds.n_items), held)
    learned = model.item_factors_
    reg = ColdStartRegressor().fit(ds.items.iloc[train], learned[train])
    pred = _unit(reg.predict(ds.items.iloc[held]))
    genre = ds.items["planted_genre"].to_numpy()
    unit_train = _unit(learned[train])
    random_vec = _unit(learned[rng.choice(train, len(held))])
    pred_sim, rand_sim = [], []
    for k, i in enumerate(held):
        same = unit_train[genre[train] == genre[i]]
        pred_sim.append(float(np.mean(same @ pred[k])))
        rand_sim.append(float(np.mean(same @ random_vec[k])))
    assert np.mean(pred_sim) > np.mean(rand_sim) + 0.1
    # and for most items individually
    assert np.mean(np.array(pred_sim) > np.array(rand_sim)) > 0.8


def test_reliability_beats_its_baselines():
    rel = evaluate_reliability(fitted("als"), demo(), holdout=0.2, k=10, seed=0)
    assert rel.n_heldout == 300
    assert rel.mean_cosine > rel.baseline_cosine + 0.2
    assert rel.neighbour_recall > 3 * rel.baseline_recall
    assert "mean cosine" in rel.sentence()


def test_cold_items_of_a_dataset_get_vectors_and_can_be_recommended():
    ds = demo()
    model = fitted("als")
    frame = pd.DataFrame(
        {
            "user": ds.user_ids.to_external(ds.user_index),
            "item": ds.item_ids.to_external(ds.item_index),
            "value": ds.values,
        }
    )
    items = ds.items.rename(columns={"item_id": "item"})
    new = pd.DataFrame(
        {
            "item": ["new1", "new2"],
            "title": ["The Neon Hacker", "The Sweet Kiss"],
            "categories": [["Cyberpunk"], ["Romance"]],
            "tags": [["neon"], ["sweet"]],
            "text": ["", ""],
        }
    )
    with_cold = Dataset.from_frame(
        frame,
        items=pd.concat([items, new], ignore_index=True),
        feedback="explicit",
        rating_scale=(1, 5),
    )
    assert len(with_cold.cold_items) == 2
    cold = cold_item_vectors(model, with_cold, hold_out=[ds.item_ids[0]])
    assert len(cold) == 3 and list(cold.items["held_out"]) == [False, False, True]
    desc = describe_cold(model, with_cold, cold)
    assert np.isnan(desc["cosine to learned"][0]) and np.isfinite(desc["cosine to learned"][2])
    # a cyberpunk fan gets the cyberpunk newcomer first
    genre = ds.items["planted_genre"].to_numpy()
    fan = np.asarray(model.item_factors_[genre == "Cyberpunk"].mean(axis=0))
    recs = recommend_cold(fan, cold, n=3)
    assert list(recs["score"]) == sorted(recs["score"], reverse=True)
    assert recs["item"].iloc[0] == "new1" or recs["item"].iloc[0] == ds.item_ids[0]


def test_no_metadata_is_a_clear_error():
    frame = pd.DataFrame({"user": ["a", "b", "c"], "item": ["1", "2", "3"]})
    ds = Dataset.from_frame(frame)
    items = ds.items.assign(title=["", "", ""])
    with pytest.raises(DataError, match="no categories, tags, titles or text"):
        ColdStartRegressor().fit(items, np.ones((3, 2)))


def test_closed_form_ridge_equals_scikit_learn():
    import scipy.sparse as sp
    from sklearn.linear_model import Ridge

    from recsys.explain.coldstart import _ridge_closed_form

    rng = np.random.default_rng(3)
    x = sp.random(300, 40, density=0.1, random_state=3, format="csr")
    y = rng.normal(size=(300, 5))
    coef, intercept = _ridge_closed_form(x, y, 0.7)
    ref = Ridge(alpha=0.7, solver="sparse_cg", tol=1e-12).fit(x, y)
    np.testing.assert_allclose(coef.T, ref.coef_, atol=1e-6)
    np.testing.assert_allclose(intercept, ref.intercept_, atol=1e-6)
