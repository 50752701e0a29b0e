"""Finding items by title: the search behind the Map's "Find an item" box and the Neighbours picker.

A plain case-insensitive substring match, shortest title first (the title closest to what was
typed): users type a fragment of a title they remember, and every hit must contain it.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def find_titles(titles: Sequence | np.ndarray, query: str, limit: int = 20) -> np.ndarray:
    """Indices of the titles containing ``query`` (case-insensitive), shortest first, at most
    ``limit``; empty for a blank query."""
    q = (query or "").strip().casefold()
    if not q:
        return np.array([], dtype=np.int64)
    folded = [str(t).casefold() for t in titles]
    hits = [i for i, t in enumerate(folded) if q in t]
    hits.sort(key=lambda i: (len(folded[i]), i))
    return np.asarray(hits[:limit], dtype=np.int64)
