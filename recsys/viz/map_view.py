"""What a map shows for each kind of map (items, users, both): vectors, hover, colours, sizes.

Glue between an :class:`~recsys.maps.embedding_set.EmbeddingSet` and the figure builders in
:mod:`recsys.viz.map`, so the Map page only picks options.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from recsys.errors import RecsysError
from recsys.maps.clusters import Clustering
from recsys.maps.embedding_set import EmbeddingSet
from recsys.maps.quality import MapQuality, Support, support_of
from recsys.viz import map as vmap

KINDS = {"items": "Items", "users": "Users", "joint": "Users + items"}

CATEGORY = "category"
TAG = "main tag"
CLUSTER = "cluster"
POPULARITY = "popularity (log)"
FIRST_SEEN = "first seen"
USER_SCORE = "predicted score for a user"
FAITHFULNESS = "faithfulness (kNN recall per point)"
FAVOURITE = "favourite category or tag"
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
        if any(es.tags):
            opts.append(TAG)
        opts.append(CLUSTER)
        if es.popularity is not None:
            opts.append(POPULARITY)
        if es.first_seen is not None:
            opts.append(FIRST_SEEN)
        if es.has_users:
            opts.append(USER_SCORE)
    elif kind == "users":
        opts = [FAVOURITE] if es.favourite_categories is not None else []
        opts.append(CLUSTER)
        if es.user_activity is not None:
            opts.append(ACTIVITY)
    else:
        opts = [KIND]
    return opts + [FAITHFULNESS]


#: tags shown in an item's hover label (a music catalogue can have dozens per item)
HOVER_TAGS = 5


def _user_hover(es: EmbeddingSet, rows: np.ndarray) -> np.ndarray:
    act = es.user_activity
    fav = es.favourite_categories
    return vmap.hover_texts(
        [f"user {es.user_ids.ids[r]}" for r in rows],
        popularity=None if act is None else act[rows],
        extra=None if fav is None else [f"mostly {fav[r]}" for r in rows],
    )


def _item_hover(es: EmbeddingSet, rows: np.ndarray) -> np.ndarray:
    """Title, categories (else the first tags) and popularity of the items ``rows``."""
    cap = HOVER_TAGS if es.label_kind == "tag" else None
    labels = [es.labels[r][:cap] for r in rows]
    return vmap.hover_texts(
        es.titles[rows], labels, None if es.popularity is None else es.popularity[rows]
    )


def hover_for(es: EmbeddingSet, kind: str, positions: np.ndarray) -> np.ndarray:
    """Escaped hover text of the drawn points: title, categories or tags, popularity / a user's
    activity. ``positions`` index the ``kind``'s points (on the joint map items come first);
    only these are written, not the whole catalogue's."""
    positions = np.asarray(positions, dtype=np.int64)
    if kind == "items":
        return _item_hover(es, positions)
    if kind == "users":
        return _user_hover(es, positions)
    out = np.empty(len(positions), dtype=object)
    is_item = positions < es.n_items
    out[is_item] = _item_hover(es, positions[is_item])
    out[~is_item] = _user_hover(es, positions[~is_item] - es.n_items)
    return out


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
    if option == TAG:
        return vmap.Colouring("main tag", vmap.colour_by_category(es.tags).values, True)
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
        return vmap.colour_by_labels(es.favourite_categories, f"favourite {es.label_kind}")
    if option == ACTIVITY:
        return vmap.colour_by_log(es.user_activity, "interactions")
    if option == KIND:
        return vmap.colour_by_labels(["item"] * es.n_items + ["user"] * es.n_users, "kind")
    if option == FAITHFULNESS:
        if per_point_recall is None:
            raise RecsysError("Faithfulness is not computed for this map yet.")
        return vmap.colour_by_values(per_point_recall, "kNN recall", "RdYlGn")
    raise RecsysError(f"Unknown colour option {option!r}.")


# ---------------------------------------------------------------------- support
def supports(es: EmbeddingSet, kind: str) -> list[Support]:
    """The :class:`~recsys.maps.quality.Support` of each part of a map (items, users)."""
    parts = {"items": ["items"], "users": ["users"], "joint": ["items", "users"]}[kind]
    out = []
    for part in parts:
        counts = es.popularity if part == "items" else es.user_activity
        n = es.n_items if part == "items" else es.n_users
        if counts is None:  # imported without interactions: nothing to judge support by
            counts = np.full(n, np.iinfo(np.int32).max, dtype=np.int64)
        out.append(support_of(counts, part))
    return out


#: a users (or joint) map draws at most this many users, a seeded sample above it: UMAP of
#: 160k users took 480 s at 25M interactions, of a 20,000 sample 62 s
MAX_MAP_USERS = 20_000
SAMPLE_SEED = 0


def _user_sample(positions: np.ndarray, es: EmbeddingSet, kind: str) -> tuple[np.ndarray, int]:
    """(rows of ``positions`` kept, users among the candidates): all items, a sample of users."""
    offset = {"users": 0, "joint": es.n_items}.get(kind)
    if offset is None:
        return np.arange(len(positions)), 0
    is_user = positions >= offset
    n_users = int(is_user.sum())
    if n_users <= MAX_MAP_USERS:
        return np.arange(len(positions)), n_users
    rng = np.random.default_rng(SAMPLE_SEED)
    users = rng.choice(np.flatnonzero(is_user), MAX_MAP_USERS, replace=False)
    return np.sort(np.concatenate([np.flatnonzero(~is_user), users])), n_users


