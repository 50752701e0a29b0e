"""Nearest items and users in a model's embedding space, each with reasons from the data.

Cosine similarity says *that* two items are close in the model; the reasons say *why it might
be*: how many users interacted with both (co-occurrence) and the Jaccard index of their user
sets, the categories and tags they share, and how popular each is.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import scipy.sparse as sp

from recsys.data.dataset import Dataset
from recsys.errors import ModelConfigError
from recsys.linalg import normalise_rows, top_k
from recsys.memo import per_object
from recsys.models.base import Recommender


@per_object
def _unit(model: Recommender, which: str) -> np.ndarray:
    return normalise_rows(model.item_factors_ if which == "item" else model.user_factors_)


@per_object
def _binary(dataset: Dataset) -> tuple[sp.csr_matrix, sp.csc_matrix]:
    """The interaction matrix as 0/1, in CSR (user rows) and CSC (item columns)."""
    m = dataset.matrix.copy()
    m.data[:] = 1.0
    return m, m.tocsc()


@per_object
def _meta(dataset: Dataset) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Titles, categories and tags as object arrays (converted once per dataset)."""
    items = dataset.items
    return (
        dataset.titles,
        items["categories"].to_numpy(dtype=object),
        items["tags"].to_numpy(dtype=object),
    )


def _check_same_items(model: Recommender, dataset: Dataset) -> None:
    if len(model.item_ids_) != dataset.n_items or len(model.user_ids_) != dataset.n_users:
        raise ModelConfigError(
            "This model was trained on different data than the current dataset; "
            "train a model on the current dataset first."
        )


#: a neighbour with fewer users than this is "low support": its vector rests on so few
#: interactions (one listener, in a music catalogue's long tail) that its closeness says little
LOW_SUPPORT_USERS = 5


