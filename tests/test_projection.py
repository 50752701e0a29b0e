"""Projections: shapes, seeds, faithfulness on cases with a known answer, UMAP warm-up."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.manifold import trustworthiness as sk_trustworthiness

from recsys.errors import ModelConfigError
from recsys.maps import projection
from recsys.maps.projection import ProjectionParams, faithfulness, knn_indices, project


@pytest.fixture(scope="module")
def vectors():
    rng = np.random.default_rng(0)
    centres = rng.normal(size=(5, 16)) * 3
    return (centres[rng.integers(0, 5, 300)] + rng.normal(size=(300, 16))).astype(np.float32)


@pytest.mark.parametrize("method", ["pca", "tsne"])
@pytest.mark.parametrize("dims", [2, 3])
def test_shapes(vectors, method, dims):
    out = project(vectors[:120], method=method, dims=dims, seed=1)
    assert out.shape == (120, dims) and out.dtype == np.float32
    assert np.isfinite(out).all()


def test_same_seed_same_tsne_map(vectors):
    a = project(vectors[:150], method="tsne", seed=3)
    b = project(vectors[:150], method="tsne", seed=3)
    np.testing.assert_array_equal(a, b)


def test_planar_points_pca_is_perfectly_faithful():
    rng = np.random.default_rng(1)
    plane = rng.normal(size=(200, 2))
    basis = np.linalg.qr(rng.normal(size=(10, 2)))[0]  # an orthonormal 2-D plane in 10-D
    points = (plane @ basis.T + 5.0).astype(np.float32)
    coords = project(points, method="pca", metric="euclidean")
    f = faithfulness(points, coords, k=10, metric="euclidean")
    assert f.trustworthiness == pytest.approx(1.0, abs=1e-6)
    assert f.knn_recall == pytest.approx(1.0)
    assert (f.per_point_recall == 1.0).all()


def test_a_scrambled_map_is_not_faithful(vectors):
    coords = np.random.default_rng(2).normal(size=(len(vectors), 2))
    f = faithfulness(vectors, coords, k=10)
    assert f.knn_recall < 0.2
    assert f.trustworthiness < 0.7
    assert f.per_point_recall.shape == (len(vectors),)


def test_sampled_trustworthiness_matches_sklearn(vectors):
    coords = project(vectors, method="pca")
    exact = sk_trustworthiness(vectors, coords, n_neighbors=10, metric="cosine")
    all_queries = projection._trust_for_queries(
        vectors, coords, 10, "cosine", np.arange(len(vectors))
    )
    assert all_queries == pytest.approx(exact, abs=1e-6)
    estimate, sampled = projection.trustworthiness(vectors, coords, 10, "cosine", max_points=150)
    assert sampled and estimate == pytest.approx(exact, abs=0.03)


def test_knn_indices_exclude_self_and_match_brute_force(vectors):
    nn = knn_indices(vectors[:50], 5, "euclidean")
    d = ((vectors[:50, None] - vectors[None, :50]) ** 2).sum(-1)
    np.fill_diagonal(d, np.inf)
    np.testing.assert_array_equal(nn, np.argsort(d, axis=1)[:, :5])


def test_bad_input_raises_clear_errors(vectors):
    with pytest.raises(ModelConfigError, match="2 or 3"):
        project(vectors, method="pca", dims=4)
    with pytest.raises(ModelConfigError, match="Unknown projection"):
        project(vectors, method="mds")
    bad = vectors.copy()
    bad[3, 2] = np.nan
    with pytest.raises(ModelConfigError, match="NaN"):
        project(bad, method="pca")


def test_umap_small_maps_are_seeded_and_mark_ready(vectors):
    params = ProjectionParams(method="umap", dims=2, n_neighbors=10, seed=7)
    a = project(vectors[:200], params)
    b = project(vectors[:200], params)
    assert a.shape == (200, 2)
    np.testing.assert_allclose(a, b)
    assert not np.allclose(a, project(vectors[:200], params, seed=8))
    assert projection.umap_ready(200)
    three = project(vectors[:200], params, dims=3)
    assert three.shape == (200, 3)
    # UMAP keeps the planted clusters apart: its neighbourhoods are faithful
    assert faithfulness(vectors[:200], a, k=10).knn_recall > 0.3


def test_warm_up_threads_start_once_per_stage():
    t1 = projection.start_warm_up(100)
    t2 = projection.start_warm_up(200)
    assert t1 is t2 and t1.daemon
    big = projection.start_warm_up(30_000)
    assert big is not t1 and big is projection.start_warm_up(50_000)
    t1.join(timeout=300)
    big.join(timeout=300)
    status = projection.warm_up_status()
    assert status["error"] is None
    assert projection.umap_ready(10) and projection.umap_ready(30_000)


def test_exact_knn_graph_matches_umap_conventions(vectors):
    idx, dist = projection.exact_knn_graph(vectors[:60], 5, "cosine")
    assert idx.shape == dist.shape == (60, 5)
    assert (idx[:, 0] == np.arange(60)).all() and (dist[:, 0] == 0).all()
    assert (np.diff(dist, axis=1) >= -1e-6).all()


def test_large_catalogues_use_nn_descent_for_embedding_neighbours(vectors, monkeypatch):
    # runs after the warm-up test, so pynndescent is already compiled in this process
    exact = knn_indices(vectors, 10, "cosine")
    monkeypatch.setattr(projection, "EXACT_KNN_LIMIT", 100)
    approx = projection.embedding_knn(vectors, 10, "cosine")
    assert approx.shape == exact.shape
    assert (approx != np.arange(len(vectors))[:, None]).all()
    overlap = np.mean([len(set(a) & set(b)) / 10 for a, b in zip(approx, exact, strict=True)])
    assert overlap > 0.9
