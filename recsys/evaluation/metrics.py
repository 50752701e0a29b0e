"""Held-out evaluation: seeded train/test splits and top-K ranking metrics.

A :class:`Split` marks which interactions of a :class:`~recsys.data.dataset.Dataset` are held out.
It is built by :func:`random_split`, :func:`temporal_split` or :func:`time_cutoff_split`, can be
serialised (:meth:`Split.to_dict`) so a saved run and later comparisons use exactly the same
split, and turns into train/test data with :meth:`Split.apply` (via ``Dataset.with_interactions``,
so user and item indices stay aligned).

Evaluation protocol (one rule for every model)
----------------------------------------------
- Every training item is a candidate; items with no training interaction cannot be
  recommended (``candidates="all"`` ranks them too). Each user's training items are excluded.
- A user's *test items* are the distinct items of their held-out interactions that are not
  among their training items (re-consumption cannot be predicted once training items are
  excluded). Users with no test item, or with no training interaction, are not evaluated.
- All held-out interactions count as relevant, whatever their rating ("all ratings positive").
- Scores are computed in batches with ``model.score_users``; the top K is taken with
  ``argpartition``; ties are broken by the lower item index, so results are deterministic.
- Ranking metrics are averaged over evaluated users (each user weighs the same).

The definitions of all metrics live in :data:`METRIC_DEFINITIONS` (the page shows them).
"""

from __future__ import annotations

import base64
import time
import zlib
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp

from recsys.data.dataset import FEEDBACK_EXPLICIT, Dataset
from recsys.errors import DataError, RecsysError
from recsys.linalg import top_k_rows
from recsys.progress import Progress

DEFAULT_K = 10
#: Users with fewer interactions than this stay entirely in training and are not evaluated.
MIN_INTERACTIONS = 2
#: Score matrices are computed this many cells (users x items) at a time.
BATCH_CELLS = 4_000_000

#: Activity buckets by number of *training* interactions of a user.
ACTIVITY_BUCKETS: list[tuple[str, int, float]] = [
    ("< 20", 0, 20),
    ("20-100", 20, 101),
    ("> 100", 101, np.inf),
]


#: key -> (label, definition). The single source of truth for docstrings and the page.
METRIC_DEFINITIONS: dict[str, tuple[str, str]] = {
    "precision": (
        "Precision@K",
        "hits / K, where hits = number of the user's test items among the top K "
        "recommendations. (implicit's `precision_at_k` divides by min(K, |test items|) "
        "instead and pools hits over users; see `precision_min` / `pooled_precision`.)",
    ),
    "recall": ("Recall@K", "hits / |test items of the user|."),
    "ndcg": (
        "NDCG@K",
        "DCG / ideal DCG with binary gains: DCG = sum over ranks r = 1..K of "
        "hit(r) / log2(r + 1); the ideal DCG puts min(K, |test items|) hits at the top.",
    ),
    "map": (
        "MAP@K",
        "mean over users of AP@K = (sum over ranks r with a hit of precision@r) / "
        "min(K, |test items|).",
    ),
    "hit_rate": ("Hit rate@K", "share of users with at least one hit in the top K."),
    "mrr": (
        "MRR@K",
        "mean over users of 1 / rank of the first hit in the top K (0 when there is none).",
    ),
    "coverage": (
        "Catalogue coverage",
        "distinct items recommended to any evaluated user / number of candidate items "
        "(items with at least one training interaction).",
    ),
    "novelty": (
        "Novelty",
        "mean self-information of recommended items, -log2(p(i)), where p(i) = share of "
        "training users who interacted with item i (items unseen in training count as 1 "
        "user). Higher means less popular, more surprising recommendations.",
    ),
    "avg_popularity": (
        "Average popularity",
        "mean number of training users who interacted with each recommended item.",
    ),
    "rmse": (
        "RMSE",
        "root mean squared error of predicted vs held-out ratings (rating models only), "
        "over all held-out interactions of evaluated users.",
    ),
    "mae": (
        "MAE",
        "mean absolute error of predicted vs held-out ratings (rating models only).",
    ),
}

