"""What a set of selected items (a lasso on the map) has in common.

For a selection: the items, their category mix against the whole catalogue (lift), the users who
interact with them most, and the items most often recommended to those users.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from recsys.maps.embedding_set import EmbeddingSet


@dataclass
class SelectionSummary:
    """Tables describing a selection (empty frames where data is missing; see ``notes``)."""

    items: pd.DataFrame
    category_mix: pd.DataFrame
    top_users: pd.DataFrame
    recommended: pd.DataFrame
    notes: list[str] = field(default_factory=list)


def _join(values) -> str:
    return (
        ", ".join(str(v) for v in values) if isinstance(values, list | tuple | np.ndarray) else ""
    )


def selected_items_table(es: EmbeddingSet, indices: np.ndarray) -> pd.DataFrame:
    """item_id, title, categories (joined), popularity of the selected items, most popular first."""
    idx = np.asarray(indices, dtype=np.int64)
    frame = pd.DataFrame(
        {
            "item_id": es.item_ids.to_external(idx),
            "title": es.titles[idx],
            "categories": [_join(es.items["categories"].iat[i]) for i in idx],
        }
    )
    if es.label_kind == "tag":
        frame["tags"] = [_join(es.tags[i][:5]) for i in idx]
    if es.popularity is not None:
        frame["popularity"] = es.popularity[idx]
        frame = frame.sort_values(["popularity", "item_id"], ascending=[False, True])
    return frame.reset_index(drop=True)


def category_mix(es: EmbeddingSet, indices: np.ndarray, top: int = 15) -> pd.DataFrame:
    """Categories (or tags, without categories) of the selection: count, shares, lift.

    The first column is named after what describes the items ("category" or "tag").
    """
    idx = np.asarray(indices, dtype=np.int64)
    cats = es.labels
    overall = Counter(c for cs in cats for c in set(cs))
    inside = Counter(c for i in idx for c in set(cats[i]))
    column = es.label_kind or "category"
    rows = [
        {
            column: c,
            "items": n,
            "share_selected": n / len(idx),
            "share_catalogue": overall[c] / es.n_items,
            "lift": (n / len(idx)) / (overall[c] / es.n_items),
        }
        for c, n in inside.items()
    ]
    if not rows:
        return pd.DataFrame(columns=[column, "items", "share_selected", "share_catalogue", "lift"])
    frame = pd.DataFrame(rows).sort_values(
        ["items", "lift", column], ascending=[False, False, True]
    )
    return frame.head(top).reset_index(drop=True)


def top_users(es: EmbeddingSet, indices: np.ndarray, n: int = 20) -> pd.DataFrame:
    """Users with the most interactions among the selected items (and that share of their history)."""
    if es.user_ids is None:
        return pd.DataFrame(columns=["user_id", "selected_items", "share_of_history"])
    if es.user_items is None:
        return _top_users_by_score(es, indices, n)
    m = es.user_items.tocsc()[:, np.asarray(indices, dtype=np.int64)]
    counts = np.asarray((m > 0).sum(axis=1)).ravel()
    activity = np.diff(es.user_items.tocsr().indptr)
    order = np.lexsort((np.arange(len(counts)), -counts))[:n]
    order = order[counts[order] > 0]
    return pd.DataFrame(
        {
            "user_id": es.user_ids.to_external(order),
            "selected_items": counts[order],
            "share_of_history": counts[order] / np.maximum(activity[order], 1),
        }
    )


def _top_users_by_score(
    es: EmbeddingSet, indices: np.ndarray, n: int, batch: int = 4096
) -> pd.DataFrame:
    """Without interactions: the users whose vectors score the selected items highest on average."""
    idx = np.asarray(indices, dtype=np.int64)
    item_vecs = es.item_vectors[idx]
    means = np.concatenate(
        [
            (es.user_vectors[s : s + batch] @ item_vecs.T).mean(axis=1)
            for s in range(0, es.n_users, batch)
        ]
    )
    order = np.lexsort((np.arange(len(means)), -means))[:n]
    return pd.DataFrame(
        {"user_id": es.user_ids.to_external(order), "mean_score_for_selection": means[order]}
    )


def recommended_to(
    es: EmbeddingSet, users: np.ndarray, n_per_user: int = 10, top: int = 20
) -> pd.DataFrame:
    """Items most often in the top-``n_per_user`` of ``users`` (seen items excluded)."""
    users = np.asarray(users, dtype=np.int64)
    if len(users) == 0:
        return pd.DataFrame(columns=["item_id", "title", "times_recommended", "mean_score"])
    scores = np.asarray(es.score_users(users), dtype=np.float64)
    if es.user_items is not None:
        ui = es.user_items.tocsr()
        for row, u in enumerate(users):
            scores[row, ui.indices[ui.indptr[u] : ui.indptr[u + 1]]] = -np.inf
    k = min(n_per_user, scores.shape[1])
    top_idx = np.argpartition(-scores, k - 1, axis=1)[:, :k]
    counter = Counter(top_idx.ravel().tolist())
    valid = {i: c for i, c in counter.items() if np.isfinite(scores[:, i]).any()}
    items = sorted(valid, key=lambda i: (-valid[i], i))[:top]
    mean_scores = [float(np.mean(scores[:, i][np.isfinite(scores[:, i])])) for i in items]
    return pd.DataFrame(
        {
            "item_id": es.item_ids.to_external(items),
            "title": es.titles[items],
            "times_recommended": [valid[i] for i in items],
            "mean_score": mean_scores,
        }
    )


def summarise_selection(
    es: EmbeddingSet, indices, n_users: int = 20, n_items: int = 20
) -> SelectionSummary:
    """All selection tables at once."""
    idx = np.unique(np.asarray(indices, dtype=np.int64))
    notes: list[str] = []
    users = top_users(es, idx, n_users)
    if es.user_items is None and es.has_users:
        notes.append(
            "No interactions are loaded with these embeddings: the users shown are those whose "
            "vectors score the selected items highest."
        )
    if es.has_users and len(users):
        recs = recommended_to(es, es.user_ids.indices(users["user_id"]), top=n_items)
    else:
        recs = pd.DataFrame(columns=["item_id", "title", "times_recommended", "mean_score"])
        if not es.has_users:
            notes.append("These embeddings have no user vectors, so there are no recommendations.")
    if es.label_kind is None:
        notes.append("The items have no categories or tags, so there is no category mix.")
    return SelectionSummary(
        items=selected_items_table(es, idx),
        category_mix=category_mix(es, idx),
        top_users=users,
        recommended=recs,
        notes=notes,
    )
