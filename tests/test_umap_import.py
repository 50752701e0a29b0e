"""numba's disk cache is switched on for umap-learn's kernels (the per-process compile goes)."""

from numba.core.caching import NullCache

from recsys.maps.umap_import import enable_disk_cache, import_umap


def test_umap_kernels_cache_to_disk_after_import():
    umap = import_umap()
    kernel = umap.layouts._nb_optimize_layout_euclidean_single_epoch  # declared without cache=True
    assert not isinstance(kernel._cache, NullCache)
    smooth = umap.umap_.smooth_knn_dist
    assert not isinstance(smooth._cache, NullCache)
    assert enable_disk_cache() == 0  # idempotent: nothing left to switch on
