"""Clusters of the demo's embeddings are named after the planted genre of most members."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from recsys.data.demo import load_demo
from recsys.errors import ModelConfigError
from recsys.maps.clusters import NOISE_NAME, cluster_embeddings, name_clusters, title_words
from recsys.models.registry import create_model


@pytest.fixture(scope="module")
def demo_model():
    ds = load_demo()
    return ds, create_model("svd").fit(ds)


def _majority_genre(labels, genres, c):
    return pd.Series(genres[labels == c]).value_counts().index[0]


@pytest.mark.parametrize("method", ["kmeans", "hdbscan"])
def test_cluster_names_match_the_planted_genre_of_most_members(demo_model, method):
    ds, model = demo_model
    result = cluster_embeddings(model.item_factors_, ds.items, method=method, k=12, seed=0)
    genres = ds.items["planted_genre"].to_numpy()
    real = [c for c in result.names if c >= 0]
    assert len(real) >= 8
    for c in real:
        assert _majority_genre(result.labels, genres, c) in result.names[c]
    assert set(result.summary.columns) >= {"cluster", "name", "size", "silhouette", "terms"}
    assert result.summary["size"].sum() == ds.n_items
    assert result.silhouette > 0.2
    if -1 in result.names:
        assert result.names[-1] == NOISE_NAME


def test_random_vectors_give_weak_clusters(demo_model):
    ds, _ = demo_model
    noise = np.random.default_rng(0).normal(size=(ds.n_items, 32))
    result = cluster_embeddings(noise, ds.items, k=12, seed=0)
    assert result.silhouette < 0.1


def test_names_come_from_title_words_without_metadata():
    items = pd.DataFrame(
        {
            "title": [
                "Red Apple Pie",
                "Red Apple Tart",
                "Red Apple Juice",
                "Blue Ocean Deep",
                "Blue Ocean Wave",
                "Blue Ocean Tide",
            ],
            "categories": [[] for _ in range(6)],
            "tags": [[] for _ in range(6)],
        }
    )
    names, _, _ = name_clusters(np.array([0, 0, 0, 1, 1, 1]), items)
    assert "red" in names[0] and "apple" in names[0]
    assert "ocean" in names[1] and "red" not in names[1]
    assert title_words("The Lord of the Rings II") == ["lord", "rings"]


def test_bad_cluster_settings_raise():
    with pytest.raises(ModelConfigError, match="k"):
        cluster_embeddings(np.ones((5, 3)), pd.DataFrame({"title": list("abcde")}), k=9)
    with pytest.raises(ModelConfigError, match="Unknown clustering"):
        cluster_embeddings(np.eye(5), pd.DataFrame({"title": list("abcde")}), method="dbscan")
