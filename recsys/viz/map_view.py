"""What a map shows for each kind of map (items, users, both): vectors, hover, colours, sizes.

Glue between an :class:`~recsys.maps.embedding_set.EmbeddingSet` and the figure builders in
:mod:`recsys.viz.map`, so the Map page only picks options.
"""

from __future__ import annotations

import numpy as np

from recsys.errors import RecsysError
from recsys.maps.embedding_set import EmbeddingSet
from recsys.viz import map as vmap

KINDS = {"items": "Items", "users": "Users", "joint": "Users + items"}

CATEGORY = "category"
CLUSTER = "cluster"
POPULARITY = "popularity (log)"
FIRST_SEEN = "first seen"
USER_SCORE = "predicted score for a user"
FAITHFULNESS = "faithfulness (kNN recall per point)"
FAVOURITE = "favourite category"
ACTIVITY = "activity (log)"
KIND = "item or user"


def available_kinds(es: EmbeddingSet) -> list[str]:
    """Kinds of map these embeddings allow (users need user vectors)."""
    return ["items", "users", "joint"] if es.has_users else ["items"]


def vectors_for(es: EmbeddingSet, kind: str) -> np.ndarray:
    """The vectors drawn on a map of ``kind`` (joint: items first, then users)."""
    if kind == "items":
        return es.item_vectors
    if not es.has_users:
        raise RecsysError("These embeddings have no user vectors; only the items map is available.")
    if kind == "users":
        return es.user_vectors
    return np.vstack([es.item_vectors, es.user_vectors]).astype(np.float32)


def codes_for(es: EmbeddingSet, kind: str) -> np.ndarray:
    """customdata codes (items >= 0, users < 0) for the points of a map of ``kind``."""
    items = np.arange(es.n_items)
    users = vmap.encode_users(np.arange(es.n_users))
    return {"items": items, "users": users, "joint": np.concatenate([items, users])}[kind]


def colour_options(es: EmbeddingSet, kind: str) -> list[str]:
    """Colour choices that make sense for this map and these embeddings."""
    if kind == "items":
        opts = [CATEGORY] if es.has_categories else []
        opts.append(CLUSTER)
        if es.popularity is not None:
            opts.append(POPULARITY)
        if es.first_seen is not None:
            opts.append(FIRST_SEEN)
        if es.has_users:
            opts.append(USER_SCORE)
    elif kind == "users":
        opts = [FAVOURITE] if es.favourite_categories is not None else []
        if es.user_activity is not None:
            opts.append(ACTIVITY)
    else:
        opts = [KIND]
    return opts + [FAITHFULNESS]


def _user_hover(es: EmbeddingSet) -> np.ndarray:
    act = es.user_activity
    fav = es.favourite_categories
    return vmap.hover_texts(
        [f"user {u}" for u in es.user_ids.ids],
        popularity=act,
        extra=None if fav is None else [f"mostly {f}" for f in fav],
    )


def hover_for(es: EmbeddingSet, kind: str, cluster_names: np.ndarray | None = None) -> np.ndarray:
    """Escaped hover text per point: title, categories, popularity (and cluster) / user activity."""
    items = vmap.hover_texts(
        es.titles,
        es.categories,
        es.popularity,
        extra=None if cluster_names is None else [f"cluster: {c}" for c in cluster_names],
    )
    if kind == "items":
        return items
    users = _user_hover(es)
    return users if kind == "users" else np.concatenate([items, users])


def sizes_for(es: EmbeddingSet, kind: str) -> np.ndarray | None:
    """Marker sizes by popularity (items) or activity (users), when known."""
    pop = es.popularity
    act = es.user_activity
    if kind == "items":
        return None if pop is None else vmap.popularity_sizes(pop)
    if kind == "users":
        return None if act is None else vmap.popularity_sizes(act)
    if pop is None or act is None:
        return None
    return vmap.popularity_sizes(np.concatenate([pop, act]))


def colouring_for(
    es: EmbeddingSet,
    kind: str,
    option: str,
    *,
    cluster_names: np.ndarray | None = None,
    per_point_recall: np.ndarray | None = None,
    user: str | None = None,
) -> vmap.Colouring:
    """The :class:`~recsys.viz.map.Colouring` for a colour option (see :func:`colour_options`)."""
    if option == CATEGORY:
        return vmap.colour_by_category(es.categories)
    if option == CLUSTER:
        if cluster_names is None:
            raise RecsysError("Compute clusters first to colour by cluster.")
        return vmap.colour_by_labels(cluster_names, "cluster")
    if option == POPULARITY:
        return vmap.colour_by_log(es.popularity, "interactions")
    if option == FIRST_SEEN:
        return vmap.colour_by_time(es.first_seen, "first seen")
    if option == USER_SCORE:
        if not user:
            raise RecsysError("Choose a user to colour items by their predicted score.")
        return vmap.colour_by_values(es.user_scores(user), f"score for {user}", "RdBu_r")
    if option == FAVOURITE:
        return vmap.colour_by_labels(es.favourite_categories, "favourite category")
    if option == ACTIVITY:
        return vmap.colour_by_log(es.user_activity, "interactions")
    if option == KIND:
        return vmap.colour_by_labels(["item"] * es.n_items + ["user"] * es.n_users, "kind")
    if option == FAITHFULNESS:
        if per_point_recall is None:
            raise RecsysError("Faithfulness is not computed for this map yet.")
        return vmap.colour_by_values(per_point_recall, "kNN recall", "RdYlGn")
    raise RecsysError(f"Unknown colour option {option!r}.")
