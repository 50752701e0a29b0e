"""Explanations add up: ALS over history items (checked against implicit), EASE, factors."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
from implicit.cpu.als import AlternatingLeastSquares

from recsys.data.dataset import Dataset
from recsys.explain.explanations import (
    drivers,
    explain_items,
    explain_user,
    factor_names,
    reason_sentence,
)
from recsys.models.breakdown import KIND_FACTORS, KIND_HISTORY, KIND_NONE
from recsys.models.profile import Profile
from recsys.models.registry import create_model
from tests._rec_models import demo, fitted

USERS = [0, 17, 301, 1999]


def _implicit_twin(model) -> AlternatingLeastSquares:
    """A bare implicit ALS holding our model's factors and hyperparameters."""
    twin = AlternatingLeastSquares(
        factors=model.item_factors_.shape[1],
        regularization=float(model.regularization),
        alpha=float(model.alpha),
        random_state=0,
    )
    twin.item_factors = model.item_factors_.copy()
    twin.user_factors = model.user_factors_.copy()
    return twin


@pytest.mark.parametrize("binarize", [False, True])
@pytest.mark.parametrize("u", USERS)
def test_als_contributions_sum_to_fresh_solve_and_match_implicit(u, binarize):
    model = fitted("als", binarize=binarize)
    ds = demo()
    user = model.user_ids_[u]
    items = list(model.recommend(user, n=5)["item"]) + [model.item_ids_[3]]
    expl = explain_items(model, ds, Profile.of_user(model, ds, user), items)
    twin = _implicit_twin(model)
    fresh = twin.recalculate_user(u, model.user_items_[u])  # implicit's own user solve
    full = model.user_items_  # implicit's explain reads row u of the matrix it is given
    history = len(model.user_items_[u].indices)
    for e, item in zip(expl, items, strict=True):
        i = model.item_ids_.index(item)
        assert e.kind == KIND_HISTORY
        assert e.contributions["contribution"].sum() == pytest.approx(e.score, rel=1e-9)
        assert e.score == pytest.approx(float(fresh @ model.item_factors_[i]), rel=1e-4, abs=1e-5)
        total, top, _ = twin.explain(u, full, i, N=history)
        assert e.score == pytest.approx(total, rel=1e-4, abs=1e-5)
        theirs = {model.item_ids_[j]: s for j, s in top}
        ours = dict(zip(e.contributions["item"], e.contributions["contribution"], strict=True))
        assert set(theirs) == set(ours)
        for k, v in theirs.items():
            assert ours[k] == pytest.approx(v, rel=1e-3, abs=1e-6)
        # the model's own score (stored vector, CG solver) is close to the exact one
        assert e.model_score == pytest.approx(e.score, rel=0.2, abs=0.05)


def test_als_user_solve_matches_implicit_recalculate_user():
    model = fitted("als")
    twin = _implicit_twin(model)
    row = model.user_items_[42]
    ours = model.fold_in(Profile(row.indices, row.data.astype(np.float64)))
    theirs = twin.recalculate_user(42, row)
    np.testing.assert_allclose(ours, np.asarray(theirs).ravel(), rtol=1e-3, atol=1e-5)


def test_als_disliked_items_do_not_push_up():
    model = fitted("als")
    items = model.item_ids_.to_external([1, 2, 3])
    profile = Profile.of_items(model, list(items), [5.0, 4.0, -3.0])
    e = explain_items(model, demo(), profile, [model.item_ids_[10]])[0]
    row = e.contributions.set_index("item").loc[items[2]]
    assert row["contribution"] == 0.0
    assert e.contributions["contribution"].sum() == pytest.approx(e.score)


@pytest.mark.parametrize("key", ["svd", "mf", "bpr", "spectral"])
def test_factor_decomposition_sums_exactly_and_matches_base_explain(key):
    model, ds = fitted(key), demo()
    for u in USERS:
        user = model.user_ids_[u]
        item = model.recommend(user, n=1)["item"].iloc[0]
        e = explain_user(model, ds, user, item)
        assert e.kind == KIND_FACTORS
        score = float(model.user_scores(user)[model.item_ids_.index(item)])
        assert e.score == pytest.approx(score, rel=1e-5, abs=1e-5)
        assert e.model_score == pytest.approx(score, rel=1e-6)
        u_vec = model.user_factors_[u].astype(np.float64)
        i_vec = model.item_factors_[model.item_ids_.index(item)].astype(np.float64)
        mine = e.contributions.set_index("term")["contribution"]
        for f in range(len(u_vec)):  # each factor term is exactly u_f * v_f
            assert mine[f"factor {f}"] == pytest.approx(u_vec[f] * i_vec[f], rel=1e-6, abs=1e-9)
        # similar history items really are the most similar by cosine
        sim = e.similar_history
        assert list(sim["cosine"]) == sorted(sim["cosine"], reverse=True)
        assert set(sim["item"]) <= set(ds.user_history(user)["item"])


def test_biased_model_lists_bias_terms():
    model, ds = fitted("mf"), demo()
    user = model.user_ids_[5]
    e = explain_user(model, ds, user, model.item_ids_[7])
    terms = set(e.contributions["term"])
    assert {"item bias", "user bias", "global mean"} <= terms