#: Metrics where larger is better (the others are descriptive or lower-is-better).
RANKING_METRICS = ["precision", "recall", "ndcg", "map", "hit_rate", "mrr"]
BEYOND_ACCURACY = ["coverage", "novelty", "avg_popularity"]
RATING_METRICS = ["rmse", "mae"]


def metric_label(key: str, k: int | None = None) -> str:
    """Human label of a metric, e.g. ``NDCG@10``."""
    label = METRIC_DEFINITIONS.get(key, (key, ""))[0]
    return label.replace("@K", f"@{k}") if k is not None else label


# ====================================================================== splits
SPLIT_KINDS = ("random", "temporal", "time_cutoff")


@dataclass
class Split:
    """Which interactions of a dataset are held out for testing.

    Attributes
    ----------
    kind : str
        "random", "temporal" or "time_cutoff".
    params : dict
        The settings that made it (fraction, count, cutoff, seed, min_interactions).
    test_mask : np.ndarray
        One bool per interaction of the dataset, True = held out.
    dataset_fingerprint : str
        Fingerprint of the dataset it was made for; applying it elsewhere raises.
    """

    kind: str
    params: dict
    test_mask: np.ndarray
    dataset_fingerprint: str

    @property
    def n_test(self) -> int:
        return int(self.test_mask.sum())

    @property
    def n_train(self) -> int:
        return int(len(self.test_mask) - self.test_mask.sum())

    def describe(self) -> str:
        """One line for the page and the CLI, e.g. 'temporal: latest 20% per user'."""
        p = self.params
        if self.kind == "time_cutoff":
            when = pd.to_datetime(p["cutoff"], unit="s") if p.get("has_timestamps") else p["cutoff"]
            return f"global time cutoff at {when} ({self.n_test:,} held out)"
        what = f"{p['test_count']}" if p.get("test_count") else f"{p['test_fraction']:.0%}"
        how = "latest" if self.kind == "temporal" else f"random (seed {p.get('seed')})"
        return f"{self.kind}: {how} {what} per user held out ({self.n_test:,} interactions)"

    def apply(self, dataset: Dataset) -> SplitData:
        """Train/test data of this split for ``dataset`` (which must be the one it was made on)."""
        if dataset.fingerprint != self.dataset_fingerprint or len(self.test_mask) != len(
            dataset.values
        ):
            raise DataError(
                "This split was made for a different dataset (fingerprint "
                f"{self.dataset_fingerprint}, this one is {dataset.fingerprint}); make a new "
                "split for the data loaded now."
            )
        return SplitData(dataset, self)

    # -------------------------------------------------------------- serialisation
    def to_dict(self) -> dict:
        """JSON-able form: the settings plus the held-out interactions as a packed bit mask."""
        packed = np.packbits(self.test_mask.astype(bool))
        return {
            "kind": self.kind,
            "params": dict(self.params),
            "dataset_fingerprint": self.dataset_fingerprint,
            "n_interactions": int(len(self.test_mask)),
            "n_test": self.n_test,
            "test_mask_bits": base64.b64encode(zlib.compress(packed.tobytes(), 9)).decode("ascii"),
        }

    @classmethod
    def from_dict(cls, data: dict) -> Split:
        """Inverse of :meth:`to_dict`; raises :class:`DataError` when the record is damaged."""
        try:
            n = int(data["n_interactions"])
            raw = zlib.decompress(base64.b64decode(data["test_mask_bits"]))
            mask = np.unpackbits(np.frombuffer(raw, dtype=np.uint8), count=n).astype(bool)
            split = cls(
                kind=str(data["kind"]),
                params=dict(data["params"]),
                test_mask=mask,
                dataset_fingerprint=str(data["dataset_fingerprint"]),
            )
        except (KeyError, TypeError, ValueError, zlib.error) as exc:
            raise DataError(f"The saved split is damaged ({type(exc).__name__}: {exc}).") from exc
        if len(mask) != n or ("n_test" in data and split.n_test != int(data["n_test"])):
            raise DataError("The saved split is damaged (its size does not match).")
        return split


