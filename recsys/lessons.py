"""The computations behind the Learn page's six lessons.

Each lesson is a pure function of a dataset and a few knobs: it trains (or takes) a model from
:mod:`recsys.models`, and reuses :mod:`recsys.maps.projection`, :mod:`recsys.explain.neighbours`,
:mod:`recsys.maps.clusters` and :mod:`recsys.evaluation.metrics` rather than re-implementing them.

1. :func:`two_factor_space` - a live 2-factor model plotted in its raw factor space.
2. :func:`dot_product_breakdown`, :func:`length_effect` - a score is a dot product; vector
   length (popularity) pushes dot-product scores, cosine does not.
3. :func:`factor_extremes`, :func:`genre_recovery` - what factors mean; clusters vs planted genres.
4. :func:`compare_neighbours` - cosine neighbours vs co-occurrence neighbours.
5. :func:`compare_projections` - the same embeddings under PCA, t-SNE and UMAP, with faithfulness.
6. :func:`sparsity_curve`, :func:`fold_in_user` - fewer interactions, worse models; cold start.

Lessons that need planted truth (the demo's ``planted_genre``) say so through
:func:`reference_labels`, which reports where the labels came from.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from sklearn.metrics import adjusted_rand_score

from recsys.data.dataset import Dataset
from recsys.errors import DataError, ModelConfigError
from recsys.linalg import normalise_rows, top_k
from recsys.maps.clusters import cluster_labels
from recsys.models.base import Recommender
from recsys.models.registry import create_model, get_model_class

#: The model every lesson trains: ALS, whose regularisation and iterations are the lesson-1 knobs.
LESSON_MODEL = "als"
PLANTED = "planted genre"
FIRST_CATEGORY = "first listed category"
MOST_USED_TAG = "most used tag"
OTHER = "other"


@dataclass(frozen=True)
class LabelWords:
    """How the lessons name the item groups of the loaded data, so no prompt talks about
    genres on data without them.

    ``one``/``many``: "genre"/"genres" (the demo's planted genres), "category"/"categories"
    (each item's first listed category), "tag"/"tags" (each item's most used tag); on data with
    none of these, ``labelled`` is False and the prompts speak of items and tastes instead.
    """

    source: str | None
    one: str
    many: str

    @property
    def labelled(self) -> bool:
        return self.source is not None

    @property
    def reference(self) -> str:
        """What clusters are compared with, e.g. "the genres the demo secretly planted"."""
        return {
            PLANTED: "the genres the demo secretly planted",
            FIRST_CATEGORY: "each item's first listed category",
            MOST_USED_TAG: "each item's most used tag",
        }.get(self.source or "", "nothing (this data has no genres, categories or tags)")


def label_words(source: str | None) -> LabelWords:
    """The words for the item groups that :func:`reference_labels` reported (``source``)."""
    one, many = {
        PLANTED: ("genre", "genres"),
        FIRST_CATEGORY: ("category", "categories"),
        MOST_USED_TAG: ("tag", "tags"),
    }.get(source or "", ("group", "groups"))
    return LabelWords(source, one, many)


# ---------------------------------------------------------------------------- shared helpers
def reference_labels(dataset: Dataset, max_labels: int = 12) -> tuple[np.ndarray, str | None]:
    """Item labels to colour by and to score clusters against, and where they came from.

    Returns ``(labels, source)``: the demo's planted genre (source "planted genre"); otherwise
    each item's first listed category, the ``max_labels`` most frequent kept and the rest
    "other" (source "first listed category"); without categories, each item's most used tag
    the same way (source "most used tag"; tags are kept most frequent first); with neither,
    "all items" and ``None``.
    """
    items = dataset.items
    if "planted_genre" in items and items["planted_genre"].notna().all():
        return items["planted_genre"].astype(str).to_numpy(dtype=object), PLANTED
    for column, source in (("categories", FIRST_CATEGORY), ("tags", MOST_USED_TAG)):
        if column not in items:
            continue
        first = np.array(
            [str(c[0]) if len(c) else "" for c in items[column].to_numpy(dtype=object)],
            dtype=object,
        )
        if not (first != "").any():
            continue
        counts = pd.Series(first[first != ""]).value_counts()
        keep = set(counts.index[:max_labels])
        return np.array([f if f in keep else OTHER for f in first], dtype=object), source
    return np.full(dataset.n_items, "all items", dtype=object), None


def has_planted_truth(dataset: Dataset) -> bool:
    """True when the data carries a planted genre per item (the demo does)."""
    return reference_labels(dataset)[1] == PLANTED


def lesson_model(
    dataset: Dataset,
    factors: int = 2,
    regularization: float = 0.1,
    iterations: int = 15,
    seed: int = 42,
    model: str = LESSON_MODEL,
) -> Recommender:
    """Train the lessons' model (ALS by default) with the given knobs; seeded.

    Knobs the model does not have are left out (PureSVD has no iterations), so the same lesson
    runs with another factor model.
    """
    wanted = {
        "factors": int(factors),
        "regularization": float(regularization),
        "iterations": int(iterations),
        "seed": int(seed),
        "random_state": int(seed),
    }
    known = get_model_class(model).PARAMS
    rec = create_model(model, **{k: v for k, v in wanted.items() if k in known})
    return rec.fit(dataset)


def _unit(vectors: np.ndarray) -> np.ndarray:
    return normalise_rows(vectors, np.float64)


def _sample(n: int, max_points: int, seed: int) -> np.ndarray:
    if n <= max_points:
        return np.arange(n)
    return np.sort(np.random.default_rng(seed).choice(n, size=max_points, replace=False))


# ---------------------------------------------------------------------------- lesson 1
#: items (and users) drawn in lesson 1's factor space at most: enough to see the shape; at 18k
#: items the figure is 262 KB instead of 482 KB with 5,000
FACTOR_SPACE_POINTS = 2000


@dataclass(frozen=True)
class FactorSpace:
    """Users and items of a 2-factor model in its raw factor space (no projection).

    ``items``: item, title, label, popularity, x, y. ``users``: user, activity, x, y.
    Large catalogues are sampled (seeded) down to ``max_points`` of each.

    ``user_scale``: the one factor that brings the users' median length to the items' (ALS
    splits scale between users and items freely, so users can sit 100x further out). Drawing
    users times this factor keeps every direction, and so every ranking, unchanged.
    """

    items: pd.DataFrame
    users: pd.DataFrame
    label_source: str | None
    user_scale: float
    model: Recommender = field(repr=False)


def two_factor_space(
    dataset: Dataset,
    regularization: float = 0.1,
    iterations: int = 15,
    seed: int = 42,
    max_points: int = FACTOR_SPACE_POINTS,
    model: Recommender | None = None,
) -> FactorSpace:
    """Lesson 1: train a 2-factor model and return its raw user and item coordinates."""
    model = model or lesson_model(dataset, 2, regularization, iterations, seed)
    if model.item_factors_.shape[1] != 2:
        raise ModelConfigError("Lesson 1 needs a model with exactly 2 factors.")
    labels, source = reference_labels(dataset)
    ii = _sample(dataset.n_items, max_points, seed)
    uu = _sample(dataset.n_users, max_points, seed + 1)
    iv, uv = model.item_factors_[ii], model.user_factors_[uu]
    items = pd.DataFrame(
        {
            "item": dataset.item_ids.to_external(ii),
            "title": dataset.titles[ii],
            "label": labels[ii],
            "popularity": dataset.item_popularity[ii],
            "x": iv[:, 0].astype(np.float64),
            "y": iv[:, 1].astype(np.float64),
        }
    )
    users = pd.DataFrame(
        {
            "user": dataset.user_ids.to_external(uu),
            "activity": dataset.user_activity[uu],
            "x": uv[:, 0].astype(np.float64),
            "y": uv[:, 1].astype(np.float64),
        }
    )
    item_len = float(np.median(np.linalg.norm(iv, axis=1)))
    user_len = float(np.median(np.linalg.norm(uv, axis=1)))
    scale = item_len / user_len if item_len > 0 and user_len > 0 else 1.0
    return FactorSpace(items=items, users=users, label_source=source,
                       user_scale=scale, model=model)


# ---------------------------------------------------------------------------- lesson 2
@dataclass(frozen=True)
class DotProduct:
    """One score taken apart: ``sum(products) + sum(biases) == total == model_score``."""

    user: str
    item: str
    user_vector: np.ndarray
    item_vector: np.ndarray
    products: np.ndarray
    biases: dict[str, float]
    total: float
    model_score: float
    cosine: float

    def table(self) -> pd.DataFrame:
        """One row per factor (then bias terms): user value, item value, product."""
        rows = pd.DataFrame(
            {
                "term": [f"factor {f}" for f in range(len(self.products))],
                "user value": self.user_vector,
                "item value": self.item_vector,
                "product": self.products,
            }
        )
        extra = pd.DataFrame(
            {
                "term": list(self.biases),
                "user value": np.nan,
                "item value": np.nan,
                "product": list(self.biases.values()),
            }
        )
        return pd.concat([rows, extra], ignore_index=True) if self.biases else rows


def dot_product_breakdown(model: Recommender, user: str, item: str) -> DotProduct:
    """Lesson 2: both vectors, their element-wise products, and the sum the model scores."""
    u = model.user_ids_.index(user)
    i = model.item_ids_.index(item)
    uv = model.user_factors_[u].astype(np.float64)
    iv = model.item_factors_[i].astype(np.float64)
    products = uv * iv
    biases: dict[str, float] = {}
    if model.item_bias_ is not None:
        biases["item bias"] = float(model.item_bias_[i])
    if model.user_bias_ is not None:
        biases["user bias"] = float(model.user_bias_[u])
    if model.global_bias_:
        biases["global mean"] = float(model.global_bias_)
    norm = np.linalg.norm(uv) * np.linalg.norm(iv)
    return DotProduct(
        user=str(user),
        item=str(item),
        user_vector=uv,
        item_vector=iv,
        products=products,
        biases=biases,
        total=float(products.sum() + sum(biases.values())),
        model_score=float(model.score_users(np.array([u]))[0, i]),
        cosine=float(uv @ iv / norm) if norm > 0 else 0.0,
    )


@dataclass(frozen=True)
class LengthEffect:
    """How item vector length tracks popularity, and what that does to a user's top items.

    ``items``: item, title, popularity, norm (every item). ``by_dot`` / ``by_cosine``: the
    user's top-n unseen items ranked by dot product and by cosine (rank, item, title,
    popularity, score). ``norm_popularity_corr``: Spearman correlation of norm with popularity.
    """

    items: pd.DataFrame
    by_dot: pd.DataFrame
    by_cosine: pd.DataFrame
    norm_popularity_corr: float

    @property
    def popularity_ratio(self) -> float:
        """Median popularity of the dot-product list over that of the cosine list."""
        cos = float(self.by_cosine["popularity"].median())
        return float(self.by_dot["popularity"].median()) / cos if cos > 0 else float("inf")


def length_effect(model: Recommender, dataset: Dataset, user: str, n: int = 10) -> LengthEffect:
    """Lesson 2: item vector norm vs popularity; a user's top items by dot vs by cosine."""
    u = model.user_ids_.index(user)
    vectors = model.item_factors_.astype(np.float64)
    norms = np.linalg.norm(vectors, axis=1)
    popularity = dataset.item_popularity
    uv = model.user_factors_[u].astype(np.float64)
    dot = vectors @ uv
    cosine = _unit(vectors) @ (uv / (np.linalg.norm(uv) or 1.0))
    seen = model.user_items_[u].indices

    def ranked(scores: np.ndarray) -> pd.DataFrame:
        scores = scores.copy()
        scores[seen] = -np.inf
        top = top_k(scores, n)
        return pd.DataFrame(
            {
                "rank": np.arange(1, len(top) + 1),
                "item": dataset.item_ids.to_external(top),
                "title": dataset.titles[top],
                "popularity": popularity[top],
                "score": scores[top],
            }
        )

    corr = pd.Series(norms).corr(pd.Series(popularity.astype(np.float64)), method="spearman")
    return LengthEffect(
        items=pd.DataFrame(
            {
                "item": dataset.item_ids.ids,
                "title": dataset.titles,
                "popularity": popularity,
                "norm": norms,
            }
        ),
        by_dot=ranked(dot),
        by_cosine=ranked(cosine),
        norm_popularity_corr=float(corr) if np.isfinite(corr) else 0.0,
    )


