"""umap-learn, imported with numba's on-disk cache switched on for all of its kernels.

umap-learn and pynndescent declare most of their numba kernels without ``cache=True``, so every
new server process compiles them again on its first UMAP fit: 20-25 s on a quiet 2-core machine,
40-50 s on a busy one (measured; it is the whole "warming up" wait). A numba dispatcher that has
not compiled yet can still be told to cache (``Dispatcher.enable_caching``), so :func:`import_umap`
does that for every dispatcher in those two packages. The compiled code is then written next to
the packages (or to numba's user cache directory when they are read-only) by the first fit ever,
and later processes load it in a fraction of a second: the compile is paid once per installation
instead of once per server start. Kernels that numba cannot cache are left as they are (numba
only warns).
"""

from __future__ import annotations

import sys
import threading
import warnings

_lock = threading.Lock()
_enabled: set[int] = set()
PACKAGES = ("umap", "pynndescent")


def enable_disk_cache(packages: tuple[str, ...] = PACKAGES) -> int:
    """Switch on numba's disk cache for the loaded, not yet cached dispatchers of ``packages``.

    Returns how many dispatchers were switched on by this call.
    """
    from numba.core.caching import NullCache
    from numba.core.registry import CPUDispatcher

    count = 0
    for name, module in list(sys.modules.items()):
        if module is None or name.split(".")[0] not in packages:
            continue
        for value in list(vars(module).values()):
            if (
                isinstance(value, CPUDispatcher)
                and id(value) not in _enabled
                and isinstance(value._cache, NullCache)
            ):
                _enabled.add(id(value))
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    value.enable_caching()
                count += 1
    return count


_done: list = []


def import_umap():
    """``import umap`` with the disk cache of its kernels switched on (thread-safe, idempotent)."""
    if _done:
        return _done[0]
    with _lock:
        import umap
        import umap.layouts  # noqa: F401 - the layout kernels: most of the compile time
        import umap.umap_  # noqa: F401

        enable_disk_cache()
        _done[:] = [umap]
        return umap
