"""Maps computed off the page's thread (recsys.maps.background), with the real UMAP / t-SNE."""

import os

import numpy as np
import pytest

from recsys.maps import background
from recsys.maps.projection import ProjectionParams, project


@pytest.fixture
def vectors():
    rng = np.random.default_rng(3)
    centres = rng.normal(size=(4, 16)) * 4
    return (centres[rng.integers(0, 4, 240)] + rng.normal(size=(240, 16))).astype(np.float32)


def test_a_requested_map_is_computed_once_and_kept(vectors):
    params = ProjectionParams(method="tsne", perplexity=20, seed=1)
    job = background.request(("t", 1), vectors, params)
    assert job.state in (background.QUEUED, background.RUNNING, background.DONE)
    assert background.wait(job, timeout=300)
    assert job.state == background.DONE and job.coords.shape == (240, 2)
    np.testing.assert_allclose(job.coords, project(vectors, params), atol=1e-4)
    again = background.request(("t", 1), vectors, params)
    assert again is job  # a later visitor gets the finished map, nothing is recomputed
    assert "took" in background.describe(job)


def test_a_failing_map_keeps_its_error_and_is_retried_on_the_next_request(vectors):
    bad = vectors.copy()
    bad[0, 0] = np.nan
    params = ProjectionParams(method="umap", n_neighbors=10)
    job = background.request(("bad", 1), bad, params)
    assert background.wait(job, timeout=300)
    assert job.state == background.FAILED and "NaN" in str(job.error)
    assert "could not be computed" in background.describe(job)
    retry = background.request(("bad", 1), bad, params)
    assert retry is not job
    assert background.wait(retry, timeout=300) and retry.state == background.FAILED


def test_queued_maps_say_how_many_are_ahead(vectors):
    params = ProjectionParams(method="umap", n_neighbors=10)
    jobs = [background.request(("q", i), vectors + i, params) for i in range(3)]
    last = jobs[-1]
    if last.state == background.QUEUED:
        assert "queued behind" in background.describe(last)
        assert background.ahead_of(last) <= 2  # the two before it (one of them may run)
    for job in jobs:
        assert background.wait(job, timeout=300) and job.state == background.DONE
    assert background.ahead_of(last) == 0


# ---------------------------------------------------------------------- other named computations
@pytest.fixture
def labelled(vectors):
    """Items with a category that follows their cluster (plus a shared one), and a map of them."""
    import pandas as pd

    rng = np.random.default_rng(3)  # the draws of the vectors fixture: each point's centre
    rng.normal(size=(4, 16))
    centre = rng.integers(0, 4, len(vectors))
    cats = [[f"c{c}", "all"] for c in centre]
    frame = pd.DataFrame(
        {"title": [f"item {i}" for i in range(len(vectors))], "categories": cats, "tags": None}
    )
    frame["tags"] = [[] for _ in range(len(vectors))]
    coords = project(vectors, ProjectionParams(method="pca"))
    return cats, frame, coords


def test_a_quality_job_computes_what_map_quality_computes(vectors, labelled):
    from recsys.maps.quality import MapQuality, map_quality

    cats, _, coords = labelled
    params = ProjectionParams(method="pca")
    tags = [[] for _ in cats]
    job = background.submit(
        "quality",
        ("q-items", 1),
        lambda: (vectors, coords, 10, "cosine", cats, tags),
        len(vectors),
        params,
        "quality scores of the PCA 2-D map (240 points)",
    )
    assert background.wait(job, timeout=300) and job.state == background.DONE
    assert isinstance(job.result, MapQuality)
    direct = map_quality(vectors, coords, 10, "cosine", cats, tags)
    assert job.result.faithfulness.trustworthiness == pytest.approx(
        direct.faithfulness.trustworthiness
    )
    np.testing.assert_array_equal(
        job.result.faithfulness.per_point_recall, direct.faithfulness.per_point_recall
    )
    assert job.result.coherence.lift == pytest.approx(direct.coherence.lift)
    assert job.result.coherence.lift > 1.0  # categories follow the clusters the map keeps
    assert background.describe(job).startswith("The quality scores of the PCA 2-D map")


def test_a_clusters_job_names_the_clusters_like_cluster_embeddings(vectors, labelled):
    from recsys.maps.clusters import cluster_embeddings

    _, frame, coords = labelled
    args = (vectors, frame, "kmeans", 4, 10, 0, coords)
    job = background.submit("clusters", ("c-items", 1), lambda: args, len(vectors))
    assert background.wait(job, timeout=300) and job.state == background.DONE
    direct = cluster_embeddings(*args)
    np.testing.assert_array_equal(job.result.labels, direct.labels)
    assert job.result.names == direct.names and job.result.n_clusters == 4
    assert {n.split(" ")[0] for n in job.result.names.values()} == {"c0", "c1", "c2", "c3"}


def test_tasks_with_the_same_key_are_different_jobs_and_unknown_tasks_are_refused(
    vectors, labelled
):
    from recsys.errors import RecsysError

    _, frame, coords = labelled
    key = ("same", 1)
    params = ProjectionParams(method="pca")
    a = background.request(key, vectors, ProjectionParams(method="tsne", seed=2))
    b = background.submit(
        "clusters", key, lambda: (vectors, frame, "map", 4, 10, 0, coords), 240, params
    )
    assert a is not b and background.get(key) is a and background.get(key, "clusters") is b
    assert background.wait(b, timeout=300) and b.state == background.DONE
    assert b.result.space == "map"
    with pytest.raises(RecsysError, match="Unknown background task"):
        background.submit("nope", key, tuple, 1)


def test_a_failing_clusters_job_reports_the_reason(vectors, labelled):
    _, frame, coords = labelled
    job = background.submit(
        "clusters", ("c-bad", 1), lambda: (vectors, frame, "kmeans", 999, 10, 0, coords), 240
    )
    assert background.wait(job, timeout=300)
    assert job.state == background.FAILED and "KMeans needs" in str(job.error)
    assert "could not be computed" in background.describe(job)


def test_jobs_run_in_the_forked_child_process(vectors, labelled):
    """What the server does (app_ui.serve): the same results, computed in another process."""
    from recsys.maps.quality import map_quality

    cats, _, coords = labelled
    background.start_process_pool()
    try:
        pid = background._pool[0].submit(os.getpid).result()
        assert pid != os.getpid()
        # the child yields the CPU to the server and the browser: its jobs are the slow ones
        child_nice = background._pool[0].submit(os.nice, 0).result()
        assert child_nice == min(os.nice(0) + background.CHILD_NICENESS, 19)
        job = background.submit(
            "quality", ("child", 1), lambda: (vectors, coords, 5, "cosine", None, None), 240
        )
        assert background.wait(job, timeout=300) and job.state == background.DONE
        direct = map_quality(vectors, coords, 5, "cosine")
        assert job.result.coherence is None
        assert job.result.faithfulness.knn_recall == pytest.approx(direct.faithfulness.knn_recall)
    finally:
        background._pool.pop().shutdown()
