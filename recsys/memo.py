"""Per-object memo: results cached for as long as their object lives, and never longer.

Streamlit's caches decide when a model or dataset is dropped; a process-wide ``lru_cache`` keyed
on them would keep them (and arrays such as EASE's item x item weights) alive after that. Here the
cache is a ``WeakKeyDictionary``: when the object goes, its cached results go with it.
"""

from __future__ import annotations

import functools
import threading
import weakref
from collections.abc import Callable
from typing import Any


def per_object(func: Callable[..., Any]) -> Callable[..., Any]:
    """Cache ``func(obj, *args)`` per ``obj`` (held weakly) and hashable ``args``.

    The cached values must not refer back to ``obj`` (it would then never be freed).
    """
    cache: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
    lock = threading.Lock()

    @functools.wraps(func)
    def wrapper(obj: Any, *args: Any) -> Any:
        with lock:
            entry = cache.setdefault(obj, {})
            if args in entry:
                return entry[args]
        value = func(obj, *args)  # outside the lock: slow work must not block other sessions
        with lock:
            cache.setdefault(obj, {})[args] = value
        return value

    return wrapper
