"""MovieLens one-click download, fed a local zip (never the network)."""

from __future__ import annotations

import urllib.error

import pytest

from recsys.data import movielens
from recsys.errors import DataError


def test_download_from_a_local_zip_with_progress_and_cache(ml_small_zip, tmp_path):
    seen = []
    cache = tmp_path / "cache"
    path = movielens.download(
        "ml-latest-small",
        cache,
        lambda done, total, info: seen.append((done, total)),
        url=ml_small_zip.as_uri(),
    )
    assert path == cache / "ml-latest-small.zip" and path.exists()
    assert seen and seen[-1][0] == ml_small_zip.stat().st_size
    assert not list(cache.glob("*.part"))

    # second call: served from the cache, the opener is not used
    def no_network(*a, **k):
        raise AssertionError("the cache should have been used")

    assert movielens.download("ml-latest-small", cache, opener=no_network) == path


def test_load_movielens_end_to_end(ml_small_zip, tmp_path, monkeypatch):
    monkeypatch.setenv("RECSYS_MOVIELENS_BASE_URL", ml_small_zip.parent.as_uri())
    fractions = []
    ds = movielens.load_movielens(
        "ml-latest-small", tmp_path / "c", progress=lambda s, t, info: fractions.append(s / t)
    )
    assert ds.n_interactions == 100836 and ds.report["layout"] == "movielens-latest"
    assert fractions == sorted(fractions) and fractions[-1] == 1.0
    assert "GroupLens" in ds.report["license"]


def test_offline_gives_a_clear_message(tmp_path):
    def offline(url, timeout):
        raise urllib.error.URLError("[Errno -3] Temporary failure in name resolution")

    with pytest.raises(DataError) as info:
        movielens.download("ml-1m", tmp_path, opener=offline)
    msg = str(info.value)
    assert "offline" in msg and "ml-1m.zip" in msg and "demo" in msg
    assert not list(tmp_path.iterdir())  # nothing half-written in the cache


def test_missing_local_file_is_reported_like_offline(tmp_path):
    with pytest.raises(DataError, match="Could not download"):
        movielens.download("ml-25m", tmp_path / "c", url=(tmp_path / "absent.zip").as_uri())


def test_a_download_that_is_not_a_zip(tmp_path):
    page = tmp_path / "error.html"
    page.write_text("<html>503</html>")
    with pytest.raises(DataError, match="not a zip"):
        movielens.download("ml-1m", tmp_path / "c", url=page.as_uri())
    assert not (tmp_path / "c" / "ml-1m.zip").exists()


def test_unknown_release():
    with pytest.raises(DataError, match="ml-latest-small"):
        movielens.download("ml-999")


def test_download_past_the_size_limit(ml_small_zip, tmp_path, monkeypatch):
    monkeypatch.setenv("RECSYS_MAX_BYTES", "1000")
    with pytest.raises(DataError, match="limit"):
        movielens.download("ml-latest-small", tmp_path / "c", url=ml_small_zip.as_uri())
