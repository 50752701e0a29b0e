"""Bounded memory: models and datasets dropped by the (stand-in) Streamlit caches are freed.

The same switching as ``benchmarks/bench_soak.py`` (3 small datasets x 5 models, through LRU
caches like ``st.cache_resource(max_entries=...)``), shorter. A process-wide ``lru_cache`` keyed on
models or datasets anywhere in the functions the pages call keeps evicted ones alive and fails
the first two asserts.
"""

from __future__ import annotations

import pytest

from benchmarks.bench_soak import DATASET_CACHE, MODEL_CACHE, soak


@pytest.mark.slow
def test_switching_models_and_datasets_frees_the_evicted_ones(tmp_path):
    res = soak(rounds=20, root=tmp_path, verbose=False, small=True)
    assert res["loaded_models"] > MODEL_CACHE + 5  # the caches really evicted and reloaded
    assert res["alive_models"] <= MODEL_CACHE
    assert res["alive_datasets"] <= DATASET_CACHE
    rss = res["rss"]
    assert rss[-1] - rss[len(rss) // 2] < 30  # MiB over the second half: levelled off
