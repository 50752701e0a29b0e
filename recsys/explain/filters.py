"""Filters for recommendation lists: an ``allowed`` mask over items.

Include/exclude categories and a popularity cap (to surface long-tail items). The mask goes to
``Recommender.recommend(..., allowed=mask)``.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from recsys.data.dataset import Dataset
from recsys.errors import DataError
from recsys.memo import per_object


@per_object
def _category_matrix(dataset: Dataset) -> tuple[sp.csc_matrix, tuple[str, ...]]:
    """Items x categories 0/1 matrix and the category names (sorted)."""
    cats = dataset.items["categories"].to_numpy(dtype=object)
    names = sorted({c for row in cats for c in row})
    col = {c: j for j, c in enumerate(names)}
    rows = np.repeat(np.arange(len(cats)), [len(r) for r in cats])
    cols = np.fromiter((col[c] for r in cats for c in r), dtype=np.int64, count=len(rows))
    m = sp.csc_matrix(
        (np.ones(len(rows), dtype=np.int8), (rows, cols)), shape=(len(cats), len(names))
    )
    return m, tuple(names)


def all_categories(dataset: Dataset) -> list[str]:
    """Every category that occurs in the item metadata, sorted."""
    return list(_category_matrix(dataset)[1])


def items_in_categories(dataset: Dataset, categories: list[str]) -> np.ndarray:
    """Boolean mask: items that carry at least one of ``categories``."""
    m, names = _category_matrix(dataset)
    unknown = sorted(set(categories) - set(names))
    if unknown:
        raise DataError(
            f"Unknown categor{'y' if len(unknown) == 1 else 'ies'} {unknown}; "
            f"choose from {', '.join(names[:20])}{' …' if len(names) > 20 else ''}"
        )
    cols = [names.index(c) for c in categories]
    if not cols:
        return np.zeros(dataset.n_items, dtype=bool)
    return np.asarray(m[:, cols].sum(axis=1)).ravel() > 0


def popularity_cap(dataset: Dataset, top_share: float) -> int:
    """The largest user count allowed when the ``top_share`` most popular items are hidden."""
    if not 0 <= top_share < 1:
        raise DataError(f"top_share must be in [0, 1), not {top_share}")
    pop = dataset.item_popularity
    if top_share == 0 or len(pop) == 0:
        return int(pop.max()) if len(pop) else 0
    return int(np.quantile(pop, 1 - top_share, method="lower"))


def allowed_mask(
    dataset: Dataset,
    include_categories: list[str] | None = None,
    exclude_categories: list[str] | None = None,
    max_popularity: int | None = None,
) -> np.ndarray | None:
    """Items a recommendation list may contain, or None when nothing is filtered.

    Parameters
    ----------
    include_categories : list of str, optional
        Keep only items in at least one of these categories (empty or None: all).
    exclude_categories : list of str, optional
        Drop items in any of these categories.
    max_popularity : int, optional
        Drop items that more than this many users interacted with.
    """
    if not include_categories and not exclude_categories and max_popularity is None:
        return None
    mask = np.ones(dataset.n_items, dtype=bool)
    if include_categories:
        mask &= items_in_categories(dataset, list(include_categories))
    if exclude_categories:
        mask &= ~items_in_categories(dataset, list(exclude_categories))
    if max_popularity is not None:
        mask &= dataset.item_popularity <= int(max_popularity)
    return mask