def _n_held_out(counts: np.ndarray, fraction: float | None, count: int | None) -> np.ndarray:
    """How many interactions each user holds out: at least 1, always leaving 1 for training."""
    if count is not None:
        n = np.full_like(counts, int(count))
    else:
        # round half up, so a user with 5 interactions and 20% holds out exactly 1
        n = np.floor(counts * float(fraction) + 0.5).astype(np.int64)
    return np.clip(n, 1, np.maximum(counts - 1, 0))


def _check_fraction(fraction: float | None, count: int | None) -> None:
    if count is not None:
        if int(count) < 1:
            raise RecsysError(f"The number of held-out interactions per user must be >= 1, not {count}.")
    elif fraction is None or not 0.0 < float(fraction) < 1.0:
        raise RecsysError(f"The held-out fraction must be between 0 and 1 (exclusive), not {fraction}.")


def _per_user_tail_split(
    dataset: Dataset,
    order_key: np.ndarray,
    fraction: float | None,
    count: int | None,
    min_interactions: int,
) -> np.ndarray:
    """Hold out each eligible user's last n interactions in ``order_key`` order.

    Ties in ``order_key`` are broken by row order in the file (stable), so the split is
    deterministic.
    """
    _check_fraction(fraction, count)
    users = dataset.user_index.astype(np.int64)
    rows = np.arange(len(users))
    # the order of lexsort((rows, order_key, users)) from two plain sorts, ~40% less CPU at 25M:
    # each row's rank by (order_key, row) is unique, so users * n + rank sorts without ties
    rank = np.empty(len(users), dtype=np.int64)
    rank[np.argsort(order_key, kind="stable")] = rows
    order = np.argsort(users * len(users) + rank)
    counts = np.bincount(users, minlength=dataset.n_users)
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    sorted_users = users[order]
    position = rows - starts[sorted_users]  # position of each sorted row within its user
    n_out = _n_held_out(counts, fraction, count)
    n_out[counts < max(int(min_interactions), 2)] = 0
    held = position >= (counts - n_out)[sorted_users]
    mask = np.zeros(len(users), dtype=bool)
    mask[order[held]] = True
    return mask


def random_split(
    dataset: Dataset,
    test_fraction: float = 0.2,
    test_count: int | None = None,
    seed: int = 42,
    min_interactions: int = MIN_INTERACTIONS,
) -> Split:
    """Hold out a random share (or ``test_count``) of each user's interactions.

    Each user holds out round(fraction x n) interactions (at least 1, at most n - 1). Users
    with fewer than ``min_interactions`` (at least 2) interactions stay entirely in training
    and are not evaluated.
    """
    keys = np.random.default_rng(seed).random(dataset.n_interactions)
    mask = _per_user_tail_split(dataset, keys, test_fraction, test_count, min_interactions)
    params = {
        "test_fraction": None if test_count else float(test_fraction),
        "test_count": int(test_count) if test_count else None,
        "seed": int(seed),
        "min_interactions": int(min_interactions),
    }
    return Split("random", params, mask, dataset.fingerprint)


def temporal_split(
    dataset: Dataset,
    test_fraction: float = 0.2,
    test_count: int | None = None,
    min_interactions: int = MIN_INTERACTIONS,
) -> Split:
    """Hold out each user's latest interactions: the latest share, or the latest ``test_count``.

    Each user holds out round(fraction x n) interactions (at least 1, at most n - 1), the ones
    with the largest timestamps; equal timestamps are ordered by their row in the file (later
    row = later). Users with fewer than ``min_interactions`` (at least 2) interactions stay
    entirely in training and are not evaluated. Without timestamps "latest" means last in file.
    """
    mask = _per_user_tail_split(
        dataset, dataset.timestamps, test_fraction, test_count, min_interactions
    )
    params = {
        "test_fraction": None if test_count else float(test_fraction),
        "test_count": int(test_count) if test_count else None,
        "min_interactions": int(min_interactions),
    }
    return Split("temporal", params, mask, dataset.fingerprint)