# ---------------------------------------------------------------------------- lesson 3
def factor_extremes(model: Recommender, dataset: Dataset, n: int = 5) -> pd.DataFrame:
    """Lesson 3: each factor's ``n`` strongest items at the high and the low end.

    Returns DataFrame[factor, end ("high"/"low"), rank, item, title, label, value].
    """
    labels, _ = reference_labels(dataset)
    vectors = model.item_factors_.astype(np.float64)
    rows = []
    for f in range(vectors.shape[1]):
        for end, scores in (("high", vectors[:, f]), ("low", -vectors[:, f])):
            for rank, i in enumerate(top_k(scores, n), start=1):
                rows.append((f, end, rank, dataset.item_ids[i], dataset.titles[i], labels[i],
                             float(vectors[i, f])))
    return pd.DataFrame(
        rows, columns=["factor", "end", "rank", "item", "title", "label", "value"]
    )


def cluster_agreement(
    item_vectors: np.ndarray, labels: np.ndarray, seed: int = 42
) -> tuple[float, float]:
    """ARI of k-means clusters of the item vectors with ``labels``, and a shuffled baseline.

    k is the number of distinct labels. The baseline scores the same clusters against the
    labels randomly permuted (seeded): what "no structure recovered" looks like (about 0).
    """
    labels = np.asarray(labels)
    k = len(np.unique(labels))
    if k < 2:
        raise DataError("Scoring clusters needs at least two different labels.")
    clusters = cluster_labels(item_vectors, "kmeans", k=min(k, len(labels)), seed=seed)
    shuffled = np.random.default_rng(seed).permutation(labels)
    return (
        float(adjusted_rand_score(labels, clusters)),
        float(adjusted_rand_score(shuffled, clusters)),
    )


