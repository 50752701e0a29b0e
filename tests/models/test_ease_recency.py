"""EASE's time decay (``recency``): recent history items weigh more, explanations still sum."""

from __future__ import annotations

import numpy as np
import pytest

from recsys.models.profile import Profile
from recsys.models.registry import create_model


@pytest.fixture(scope="module")
def plain(small):
    return create_model("ease", factors=16).fit(small)


@pytest.fixture(scope="module")
def decayed(small):
    return create_model("ease", factors=16, recency=5.0).fit(small)


def test_the_newest_item_weighs_one_and_older_items_less(decayed, small):
    user = 3
    rows = np.flatnonzero(small.user_index == user)
    newest_first = rows[np.lexsort((rows, small.timestamps[rows]))[::-1]]
    row = decayed.user_items_[user].toarray().ravel()
    weights = row[small.item_index[newest_first]]
    assert weights[0] == pytest.approx(1.0)
    n = len(rows)
    assert weights[-1] == pytest.approx(np.exp(-5.0 * (n - 1) / n), rel=1e-5)
    assert np.all(np.diff(weights) <= 1e-7)  # never heavier than a newer item


def test_decay_changes_scores_but_not_the_learned_weights(plain, decayed):
    np.testing.assert_array_equal(plain.B_, decayed.B_)
    assert not np.allclose(plain.score_users(np.arange(5)), decayed.score_users(np.arange(5)))


def test_user_explanation_sums_to_the_decayed_score(decayed, small):
    user = small.user_ids.ids[3]
    profile = Profile.of_user(decayed, small, user)
    items = np.arange(30)
    breakdown = decayed.explain(profile, items)
    np.testing.assert_allclose(
        breakdown.totals, decayed.score_users(np.array([3]))[0][items], rtol=1e-4, atol=1e-6
    )
    assert breakdown.weights.max() == pytest.approx(1.0)


def test_a_visitors_last_pick_weighs_most(decayed, small):
    picks = list(small.item_ids.ids[[4, 9, 25, 60]])
    x = decayed.inputs(Profile.of_items(decayed, picks))
    np.testing.assert_allclose(x, np.exp(-5.0 * np.arange(3, -1, -1) / 4))
    forward = decayed.score_profile(Profile.of_items(decayed, picks))
    backward = decayed.score_profile(Profile.of_items(decayed, picks[::-1]))
    assert not np.allclose(forward, backward)


def test_save_load_keeps_the_decay(decayed, tmp_path):
    from recsys.models.ease import EASE

    loaded = EASE.load(decayed.save(tmp_path / "m"))
    np.testing.assert_allclose(loaded.score_users(np.arange(5)), decayed.score_users(np.arange(5)))
