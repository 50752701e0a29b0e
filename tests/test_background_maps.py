"""Maps computed off the page's thread (recsys.maps.background), with the real UMAP / t-SNE."""

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


def test_queued_maps_say_how_many_are_ahead(vectors):
    params = ProjectionParams(method="umap", n_neighbors=10)
    jobs = [background.request(("q", i), vectors + i, params) for i in range(3)]
    last = jobs[-1]
    if last.state == background.QUEUED:
        assert "queued behind" in background.describe(last)
        assert background.ahead_of(last) <= 2
    for job in jobs:
        assert background.wait(job, timeout=300) and job.state == background.DONE
    assert background.ahead_of(last) == 0
