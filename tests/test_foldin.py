"""A visitor with one existing user's full history gets nearly that user's recommendations."""

from __future__ import annotations

import numpy as np
import pytest

from recsys.models.profile import Profile
from tests._rec_models import demo, fitted

USERS = np.random.default_rng(0).choice(2000, 15, replace=False)
# mean overlap of the two top-10 lists that each model must reach (measured: ALS 9.9,
# PureSVD 10, EASE 10, item2vec 9.6, spectral 9.1, BPR 7.7, rating MF 7.4)
MIN_MEAN_OVERLAP = {"als": 9.5, "svd": 9.5, "ease": 9.5, "spectral": 8.0, "bpr": 6.5, "mf": 6.0}


def _overlaps(model) -> list[int]:
    ds = demo()
    out = []
    for u in USERS:
        user = model.user_ids_[u]
        row = ds.matrix[u]
        profile = Profile.of_items(
            model, list(model.item_ids_.to_external(row.indices)), list(row.data), explicit=True
        )
        mine = set(model.recommend_profile(profile, n=10)["item"])
        theirs = set(model.recommend(user, n=10)["item"])
        out.append(len(mine & theirs))
    return out


@pytest.mark.parametrize("key", list(MIN_MEAN_OVERLAP))
def test_profile_of_a_users_history_recommends_like_that_user(key):
    overlaps = _overlaps(fitted(key))
    assert np.mean(overlaps) >= MIN_MEAN_OVERLAP[key], overlaps


def test_als_visitor_vector_is_the_closed_form_solve():
    model, ds = fitted("als"), demo()
    row = ds.matrix[9]
    profile = Profile.of_items(
        model, list(model.item_ids_.to_external(row.indices)), list(row.data)
    )
    x = model.fold_in(profile)
    # the fresh solve and the stored (CG) vector agree closely
    stored = model.user_factors_[9]
    cos = float(x @ stored / np.linalg.norm(x) / np.linalg.norm(stored))
    assert cos > 0.98
    assert "closed-form" in model.fold_in_text


def test_random_profile_differs_from_a_user():
    """The overlap test can fail: a random profile does not reproduce a user's list."""
    model, ds = fitted("als"), demo()
    rng = np.random.default_rng(1)
    items = list(model.item_ids_.to_external(rng.choice(ds.n_items, 30, replace=False)))
    mine = set(model.recommend_profile(Profile.of_items(model, items), n=10)["item"])
    theirs = set(model.recommend(model.user_ids_[USERS[0]], n=10)["item"])
    assert len(mine & theirs) <= 5


def test_profile_excludes_picked_items_and_respects_allowed():
    model = fitted("svd")
    items = list(model.item_ids_.to_external([1, 2, 3]))
    allowed = np.zeros(len(model.item_ids_), dtype=bool)
    allowed[100:200] = True
    recs = model.recommend_profile(Profile.of_items(model, items), n=10, allowed=allowed)
    idx = model.item_ids_.indices(recs["item"])
    assert not set(items) & set(recs["item"])
    assert ((idx >= 100) & (idx < 200)).all()