def genre_recovery(
    dataset: Dataset,
    factor_counts: Sequence[int] = (2, 4, 8, 16, 32),
    regularization: float = 0.1,
    iterations: int = 15,
    seed: int = 42,
) -> pd.DataFrame:
    """Lesson 3: how well k-means on item vectors recovers the reference labels as k grows.

    Returns DataFrame[factors, ari, shuffled_ari]. Raises :class:`DataError` when the data has
    no labels to compare with.
    """
    labels, source = reference_labels(dataset)
    if source is None:
        raise DataError(
            "This data has no genres, categories or tags, so there is nothing to compare "
            "clusters with. The demo catalogue has planted genres: load it on the Data page."
        )
    rows = []
    for k in factor_counts:
        model = lesson_model(dataset, int(k), regularization, iterations, seed)
        ari, base = cluster_agreement(model.item_factors_, labels, seed)
        rows.append((int(k), ari, base))
    return pd.DataFrame(rows, columns=["factors", "ari", "shuffled_ari"])


# ---------------------------------------------------------------------------- lesson 4
@dataclass(frozen=True)
class NeighbourComparison:
    """An item's cosine neighbours next to its co-occurrence neighbours.

    ``table``: the union of both top-n lists: item, title, label, popularity, cosine,
    co_users, cosine_rank, cooccurrence_rank (NaN when not in that list), found_by
    ("both", "cosine only", "co-occurrence only"). ``overlap``: items in both lists;
    ``jaccard``: overlap / union. ``median_popularity``: per list.
    """

    item: str
    title: str
    n: int
    table: pd.DataFrame
    overlap: int
    jaccard: float
    median_popularity: dict[str, float]