def time_cutoff_split(
    dataset: Dataset, cutoff: int | None = None, test_fraction: float = 0.2
) -> Split:
    """Hold out every interaction at or after one global time ``cutoff`` (seconds).

    Without ``cutoff``, the cutoff is the timestamp before which (1 - ``test_fraction``) of the
    interactions happened. Users with no interaction before the cutoff cannot be scored (no
    history): their held-out interactions stay in the test part but they are not evaluated.
    """
    ts = dataset.timestamps
    if cutoff is None:
        _check_fraction(test_fraction, None)
        cutoff = int(np.quantile(ts, 1.0 - float(test_fraction), method="higher"))
    mask = ts >= int(cutoff)
    if mask.all() or not mask.any():
        raise RecsysError(
            f"The time cutoff {cutoff} puts all interactions on one side; choose a time "
            "between the first and the last interaction."
        )
    params = {
        "cutoff": int(cutoff),
        "test_fraction": float(test_fraction),
        "has_timestamps": bool(dataset.has_timestamps),
    }
    return Split("time_cutoff", params, mask, dataset.fingerprint)


TIME_SPLITS = ("temporal", "time_cutoff")
NO_TIME_REASON = (
    "This data has no time column, so 'latest' would only mean 'last in the file': the "
    "temporal and time-cutoff splits are off and a random split is used."
)


def default_split_kind(dataset: Dataset) -> str:
    """The split to use when none is chosen: temporal with real times, random without.

    Without timestamps the "time" of an interaction is its row in the file, and holding out the
    last rows of each user measures the file's order, not what users did next.
    """
    return "temporal" if dataset.has_timestamps else "random"


def split_unavailable_reason(dataset: Dataset, kind: str) -> str | None:
    """Why ``kind`` is not offered for ``dataset`` (None when it is)."""
    if kind in TIME_SPLITS and not dataset.has_timestamps:
        return NO_TIME_REASON
    return None


def available_split_kinds(dataset: Dataset) -> list[str]:
    """Split kinds that make sense for ``dataset``, the default first."""
    first = default_split_kind(dataset)
    rest = [k for k in SPLIT_KINDS if k != first and split_unavailable_reason(dataset, k) is None]
    return [first, *rest]


def make_split(dataset: Dataset, kind: str | None = None, **params: Any) -> Split:
    """Dispatch to the split called ``kind`` ("random", "temporal", "time_cutoff").

    Without ``kind``, :func:`default_split_kind` chooses (random when there are no times).
    """
    if kind is None:
        kind = default_split_kind(dataset)
    makers = {"random": random_split, "temporal": temporal_split, "time_cutoff": time_cutoff_split}
    if kind not in makers:
        raise RecsysError(f"Unknown split {kind!r}; choose one of {', '.join(makers)}.")
    return makers[kind](dataset, **params)


class SplitData:
    """Train and test views of a dataset under one :class:`Split`, shared by every model."""

    def __init__(self, dataset: Dataset, split: Split) -> None:
        self.dataset = dataset
        self.split = split
        self.train = dataset.with_interactions(~split.test_mask, name=f"{dataset.name} (train)")
        self.test = dataset.with_interactions(split.test_mask, name=f"{dataset.name} (test)")

    @cached_property
    def train_matrix(self) -> sp.csr_matrix:
        return self.train.matrix

    @cached_property
    def test_items(self) -> sp.csr_matrix:
        """Binary users x items matrix of test items, minus each user's training items."""
        test = self.test.matrix.copy()
        test.data[:] = 1.0
        seen = self.train_matrix.copy()
        seen.data[:] = 1.0
        out = (test - test.multiply(seen)).tocsr()
        out.eliminate_zeros()
        return out

    @cached_property
    def eval_users(self) -> np.ndarray:
        """Users evaluated: at least one test item and at least one training interaction."""
        n_test = np.diff(self.test_items.indptr)
        return np.flatnonzero((n_test > 0) & (self.train.user_activity > 0))

    @cached_property
    def train_popularity(self) -> np.ndarray:
        """Training users per item."""
        return self.train.item_popularity

    @cached_property
    def n_train_users(self) -> int:
        return int((self.train.user_activity > 0).sum())


