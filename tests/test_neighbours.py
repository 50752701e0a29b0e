"""Neighbours with reasons: cosine order, co-occurrence, Jaccard, shared categories; overlap."""

from __future__ import annotations

import numpy as np
import pytest

from recsys.errors import ModelConfigError
from recsys.explain.neighbours import (
    compare_item_neighbours,
    item_neighbours,
    list_overlap,
    user_neighbours,
)
from tests._rec_models import demo, fitted


def test_item_neighbours_reasons_match_the_data():
    model, ds = fitted("als"), demo()
    i = 11
    item = ds.item_ids[i]
    nb = item_neighbours(model, ds, item, n=8)
    assert len(nb) == 8 and item not in set(nb["item"])
    assert list(nb["cosine"]) == sorted(nb["cosine"], reverse=True)
    # same list as the model's own cosine neighbours
    assert list(nb["item"]) == list(model.similar_items(item, n=8)["item"])
    m = ds.matrix.tocsc()
    users_i = set(m[:, i].indices)
    cats = ds.items["categories"]
    for row in nb.itertuples():
        j = ds.item_ids.index(row.item)
        users_j = set(m[:, j].indices)
        assert row.co_users == len(users_i & users_j)
        assert row.jaccard == pytest.approx(len(users_i & users_j) / len(users_i | users_j))
        assert row.popularity == len(users_j)
        shared = [c for c in cats[j] if c in cats[i]]
        assert row.shared_categories == ", ".join(shared)
        assert f"{row.co_users:,} users interacted with both" in row.reason


def test_item_neighbours_share_the_planted_genre_more_than_chance():
    model, ds = fitted("als"), demo()
    genre = ds.items["planted_genre"].to_numpy()
    same = []
    for i in range(0, 300, 10):
        nb = item_neighbours(model, ds, ds.item_ids[i], n=10)
        same.append(np.mean(genre[ds.item_ids.indices(nb["item"])] == genre[i]))
    assert np.mean(same) > 3 / 12  # chance is about 1/12


def test_user_neighbours_overlap():
    model, ds = fitted("svd"), demo()
    u = 40
    nb = user_neighbours(model, ds, ds.user_ids[u], n=5)
    assert len(nb) == 5 and ds.user_ids[u] not in set(nb["user"])
    mine = set(ds.matrix[u].indices)
    for row in nb.itertuples():
        theirs = set(ds.matrix[ds.user_ids.index(row.user)].indices)
        assert row.shared_items == len(mine & theirs)
        assert row.jaccard == pytest.approx(len(mine & theirs) / len(mine | theirs))


def test_compare_two_models():
    ds = demo()
    a, b = fitted("als"), fitted("svd")
    item = ds.item_ids[5]
    same, s = compare_item_neighbours(a, a, ds, item, n=10)
    assert s["overlap"] == 10 and s["jaccard"] == 1.0 and len(same) == 10
    merged, s2 = compare_item_neighbours(a, b, ds, item, n=10)
    assert s2["overlap"] == int((merged["rank_a"].notna() & merged["rank_b"].notna()).sum())
    assert len(merged) == 20 - s2["overlap"]
    assert list_overlap(["x", "y", "z"], ["z", "q", "x"]) == {
        "overlap": 2,
        "jaccard": 0.5,
        "shared": ["x", "z"],
    }


def test_models_without_embeddings_say_so():
    with pytest.raises(ModelConfigError, match="no embeddings"):
        item_neighbours(fitted("popular"), demo(), demo().item_ids[0])


def _long_tail():
    """40 users on 30 shared items plus 60 items with a single listener each."""
    import pandas as pd

    from recsys.data.dataset import Dataset
    from recsys.models.registry import create_model

    rng = np.random.default_rng(0)
    rows = [(f"u{u}", f"core{j}") for u in range(40) for j in rng.choice(30, 8, replace=False)]
    rows += [(f"u{k % 40}", f"tail{k}") for k in range(60)]
    ds = Dataset.from_frame(pd.DataFrame(rows, columns=["user", "item"]), name="long tail")
    return create_model("als", factors=8, iterations=10).fit(ds), ds


def test_low_support_neighbours_are_flagged_or_left_out():
    from recsys.explain.neighbours import LOW_SUPPORT_USERS

    model, ds = _long_tail()
    flagged = None
    for item in ds.item_ids.ids:
        nb = item_neighbours(model, ds, item, n=10)
        assert list(nb["low_support"]) == list(nb["popularity"] < LOW_SUPPORT_USERS)
        if nb["low_support"].any():
            flagged = nb
            break
    assert flagged is not None, "the long tail should reach some neighbour list"
    row = flagged[flagged["low_support"]].iloc[0]
    assert "low support" in row.reason
    if row.co_users == 0:
        assert "no user links the two items" in row.reason
    kept = item_neighbours(model, ds, item, n=10, min_users=LOW_SUPPORT_USERS)
    assert len(kept) == 10 and not kept["low_support"].any()
    assert (kept["popularity"] >= LOW_SUPPORT_USERS).all()
    assert list(kept["cosine"]) == sorted(kept["cosine"], reverse=True)
