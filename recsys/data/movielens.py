"""One-click MovieLens: download a GroupLens zip into a cache folder, then load it.

The zip is written to a temporary name and renamed when complete, so an interrupted download
never leaves a half file in the cache. Tests feed the same code a local zip through a
``file://`` URL or their own ``opener``; nothing here runs at import time.
"""

from __future__ import annotations

import os
import urllib.error
import urllib.request
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from recsys.data.build import BuildOptions
from recsys.data.dataset import Dataset
from recsys.data.limits import check_size, format_bytes, max_bytes
from recsys.data.loader import load_path
from recsys.errors import DataError
from recsys.progress import Progress, fraction_of, report_fraction

BASE_URL = "https://files.grouplens.org/datasets/movielens/"
Opener = Callable[..., object]


@dataclass(frozen=True)
class MovieLensRelease:
    """One GroupLens release: key (file stem), label, approximate download size."""

    key: str
    label: str
    approx_mb: float

    @property
    def url(self) -> str:
        """GroupLens, or a mirror/local folder given in ``RECSYS_MOVIELENS_BASE_URL``."""
        base = os.environ.get("RECSYS_MOVIELENS_BASE_URL") or BASE_URL
        return f"{base.rstrip('/')}/{self.key}.zip"


RELEASES = {
    r.key: r
    for r in (
        MovieLensRelease(
            "ml-latest-small", "MovieLens latest-small (100k ratings, 610 users, 9.7k movies)", 1
        ),
        MovieLensRelease("ml-1m", "MovieLens 1M (1M ratings, 6k users, 3.7k movies)", 6),
        MovieLensRelease("ml-25m", "MovieLens 25M (25M ratings, 162k users, 62k movies)", 250),
    )
}
LICENSE_NOTE = (
    "MovieLens data is provided by GroupLens Research for research use; see the README.txt in "
    "the zip for its terms (no redistribution without permission)."
)


def cache_dir() -> Path:
    """Where downloads are kept: ``$RECSYS_CACHE`` or ``~/.cache/recsys-explorer``."""
    env = os.environ.get("RECSYS_CACHE")
    return Path(env) if env else Path.home() / ".cache" / "recsys-explorer"


def cached_path(key: str, cache: str | Path | None = None) -> Path:
    return Path(cache or cache_dir()) / f"{_release(key).key}.zip"


def _release(key: str) -> MovieLensRelease:
    try:
        return RELEASES[key]
    except KeyError:
        raise DataError(
            f"Unknown MovieLens release {key!r}; choose one of {', '.join(RELEASES)}."
        ) from None


def download(
    key: str,
    cache: str | Path | None = None,
    progress: Progress | None = None,
    url: str | None = None,
    opener: Opener | None = None,
    timeout: float = 30.0,
) -> Path:
    """Download a MovieLens zip into the cache (once) and return its path.

    Parameters
    ----------
    key : str
        "ml-latest-small", "ml-1m" or "ml-25m".
    cache : path, optional
        Cache folder (default :func:`cache_dir`).
    progress : callable, optional
        ``progress(bytes_done, bytes_total, info)`` (total 0 when unknown).
    url : str, optional
        Where to fetch from (default GroupLens); tests pass a ``file://`` URL.
    opener : callable, optional
        Replaces ``urllib.request.urlopen`` (same signature).

    Raises
    ------
    DataError
        When offline, when the server fails, or when the download is not a zip.
    """
    release = _release(key)
    target = cached_path(key, cache)
    if target.exists() and zipfile.is_zipfile(target):
        size = target.stat().st_size
        if progress:
            progress(size, size, {"message": f"{release.key} is in the cache"})
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    url = url or release.url
    opener = opener or urllib.request.urlopen
    partial = target.with_suffix(".zip.part")
    limit = max_bytes()
    try:
        with opener(url, timeout=timeout) as response:
            total = response.headers.get("Content-Length") if hasattr(response, "headers") else None
            total = int(total) if total and str(total).isdigit() else None
            if total:
                check_size(total, f"The download of {release.key}", limit)
            done = 0
            with open(partial, "wb") as out:
                while chunk := response.read(1 << 20):
                    done += len(chunk)
                    check_size(done, f"The download of {release.key}", limit)
                    out.write(chunk)
                    if progress:
                        progress(done, total or 0, {"message": f"Downloading {release.key}"})
    except (urllib.error.URLError, TimeoutError, ConnectionError, OSError) as exc:
        partial.unlink(missing_ok=True)
        reason = getattr(exc, "reason", exc)
        raise DataError(
            f"Could not download {release.key} from {url.split('/')[2] if '//' in url else url} "
            f"({reason}). You may be offline. Download {release.url} in a browser and upload the zip "
            "on this page, or use the demo catalogue, which needs no network."
        ) from None
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    if not zipfile.is_zipfile(partial):
        partial.unlink(missing_ok=True)
        raise DataError(
            f"The download of {release.key} is not a zip file (the server may have sent an error "
            "page). Try again later, or download it in a browser and upload it here."
        )
    os.replace(partial, target)
    return target


def load_movielens(
    key: str,
    cache: str | Path | None = None,
    options: BuildOptions | None = None,
    progress: Progress | None = None,
    url: str | None = None,
    opener: Opener | None = None,
) -> Dataset:
    """Download (or reuse from the cache) and load a MovieLens release.

    ``progress(step, total, info)`` covers both the download (first half) and the loading.
    """
    release = _release(key)

    def on_bytes(done: int, total: int, info: dict) -> None:
        frac = 0.5 * done / total if total else 0.25
        report_fraction(
            progress,
            min(frac, 0.5),
            f"Downloading {release.key}: {format_bytes(done)}"
            + (f" of {format_bytes(total)}" if total else ""),
        )

    path = download(key, cache, on_bytes, url=url, opener=opener)

    def on_load(step: int, total: int, info: dict) -> None:
        report_fraction(progress, 0.5 + 0.5 * fraction_of(step, total), info.get("message", ""))

    ds = load_path(path, options=options, progress=on_load)
    ds.name = release.key
    ds.report["license"] = LICENSE_NOTE
    return ds
