"""Keep BLAS single-threaded around a fit, safely when several sessions train at once.

``threadpoolctl.threadpool_limits`` changes a process-wide setting. Streamlit runs each browser
session in its own thread, so two overlapping ``with threadpool_limits(...)`` blocks could restore
each other's values in the wrong order. A reference count makes the first fit to start set the
limit and the last one to finish restore it. The lock guards only the counter, never a fit.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from threadpoolctl import threadpool_limits

_lock = threading.Lock()
_depth = 0
_limiter: threadpool_limits | None = None


@contextmanager
def single_threaded_blas() -> Iterator[None]:
    """Limit BLAS to one thread for the duration of the block (implicit recommends this)."""
    global _depth, _limiter
    with _lock:
        if _depth == 0:
            _limiter = threadpool_limits(1, "blas")
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0 and _limiter is not None:
                _limiter.restore_original_limits()
                _limiter = None