# ====================================================================== metrics
@dataclass
class ModelResult:
    """Metrics of one model on one split."""

    name: str
    key: str
    params: dict
    metrics: dict[str, float]
    per_user: pd.DataFrame
    fit_seconds: float | None = None
    eval_seconds: float = 0.0
    extra: dict = field(default_factory=dict)


def _ideal_dcg(k: int) -> np.ndarray:
    """idcg[n] = DCG of n hits at the top, for n = 0..k."""
    return np.concatenate([[0.0], np.cumsum(1.0 / np.log2(np.arange(2, k + 2)))])




def ranking_metrics(hits: np.ndarray, n_relevant: np.ndarray, k: int) -> dict[str, np.ndarray]:
    """Per-user ranking metrics from a users x K boolean hit matrix.

    Parameters
    ----------
    hits : np.ndarray
        ``hits[u, r]`` is True when the item at rank r + 1 for user u is one of their test items.
    n_relevant : np.ndarray
        |test items| per user (>= 1).
    k : int
        The cutoff K (``hits`` has K columns; shorter lists are padded with False).

    Returns
    -------
    dict of per-user arrays: hits, precision, recall, ndcg, ap, hit, rr. See
    :data:`METRIC_DEFINITIONS`.
    """
    hits = np.asarray(hits, dtype=bool)
    n_rel = np.asarray(n_relevant, dtype=np.int64)
    if hits.shape[1] < k:
        hits = np.pad(hits, ((0, 0), (0, k - hits.shape[1])))
    h = hits.astype(np.float64)
    n_hits = h.sum(axis=1)
    ranks = np.arange(1, k + 1, dtype=np.float64)
    denom = np.minimum(k, n_rel).astype(np.float64)
    dcg = (h / np.log2(ranks + 1.0)).sum(axis=1)
    idcg = _ideal_dcg(k)[np.minimum(k, n_rel)]
    ap = (h * np.cumsum(h, axis=1) / ranks).sum(axis=1) / denom
    first = np.where(hits.any(axis=1), hits.argmax(axis=1) + 1, 0)
    return {
        "hits": n_hits.astype(np.int64),
        "precision": n_hits / k,
        "recall": n_hits / n_rel,
        "precision_min": n_hits / denom,
        "ndcg": dcg / idcg,
        "ap": ap,
        "hit": (n_hits > 0).astype(np.float64),
        "rr": np.where(first > 0, 1.0 / np.maximum(first, 1), 0.0),
    }


def activity_bucket(n_train: np.ndarray) -> np.ndarray:
    """Bucket label ("< 20", "20-100", "> 100") of each user's number of training interactions."""
    out = np.empty(len(n_train), dtype=object)
    for label, lo, hi in ACTIVITY_BUCKETS:
        out[(n_train >= lo) & (n_train < hi)] = label
    return out