def example_item(dataset: Dataset) -> str:
    """A fairly popular but not top item (popularity rank n_items // 10): a good first example."""
    order = np.argsort(-dataset.item_popularity, kind="stable")
    return dataset.item_ids[int(order[min(len(order) - 1, dataset.n_items // 10)])]


def cooccurrence_counts(dataset: Dataset, item: str) -> np.ndarray:
    """For every item, how many users interacted with both it and ``item`` (itself excluded)."""
    i = dataset.item_ids.index(item)
    binary = dataset.matrix.tocsc(copy=True)
    binary.data[:] = 1.0
    counts = np.asarray((binary.T @ binary[:, i]).toarray()).ravel()
    counts[i] = 0.0
    return counts


def compare_neighbours(
    model: Recommender, dataset: Dataset, item: str, n: int = 10
) -> NeighbourComparison:
    """Lesson 4: the top-``n`` by cosine of the item vectors vs by users in common."""
    from recsys.explain.neighbours import item_neighbours, list_overlap

    i = dataset.item_ids.index(item)
    cosine = item_neighbours(model, dataset, item, n)
    co = cooccurrence_counts(dataset, item)
    co_top = top_k(co, n)
    co_top = co_top[co[co_top] > 0]
    co_items = list(dataset.item_ids.to_external(co_top))
    cos_items = list(cosine["item"])
    overlap = list_overlap(cos_items, co_items)
    union = np.asarray(dataset.item_ids.indices(list(dict.fromkeys(cos_items + co_items))),
                       dtype=np.int64)
    unit = _unit(model.item_factors_)
    labels, _ = reference_labels(dataset)
    cos_rank = {it: r for r, it in enumerate(cos_items, start=1)}
    co_rank = {it: r for r, it in enumerate(co_items, start=1)}
    ids = list(dataset.item_ids.to_external(union))
    found = [
        "both" if (x in cos_rank and x in co_rank)
        else "cosine only" if x in cos_rank else "co-occurrence only"
        for x in ids
    ]
    pop = dataset.item_popularity
    table = pd.DataFrame(
        {
            "item": ids,
            "title": dataset.titles[union],
            "label": labels[union],
            "popularity": pop[union],
            "cosine": unit[union] @ unit[i],
            "co_users": co[union].astype(np.int64),
            "cosine_rank": [cos_rank.get(x, np.nan) for x in ids],
            "cooccurrence_rank": [co_rank.get(x, np.nan) for x in ids],
            "found_by": found,
        }
    )
    return NeighbourComparison(
        item=str(item),
        title=str(dataset.titles[i]),
        n=int(n),
        table=table,
        overlap=int(overlap["overlap"]),
        jaccard=float(overlap["jaccard"]),
        median_popularity={
            "cosine": float(np.median(pop[dataset.item_ids.indices(cos_items)]))
            if cos_items else float("nan"),
            "co-occurrence": float(np.median(pop[co_top])) if len(co_top) else float("nan"),
        },
    )


# ---------------------------------------------------------------------------- lesson 5
@dataclass(frozen=True)
class ProjectedMap:
    """One projection of the embeddings and how faithful it is."""

    method: str
    coords: np.ndarray
    trustworthiness: float
    knn_recall: float
    k: int
    seconds: float


def popular_items(dataset: Dataset, max_points: int) -> np.ndarray:
    """Indices of the ``max_points`` most popular items (all of them when fewer), ascending."""
    if dataset.n_items <= max_points:
        return np.arange(dataset.n_items)
    return np.sort(top_k(dataset.item_popularity.astype(np.float64), max_points))


def project_items(
    vectors: np.ndarray,
    method: str,
    n_neighbors: int = 15,
    min_dist: float = 0.1,
    seed: int = 42,
    k: int = 10,
) -> ProjectedMap:
    """Lesson 5: one projection (PCA, t-SNE or UMAP) of ``vectors``, with its faithfulness."""
    import time

    from recsys.maps.projection import ProjectionParams, faithfulness, project

    start = time.perf_counter()
    params = ProjectionParams(
        method=method, dims=2, metric="cosine", n_neighbors=int(n_neighbors),
        min_dist=float(min_dist), seed=int(seed),
    )
    coords = project(vectors, params)
    seconds = time.perf_counter() - start
    faith = faithfulness(vectors, coords, k=k, metric="cosine", seed=seed)
    return ProjectedMap(
        method=method,
        coords=coords,
        trustworthiness=faith.trustworthiness,
        knn_recall=faith.knn_recall,
        k=faith.k,
        seconds=seconds,
    )


def compare_projections(
    vectors: np.ndarray,
    methods: Sequence[str] = ("pca", "tsne", "umap"),
    n_neighbors: int = 15,
    min_dist: float = 0.1,
    seed: int = 42,
    k: int = 10,
) -> list[ProjectedMap]:
    """Lesson 5: the same vectors under each method, with trustworthiness and kNN recall."""
    return [project_items(vectors, m, n_neighbors, min_dist, seed, k) for m in methods]


# ---------------------------------------------------------------------------- lesson 6
def sparsity_point(
    dataset: Dataset,
    drop_share: float,
    factors: int = 32,
    regularization: float = 0.1,
    iterations: int = 15,
    seed: int = 42,
    k: int = 10,
    test_fraction: float = 0.2,
) -> dict[str, float]:
    """Lesson 6: drop a share of the training interactions, retrain, and measure what is lost.

    The held-out interactions are the same for every ``drop_share`` (a seeded random split of
    ``test_fraction`` per user); only training interactions are dropped (seeded). NDCG@k is
    averaged over every user evaluable with nothing dropped, a user left without history
    counting 0, so shares are compared on the same users. Genre recovery is the ARI of k-means
    clusters of the item vectors with the reference labels (NaN when there are none).

    Returns dict: drop_share, train_interactions, ndcg, ari, label_source.
    """
    from recsys.evaluation.metrics import Split, evaluate_model, random_split

    if not 0.0 <= float(drop_share) < 1.0:
        raise ModelConfigError(f"The dropped share must be in [0, 1), not {drop_share}.")
    split = random_split(dataset, test_fraction=test_fraction, seed=seed)
    full_users = split.apply(dataset).eval_users
    rng = np.random.default_rng(seed + 1)
    dropped = (rng.random(dataset.n_interactions) < float(drop_share)) & ~split.test_mask
    sparse = dataset.with_interactions(~dropped, name=f"{dataset.name} ({drop_share:.0%} dropped)")
    sparse_split = Split(split.kind, dict(split.params), split.test_mask[~dropped],
                         sparse.fingerprint)
    data = sparse_split.apply(sparse)
    model = lesson_model(data.train, factors, regularization, iterations, seed)
    result = evaluate_model(model, data, k=k)
    per_user = result.per_user.set_index("user_index")["ndcg"]
    ndcg = float(per_user.reindex(full_users).fillna(0.0).mean()) if len(full_users) else np.nan
    labels, source = reference_labels(dataset)
    ari = cluster_agreement(model.item_factors_, labels, seed)[0] if source else float("nan")
    return {
        "drop_share": float(drop_share),
        "train_interactions": int(data.train.n_interactions),
        "ndcg": ndcg,
        "ari": ari,
        "label_source": source or "",
    }


def sparsity_curve(dataset: Dataset, drop_shares: Sequence[float], **kwargs) -> pd.DataFrame:
    """Lesson 6: :func:`sparsity_point` for each share, one row each."""
    return pd.DataFrame([sparsity_point(dataset, s, **kwargs) for s in drop_shares])


@dataclass(frozen=True)
class FoldIn:
    """A new user folded into a trained model from a few items."""

    items: list[str]
    vector: np.ndarray
    recommendations: pd.DataFrame  # rank, item, title, label, score
    nearest_label: str | None


def default_fold_in_items(dataset: Dataset, n: int = 3, skip: int = 3) -> list[str]:
    """``n`` items of one label (the one with most interactions): a clear, single taste.

    The ``skip`` most popular items of that label are passed over: blockbusters co-occur with
    everything, so they say little about a taste.
    """
    labels, _ = reference_labels(dataset)
    pop = dataset.item_popularity.astype(np.float64)
    totals = pd.Series(pop).groupby(labels).sum()
    members = np.flatnonzero(labels == totals.idxmax())
    members = members[np.argsort(-pop[members], kind="stable")]
    start = max(0, min(skip, len(members) - n))
    return [dataset.item_ids[i] for i in members[start : start + n]]


def fold_in_user(model: Recommender, dataset: Dataset, items: Sequence[str], n: int = 5) -> FoldIn:
    """Lesson 6: a user vector from ``items`` alone (no retraining) and their top ``n`` items.

    Uses the model's own fold-in (ALS: its closed-form user solve, see :mod:`recsys.explain.explanations`).
    ``nearest_label`` is the most common label among the recommendations.
    """
    from recsys.models.profile import Profile

    items = [str(i) for i in items]
    if not items:
        raise ModelConfigError("Pick at least one item to fold in a new user.")
    profile = Profile.of_items(model, items)
    vector = model.fold_in(profile)
    recs = model.recommend_profile(profile, n=n)
    labels, source = reference_labels(dataset)
    idx = model.item_ids_.indices(recs["item"])
    recs = recs.assign(title=dataset.titles[idx], label=labels[idx])
    recs = recs[["rank", "item", "title", "label", "score"]]
    nearest = None
    if source and len(recs):
        nearest = str(recs["label"].value_counts().index[0])
    return FoldIn(items=items, vector=np.asarray(vector, dtype=np.float64),
                  recommendations=recs, nearest_label=nearest)