def _cosine_top(
    unit: np.ndarray, index: int, n: int, skip: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    sims = unit @ unit[index]
    sims[index] = -np.inf
    if skip is not None:
        sims[skip] = -np.inf
    top = top_k(sims, n)
    top = top[np.isfinite(sims[top])]  # fewer than n candidates left
    return top, sims[top].astype(np.float64)


def _shared(a: list, b: list) -> list[str]:
    sb = set(b)
    return [x for x in a if x in sb]


def item_neighbours(
    model: Recommender, dataset: Dataset, item: str, n: int = 10, min_users: int = 1
) -> pd.DataFrame:
    """Nearest items by cosine, with reasons.

    Parameters
    ----------
    min_users : int
        Leave out neighbours with fewer users than this (1: keep all). Whatever is kept, a
        neighbour with fewer than ``LOW_SUPPORT_USERS`` users is flagged ``low_support`` and
        its reason says so.

    Returns DataFrame[rank, item, title, categories, cosine, co_users, jaccard,
    shared_categories, shared_tags, popularity, low_support, reason].
    """
    model._check_fitted()
    model.require_embeddings("similar items")
    _check_same_items(model, dataset)
    i = model.item_ids_.index(item)
    pop = dataset.item_popularity
    skip = np.flatnonzero(pop < min_users) if min_users > 1 else None
    top, cos = _cosine_top(_unit(model, "item"), i, n, skip)
    _, csc = _binary(dataset)
    col = csc[:, i]
    co = np.asarray((csc[:, top].T @ col).toarray()).ravel().astype(np.int64)
    union = pop[i] + pop[top] - co
    jac = np.where(union > 0, co / np.maximum(union, 1), 0.0)
    titles, cats, tags = _meta(dataset)
    shared_c = [_shared(list(cats[j]), list(cats[i])) for j in top]
    shared_t = [_shared(list(tags[j]), list(tags[i])) for j in top]
    reasons = []
    for k, j in enumerate(top):
        parts = [f"{co[k]:,} users interacted with both (Jaccard {jac[k]:.2f})"]
        if shared_c[k]:
            parts.append("both " + ", ".join(shared_c[k]))
        if shared_t[k]:
            parts.append("tags " + ", ".join(shared_t[k]))
        parts.append(f"{pop[j]:,} user{'' if pop[j] == 1 else 's'} in all")
        if pop[j] < LOW_SUPPORT_USERS:
            parts.append(
                "low support: a vector learned from so few users says little"
                + (", and no user links the two items" if co[k] == 0 else "")
            )
        reasons.append("; ".join(parts))
    return pd.DataFrame(
        {
            "rank": np.arange(1, len(top) + 1),
            "item": model.item_ids_.to_external(top),
            "title": titles[top],
            "categories": [", ".join(c) for c in cats[top]],
            "cosine": cos,
            "co_users": co,
            "jaccard": jac,
            "shared_categories": [", ".join(s) for s in shared_c],
            "shared_tags": [", ".join(s) for s in shared_t],
            "popularity": pop[top],
            "low_support": pop[top] < LOW_SUPPORT_USERS,
            "reason": reasons,
        }
    )


def user_neighbours(
    model: Recommender, dataset: Dataset, user: str, n: int = 10, n_titles: int = 3
) -> pd.DataFrame:
    """Nearest users by cosine, with the items they share.

    Returns DataFrame[rank, user, cosine, shared_items, jaccard, activity, shared_titles, reason].
    """
    model._check_fitted()
    model.require_embeddings("similar users")
    _check_same_items(model, dataset)
    if getattr(model, "user_factors_", None) is None:
        raise ModelConfigError(f"{model.label} has no user vectors; pick a factor model.")
    u = model.user_ids_.index(user)
    top, cos = _cosine_top(_unit(model, "user"), u, n)
    csr, _ = _binary(dataset)
    mine = csr[u].indices
    act = dataset.user_activity
    pop = dataset.item_popularity
    all_titles = _meta(dataset)[0]
    shared_counts, jac, titles = [], [], []
    for v in top:
        shared = np.intersect1d(mine, csr[v].indices, assume_unique=True)
        shared_counts.append(len(shared))
        union = len(mine) + act[v] - len(shared)
        jac.append(len(shared) / union if union else 0.0)
        # the least popular shared items say the most about a common taste
        best = shared[np.argsort(pop[shared], kind="stable")[:n_titles]]
        titles.append(", ".join(map(str, all_titles[best])))
    shared_counts = np.asarray(shared_counts, dtype=np.int64)
    reasons = [
        f"{s:,} items in common (Jaccard {j:.2f})" + (f", e.g. {t}" if t else "")
        for s, j, t in zip(shared_counts, jac, titles, strict=True)
    ]
    return pd.DataFrame(
        {
            "rank": np.arange(1, len(top) + 1),
            "user": model.user_ids_.to_external(top),
            "cosine": cos,
            "shared_items": shared_counts,
            "jaccard": np.asarray(jac, dtype=np.float64),
            "activity": act[top],
            "shared_titles": titles,
            "reason": reasons,
        }
    )


def compare_item_neighbours(
    model_a: Recommender,
    model_b: Recommender,
    dataset: Dataset,
    item: str,
    n: int = 10,
    min_users: int = 1,
) -> tuple[pd.DataFrame, dict]:
    """Neighbour lists of two models for one item, side by side (``min_users`` as in
    :func:`item_neighbours`).

    Returns (DataFrame[item, title, rank_a, rank_b, cosine_a, cosine_b] over the union of both
    lists, ordered by best rank, and a summary dict: overlap (count), jaccard, n).
    """
    a = item_neighbours(model_a, dataset, item, n, min_users)
    b = item_neighbours(model_b, dataset, item, n, min_users)
    merged = pd.merge(
        a[["item", "title", "rank", "cosine"]],
        b[["item", "title", "rank", "cosine"]],
        on=["item", "title"],
        how="outer",
        suffixes=("_a", "_b"),
    )
    merged["best"] = merged[["rank_a", "rank_b"]].min(axis=1)
    merged = merged.sort_values(["best", "item"]).drop(columns="best").reset_index(drop=True)
    overlap = int((merged["rank_a"].notna() & merged["rank_b"].notna()).sum())
    union = len(merged)
    summary = {"overlap": overlap, "jaccard": overlap / union if union else 0.0, "n": n}
    return merged, summary


def list_overlap(a: list[str], b: list[str]) -> dict:
    """Overlap of two ranked lists: count, Jaccard, and the shared ids in the order of ``a``."""
    sb = set(b)
    shared = [x for x in a if x in sb]
    union = len(set(a) | sb)
    return {
        "overlap": len(shared),
        "jaccard": len(shared) / union if union else 0.0,
        "shared": shared,
    }