def _batch_size(n_items: int, batch_size: int | None) -> int:
    if batch_size:
        return int(batch_size)
    return max(1, min(4096, BATCH_CELLS // max(n_items, 1)))


# Above this many test users, the page and the CLI evaluate a seeded sample of them (and say so):
# at MovieLens-25M size scoring all ~160k users would take minutes more for the same ranking.
MAX_TEST_USERS = 10_000


def sample_note(extra: dict | None) -> str | None:
    """'10,000 of 162,000 test users, sampled with seed 0' when a result was sampled, else None."""
    if not extra or "users_sampled" not in extra:
        return None
    return (
        f"{extra['users_sampled']:,} of {extra['users_total']:,} test users, sampled with seed "
        f"{extra.get('sample_seed', 0)}"
    )


def evaluate_model(
    model: Any,
    data: SplitData,
    k: int = DEFAULT_K,
    name: str | None = None,
    candidates: str = "train",
    batch_size: int | None = None,
    progress: Progress | None = None,
    max_test_users: int | None = None,
    sample_seed: int = 0,
) -> ModelResult:
    """Score every evaluated user of ``data`` with ``model`` and compute metrics at ``k``.

    Parameters
    ----------
    model : Recommender
        A model fitted on ``data.train`` (any object with ``score_users(user_indices)``
        returning a users x items array works).
    data : SplitData
        The split's train/test data.
    k : int
        Length of the recommendation list.
    candidates : {"train", "all"}
        Rank only items with a training interaction (default) or every item.
    progress : callable, optional
        ``progress(users_done, users_total, info)`` after each batch of users.
    max_test_users : int, optional
        Evaluate a seeded random sample of this many test users when there are more (large
        data); ``result.extra`` then records ``users_sampled``, ``users_total`` and
        ``sample_seed`` so a page can say so. ``None`` evaluates every test user.
    sample_seed : int
        Seed of that sample (the same seed gives the same users).

    Returns
    -------
    ModelResult with the mean metrics (see :data:`METRIC_DEFINITIONS`) and a per-user frame.
    """
    k = int(k)
    if k < 1:
        raise RecsysError(f"K must be at least 1, not {k}.")
    if candidates not in ("train", "all"):
        raise RecsysError(f"candidates must be 'train' or 'all', not {candidates!r}")
    start = time.perf_counter()
    users = data.eval_users
    if len(users) == 0:
        raise RecsysError(
            "No user can be evaluated: nobody has both training and held-out interactions. "
            "Use a larger held-out share or a split that keeps history for each user."
        )
    extra: dict = {}
    if max_test_users is not None and len(users) > int(max_test_users):
        if int(max_test_users) < 1:
            raise RecsysError(f"max_test_users must be at least 1, not {max_test_users}.")
        rng = np.random.default_rng(sample_seed)
        extra = {"users_sampled": int(max_test_users), "users_total": int(len(users))}
        extra["sample_seed"] = int(sample_seed)
        users = np.sort(rng.choice(users, int(max_test_users), replace=False))
    n_items = data.dataset.n_items
    pop = data.train_popularity
    blocked = pop == 0 if candidates == "train" else np.zeros(n_items, dtype=bool)
    n_candidates = int((~blocked).sum())
    k_eff = min(k, n_items)
    train_m, test_m = data.train_matrix, data.test_items
    all_hits = np.zeros((len(users), k), dtype=bool)
    recs = np.full((len(users), k), -1, dtype=np.int64)
    step = _batch_size(n_items, batch_size)
    for lo in range(0, len(users), step):
        batch = users[lo : lo + step]
        scores = np.asarray(model.score_users(batch), dtype=np.float32)
        if scores.base is not None or not scores.flags.writeable or not scores.flags.c_contiguous:
            scores = np.array(scores, dtype=np.float32, order="C")  # never edit the model's array
        if scores.shape != (len(batch), n_items):
            raise RecsysError(
                f"{name or model!s} returned scores of shape {scores.shape}, expected "
                f"{(len(batch), n_items)}: it was trained on different data."
            )
        tr = train_m[batch]
        scores[np.repeat(np.arange(len(batch)), np.diff(tr.indptr)), tr.indices] = -np.inf
        scores[:, blocked] = -np.inf
        top = top_k_rows(scores, k_eff)
        valid = np.isfinite(np.take_along_axis(scores, top, axis=1))
        relevant = test_m[batch].toarray().astype(bool)
        hit = np.take_along_axis(relevant, top, axis=1) & valid
        all_hits[lo : lo + len(batch), :k_eff] = hit
        recs[lo : lo + len(batch), :k_eff] = np.where(valid, top, -1)
        if progress is not None:
            done = min(lo + step, len(users))
            progress(
                done, len(users), {"message": f"{name or 'model'}: {done:,} of {len(users):,} users"}
            )
    n_rel = np.diff(test_m.indptr)[users]
    per = ranking_metrics(all_hits, n_rel, k)
    n_train = data.train.user_activity[users]
    # beyond accuracy: coverage, novelty, popularity of what is recommended
    rec_valid = recs >= 0
    rec_items = recs[rec_valid]
    n_train_users = max(data.n_train_users, 1)
    self_info = -np.log2(np.maximum(pop, 1) / n_train_users)
    with np.errstate(invalid="ignore", divide="ignore"):
        n_rec = rec_valid.sum(axis=1)
        user_novelty = np.where(rec_valid, self_info[np.maximum(recs, 0)], 0).sum(1) / n_rec
        user_pop = np.where(rec_valid, pop[np.maximum(recs, 0)], 0).sum(1) / n_rec
    per_user = pd.DataFrame(
        {
            "user_index": users,
            "user": data.dataset.user_ids.to_external(users),
            "n_train": n_train,
            "n_test": n_rel,
            "bucket": activity_bucket(n_train),
            **{m: per[m] for m in ("hits", "precision", "recall", "ndcg", "ap", "hit", "rr")},
            "novelty": user_novelty,
            "avg_popularity": user_pop,
        }
    )
    metrics = {
        "precision": float(per["precision"].mean()),
        "recall": float(per["recall"].mean()),
        "ndcg": float(per["ndcg"].mean()),
        "map": float(per["ap"].mean()),
        "hit_rate": float(per["hit"].mean()),
        "mrr": float(per["rr"].mean()),
        "coverage": float(len(np.unique(rec_items)) / max(n_candidates, 1)),
        "novelty": float(self_info[rec_items].mean()) if len(rec_items) else float("nan"),
        "avg_popularity": float(pop[rec_items].mean()) if len(rec_items) else float("nan"),
        "precision_min": float(per["precision_min"].mean()),
        "pooled_precision": float(per["hits"].sum() / np.minimum(k, n_rel).sum()),
        "users": int(len(users)),
    }
    metrics.update(rating_errors(model, data))
    return ModelResult(
        name=name or getattr(model, "label", "") or type(model).__name__,
        key=getattr(model, "key", ""),
        params=dict(model.get_params()) if hasattr(model, "get_params") else {},
        metrics=metrics,
        per_user=per_user,
        fit_seconds=getattr(model, "fit_seconds_", None),
        eval_seconds=time.perf_counter() - start,
        extra=extra,
    )


def is_rating_model(model: Any) -> bool:
    """True for models that predict ratings (they have a ``predict`` method, e.g. biased MF)."""
    return callable(getattr(model, "predict", None))


def rating_errors(model: Any, data: SplitData, batch_size: int | None = None) -> dict[str, float]:
    """RMSE and MAE on held-out ratings, for explicit data and rating models.

    Predictions are the model's scores (global mean + biases + dot product) clipped to the
    rating scale, for every held-out interaction whose user and item have training data
    (nothing can be predicted for the others). Returns {} for implicit data or ranking models.
    """
    if data.dataset.feedback != FEEDBACK_EXPLICIT or not is_rating_model(model):
        return {}
    test = data.test
    known = (data.train.user_activity[test.user_index] > 0) & (
        data.train_popularity[test.item_index] > 0
    )
    if not known.any():
        return {}
    users = test.user_index[known].astype(np.int64)
    items = test.item_index[known].astype(np.int64)
    truth = test.values[known].astype(np.float64)
    pred = np.empty(len(users), dtype=np.float64)
    unique, inverse = np.unique(users, return_inverse=True)
    step = _batch_size(data.dataset.n_items, batch_size)
    for lo in range(0, len(unique), step):
        batch = unique[lo : lo + step]
        scores = np.asarray(model.score_users(batch), dtype=np.float64)
        rows = np.flatnonzero((inverse >= lo) & (inverse < lo + len(batch)))
        pred[rows] = scores[inverse[rows] - lo, items[rows]]
    scale = getattr(model, "rating_scale_", None) or data.dataset.rating_scale
    if scale is not None:
        pred = np.clip(pred, scale[0], scale[1])
    err = pred - truth
    return {"rmse": float(np.sqrt(np.mean(err**2))), "mae": float(np.mean(np.abs(err)))}


def bucket_table(per_user: pd.DataFrame, metric: str = "ndcg") -> pd.DataFrame:
    """Mean ``metric`` and number of users per activity bucket (the sparsity question)."""
    labels = [b[0] for b in ACTIVITY_BUCKETS]
    grouped = per_user.groupby("bucket", observed=False)[metric].agg(["mean", "count"])
    grouped = grouped.reindex(labels)
    grouped["count"] = grouped["count"].fillna(0).astype(int)
    return grouped.rename(columns={"mean": metric, "count": "users"}).rename_axis("train interactions")
