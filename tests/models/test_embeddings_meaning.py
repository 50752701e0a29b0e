"""The embeddings mean something: KMeans clusters of item vectors recover the demo's planted genres.

Adjusted Rand index (ARI) against the planted genre must be clearly above a shuffled baseline
(the same clustering scored against randomly permuted genres, ~0).
"""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.cluster import KMeans
from sklearn.metrics import adjusted_rand_score

from recsys.models.registry import available_models, get_model_class

EMBEDDING_MODELS = [k for k in available_models() if get_model_class(k).has_embeddings]


@pytest.mark.parametrize("key", EMBEDDING_MODELS)
def test_item_clusters_recover_planted_genres(key, demo):
    genre = demo.items["planted_genre"].to_numpy()
    model = get_model_class(key)().fit(demo)  # defaults: they must work without tuning
    vectors = model.item_factors_.astype(np.float64)
    vectors /= np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)
    n_genres = len(set(genre))
    labels = KMeans(n_genres, n_init=4, random_state=0).fit_predict(vectors)
    ari = adjusted_rand_score(genre, labels)
    rng = np.random.default_rng(0)
    shuffled = max(adjusted_rand_score(rng.permutation(genre), labels) for _ in range(5))
    assert shuffled < 0.05
    assert ari > 0.3 and ari > shuffled + 0.25, f"{key}: ARI {ari:.3f} vs shuffled {shuffled:.3f}"