def test_factor_names_are_the_extreme_items():
    model, ds = fitted("svd"), demo()
    names = factor_names(model, ds, k=2)
    f = 3
    col = model.item_factors_[:, f]
    assert names.loc[f, "positive_end"] == ", ".join(ds.titles[np.argsort(-col)[:2]])
    assert names.loc[f, "negative_end"] == ", ".join(ds.titles[np.argsort(col)[:2]])


def test_ease_contributions_sum_exactly():
    model, ds = fitted("ease"), demo()
    for u in USERS:
        user = model.user_ids_[u]
        items = list(model.recommend(user, n=4)["item"])
        expl = explain_items(model, ds, Profile.of_user(model, ds, user), items)
        scores = model.user_scores(user)
        for e, item in zip(expl, items, strict=True):
            assert e.kind == KIND_HISTORY
            assert e.score == pytest.approx(float(scores[model.item_ids_.index(item)]), rel=1e-5)
            b = model.B_[model.user_items_[u].indices, model.item_ids_.index(item)]
            assert np.sort(e.contributions["contribution"].to_numpy()) == pytest.approx(
                np.sort(b.astype(np.float64) * model.user_items_[u].data), rel=1e-6
            )


def test_reason_sentence_names_the_top_drivers_with_stars():
    model, ds = fitted("als"), demo()
    user = model.user_ids_[17]
    e = explain_user(model, ds, user, model.recommend(user, n=1)["item"].iloc[0])
    top2 = e.contributions.head(2)
    m = re.fullmatch(
        r"Because you rated (.+) (\d)★ and (.+) (\d)★, which drive (\d+)% of this score(; \d+ other items add the rest)?\.",
        e.reason,
    )
    assert m, e.reason
    assert [m.group(1), m.group(3)] == list(top2["title"])
    assert [int(m.group(2)), int(m.group(4))] == [int(v) for v in top2["value"]]
    assert int(m.group(5)) == round(100 * top2["contribution"].sum() / e.score)


def test_reason_for_visitor_shows_stars_only_for_rated_items():
    model, ds = fitted("ease"), demo()
    hist = ds.user_history(model.user_ids_[3])
    items = list(hist["item"][:6])
    profile = Profile.of_items(model, items, [5.0] * 6, explicit=True, rated=[True] + [False] * 5)
    e = explain_items(model, ds, profile, [model.recommend_profile(profile, n=1)["item"].iloc[0]])[0]
    assert e.reason.startswith("Because you picked ")
    starred = [t for t in e.contributions.head(2)["title"] if f"{t} 5★" in e.reason]
    assert len(starred) <= 1
    implicit = Profile.of_items(model, items)
    e2 = explain_items(model, ds, implicit, [e.item])[0]
    assert "★" not in e2.reason


def test_implicit_dataset_says_interacted_with():
    frame = pd.DataFrame(
        {"user": ["a", "a", "b", "b", "c", "c", "c"], "item": ["x", "y", "x", "z", "y", "z", "w"]}
    )
    ds = Dataset.from_frame(frame)
    model = create_model("ease", regularization=0.5, factors=2).fit(ds)
    e = explain_user(model, ds, "a", "z")
    assert "interacted with" in e.reason or e.reason.startswith("None of your items")


def test_baseline_gets_no_decomposition():
    model, ds = fitted("popular"), demo()
    e = explain_user(model, ds, model.user_ids_[0], model.item_ids_[0])
    assert e.kind == KIND_NONE
    assert "does not personalise" in e.reason


def test_drivers_of_a_list():
    model, ds = fitted("als"), demo()
    user = model.user_ids_[17]
    recs = model.recommend(user, n=10)
    expl = explain_items(model, ds, Profile.of_user(model, ds, user), list(recs["item"]))
    d = drivers(expl, n=3)
    assert len(d) == 3 and list(d["value"]) == sorted(d["value"], reverse=True)
    total = sum(e.score for e in expl)
    first = sum(e.contributions.set_index("item").loc[d["item"][0], "contribution"] for e in expl)
    assert d["value"][0] == pytest.approx(first / total)
    assert reason_sentence(expl[0], Profile.of_user(model, ds, user)) == expl[0].reason


def test_binarised_model_still_shows_the_real_ratings():
    model, ds = fitted("als", binarize=True), demo()
    user = model.user_ids_[17]
    e = explain_user(model, ds, user, model.recommend(user, n=1)["item"].iloc[0])
    assert set(e.contributions["weight"]) == {float(model.alpha)}  # every confidence is alpha * 1
    hist = ds.user_history(user).set_index("item")["value"]
    for item, value in zip(e.contributions["item"], e.contributions["value"], strict=True):
        assert value == hist[item]
    assert hist.nunique() > 1 and "★" in e.reason


def test_als_visitor_with_binarize_off_uses_alpha_times_value():
    """fold_in honours binarize/alpha: with binarize off, a 5★ pick counts 5x a 1★ pick."""
    model = fitted("als", binarize=False)
    items = list(model.item_ids_.to_external([1, 2, 3]))
    a = model.fold_in(Profile.of_items(model, items, [5.0, 1.0, 1.0]))
    b = model.fold_in(Profile.of_items(model, items, [1.0, 1.0, 1.0]))
    assert not np.allclose(a, b)
    binarised = fitted("als", binarize=True)
    c = binarised.fold_in(Profile.of_items(binarised, items, [5.0, 1.0, 1.0]))
    d = binarised.fold_in(Profile.of_items(binarised, items, [1.0, 1.0, 1.0]))
    np.testing.assert_allclose(c, d)