def shown_points(es: EmbeddingSet, kind: str, show_all: bool) -> tuple[np.ndarray, np.ndarray]:
    """(positions, weak): which points of a ``kind`` map are drawn, and which of them are weak.

    Positions index the full point list of the kind (:func:`vectors_for`, :func:`codes_for`).
    By default only supported points; with ``show_all`` every point, the low-support ones weak.
    Above ``MAX_MAP_USERS`` users, a seeded sample of them (said by :func:`support_notes`).
    """
    masks = [s.mask for s in supports(es, kind)]
    supported = np.concatenate(masks) if masks else np.zeros(0, dtype=bool)
    if show_all:
        positions, weak = np.arange(len(supported)), ~supported
    else:
        positions = np.flatnonzero(supported)
        weak = np.zeros(len(positions), dtype=bool)
    keep, _ = _user_sample(positions, es, kind)
    return positions[keep], weak[keep]


def support_notes(es: EmbeddingSet, kind: str, show_all: bool) -> list[str]:
    """The page's sentences about what is shown (one per part of the map, then any sample)."""
    notes = [s.note(show_all) for s in supports(es, kind)]
    masks = [s.mask for s in supports(es, kind)]
    supported = np.concatenate(masks) if masks else np.zeros(0, dtype=bool)
    candidates = np.arange(len(supported)) if show_all else np.flatnonzero(supported)
    _, n_users = _user_sample(candidates, es, kind)
    if n_users > MAX_MAP_USERS:
        notes.append(
            f"Users: a random sample of {MAX_MAP_USERS:,} of these {n_users:,} users is drawn "
            f"(seed {SAMPLE_SEED}, the same on every visit): a map of all of them would take "
            "minutes."
        )
    return notes


def take(colouring: vmap.Colouring, positions: np.ndarray) -> vmap.Colouring:
    """The colouring of a subset of points."""
    return vmap.Colouring(
        colouring.label,
        np.asarray(colouring.values)[positions],
        colouring.categorical,
        colouring.colorscale,
        colouring.tick_values,
        colouring.tick_texts,
    )


def cluster_frame(es: EmbeddingSet, kind: str) -> pd.DataFrame:
    """What names the clusters of a ``kind`` map: items' metadata, users' favourite label.

    One row per point of the kind's full point list (joint: items, then users).
    """
    items = es.items[["title", "categories", "tags"]].reset_index(drop=True)
    if kind == "items":
        return items
    fav = es.favourite_categories
    fav = [None] * es.n_users if fav is None else list(fav)
    users = pd.DataFrame(
        {
            "title": [f"user {u}" for u in es.user_ids.ids],
            "categories": [[] if f in (None, "(no history)") else [str(f)] for f in fav],
            "tags": [[] for _ in range(es.n_users)],
        }
    )
    return users if kind == "users" else pd.concat([items, users], ignore_index=True)


def map_colouring(
    es: EmbeddingSet,
    kind: str,
    colour: str,
    positions: np.ndarray,
    clusters=None,
    faithfulness=None,
    user: str | None = None,
) -> vmap.Colouring:
    """The colouring of the drawn points for the page's "Colour by" choice.

    ``clusters`` (a Clustering) and ``faithfulness`` are needed for the cluster and kNN-recall
    colourings, which describe the drawn points themselves.
    """
    if colour == CLUSTER:
        return vmap.colour_by_labels(clusters.label_names(), "cluster")
    if colour == FAITHFULNESS:
        return vmap.colour_by_values(faithfulness.per_point_recall, "kNN recall", "RdYlGn")
    return take(colouring_for(es, kind, colour, user=user), positions)


def map_title(es: EmbeddingSet, kind: str, projection_label: str, dataset_name: str) -> str:
    """What is drawn first (a long model or dataset name clips the end of a plotly title)."""
    subject = f"{es.model.label} “{es.name}” on {dataset_name}" if es.model is not None else es.name
    return f"{projection_label} · {KINDS[kind]} · {subject}"


def shown_figure(
    es: EmbeddingSet,
    kind: str,
    positions: np.ndarray,
    coords: np.ndarray,
    colouring: vmap.Colouring,
    *,
    weak: np.ndarray,
    title: str,
    seed: int,
    density: bool,
    size_by_popularity: bool = False,
    highlight: int | None = None,
    neighbours=None,
    clusters=None,
):
    """The map figure of the drawn points: (figure, notice or None) from :func:`vmap.map_figure`.

    ``highlight`` (an item index) and its ``neighbours`` are marked when the item is drawn;
    ``clusters`` puts their names on the map.
    """
    # row of each drawn item on the map (items come first on the joint map)
    item_row = {int(p): r for r, p in enumerate(positions) if p < es.n_items and kind != "users"}
    on_map = highlight is not None and highlight in item_row
    sizes = sizes_for(es, kind)
    return vmap.map_figure(
        coords,
        colouring,
        hover_for(es, kind, positions),
        codes=codes_for(es, kind)[positions],
        sizes=sizes[positions] if size_by_popularity and sizes is not None else None,
        highlight=item_row[highlight] if on_map else None,
        neighbours=np.asarray([item_row[i] for i in neighbours if i in item_row], dtype=np.int64)
        if on_map
        else None,
        labels_at=vmap.cluster_centres(coords, clusters.labels, clusters.names)
        if clusters is not None
        else None,
        title=title,
        seed=seed,
        weak=weak,
        density=density,
    )


def ready(result):
    """A quality or clusters result, or None while it is still a background job (or absent)."""
    return result if isinstance(result, (Clustering, MapQuality)) else None


def shown_colour(
    es: EmbeddingSet,
    kind: str,
    colour: str,
    clusters: Clustering | None,
    quality: MapQuality | None,
) -> str:
    """The colour to draw now: the one asked for, or the default one while the clusters or the
    faithfulness it needs are not ready yet (a big map's background job)."""
    if (colour == CLUSTER and clusters is None) or (colour == FAITHFULNESS and quality is None):
        return colour_options(es, kind)[0]
    return colour
