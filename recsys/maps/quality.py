"""What a map means on a real catalogue: support of each point, and metadata coherence.

*Support*: an item's vector rests on its interactions. Items with one or two listeners (most of
a music catalogue's long tail) get vectors that are mostly noise, yet they fill the map. A map
therefore shows by default the points with at least a floor of interactions, chosen from the
data (:func:`support_floor`), and says how many it leaves out.

*Metadata coherence*: the share of each item's ``k`` nearest neighbours **on the map** that carry
its main category (or tag), against the same share for random pairs; their ratio is the *lift*
(1 = the map knows nothing about categories). An item's main label is its most specific category
(the least common one in the catalogue: category lists are unordered, and "Drama" says less than
"Film-Noir"), or, without categories, its most applied tag (tag lists are ordered by use).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import numpy as np

from recsys.errors import ModelConfigError
from recsys.maps.projection import Faithfulness, faithfulness, knn_indices

#: items (users) with fewer interactions than this are "low support" by default. Measured on
#: ml-latest-small with ALS defaults (benchmarks/bench_map_quality.py): the genre coherence of
#: the item map rises with the floor (lift 1.77 at 5, 1.99 at 10, 2.07 at 15, 2.13 at 20) while
#: the demo, which has no long tail, keeps 97% of its items at 15
MIN_SUPPORT = {"items": 15, "users": 10}
#: the floor is lowered when fewer points than this would remain
MIN_SHOWN = 300


@dataclass
class Support:
    """Which points of a map have enough interactions behind their vectors.

    Attributes
    ----------
    counts : np.ndarray
        Interactions per point.
    floor : int
        Points with at least this many interactions are "supported".
    what : str
        "items" or "users" (for sentences).
    """

    counts: np.ndarray
    floor: int
    what: str = "items"

    @property
    def mask(self) -> np.ndarray:
        return np.asarray(self.counts) >= self.floor

    @property
    def n_supported(self) -> int:
        return int(self.mask.sum())

    @property
    def n(self) -> int:
        return len(self.counts)

    @property
    def complete(self) -> bool:
        return self.n_supported == self.n

    def note(self, showing_all: bool) -> str:
        """One sentence for the page: what is shown and why."""
        low = self.n - self.n_supported
        if self.complete:
            return (
                f"All {self.n:,} {self.what} have at least {self.floor} interactions, so every "
                "vector rests on enough data."
            )
        if showing_all:
            return (
                f"Showing all {self.n:,} {self.what}; the {low:,} with fewer than {self.floor} "
                "interactions are drawn small and faint: their vectors rest on too little data "
                "to place them reliably."
            )
        return (
            f"Showing the {self.n_supported:,} of {self.n:,} {self.what} with at least "
            f"{self.floor} interactions, whose vectors the model can vouch for; {low:,} "
            f"{self.what} with fewer are left out. Tick \u201cshow all\u201d to see them."
        )


def support_floor(
    counts: np.ndarray, min_support: int = MIN_SUPPORT["items"], min_shown: int = MIN_SHOWN
) -> int:
    """The interaction floor of a map: ``min_support``, lowered only to keep ``min_shown`` points.

    Every point is kept when the data has no long tail below the floor (users of MovieLens,
    who all have 20+ ratings).
    """
    c = np.asarray(counts)
    if len(c) == 0:
        return 1
    keep = min(len(c), int(min_shown))
    kth = int(np.sort(c)[::-1][keep - 1])  # the count of the keep-th best supported point
    return int(max(1, min(int(min_support), kth)))


def support_of(counts: np.ndarray | None, what: str = "items", floor: int | None = None) -> Support:
    """A :class:`Support` for ``counts`` (None, e.g. imported embeddings: everything supported)."""
    if counts is None:
        return Support(np.ones(0, dtype=np.int64), 1, what)
    c = np.asarray(counts, dtype=np.int64)
    if floor is None:
        floor = support_floor(c, MIN_SUPPORT.get(what, MIN_SUPPORT["items"]))
    return Support(c, int(floor), what)


# ---------------------------------------------------------------------- coherence
def main_labels(categories: list[list[str]], tags: list[list[str]] | None = None) -> tuple:
    """(main label per item or None, label sets per item, "category"/"tag"/None).

    Categories when any item has one (each item's least common category), else tags (each
    item's first, i.e. most applied, tag).
    """
    cats = [list(c) for c in categories]
    if any(cats):
        freq = Counter(c for cs in cats for c in set(cs))
        main = [min(cs, key=lambda c: (freq[c], c)) if cs else None for cs in cats]
        return np.asarray(main, dtype=object), [set(cs) for cs in cats], "category"
    tag_lists = [list(t) for t in (tags or [])]
    if any(tag_lists):
        main = [t[0] if t else None for t in tag_lists]
        return np.asarray(main, dtype=object), [set(t) for t in tag_lists], "tag"
    return np.full(len(cats), None, dtype=object), [set() for _ in cats], None


@dataclass
class Coherence:
    """Metadata coherence of a map.

    Attributes
    ----------
    share : float
        Mean share of a labelled item's ``k`` map neighbours that carry its main label.
    baseline : float
        The same share for random pairs (expected value, computed exactly).
    lift : float
        share / baseline (NaN without labels).
    k : int
    n_labelled : int
        Items with a main label (the ones averaged over).
    label : str or None
        "category" or "tag".
    """

    share: float
    baseline: float
    lift: float
    k: int
    n_labelled: int
    label: str | None

    NOTE = (
        "Metadata coherence: share of each item's k nearest items on the map that share its main "
        "{label}, against random pairs (lift; 1 = the map ignores {plural})."
    )

    @property
    def note(self) -> str:
        label = self.label or "category"
        return self.NOTE.format(label=label, plural="tags" if label == "tag" else "categories")


def metadata_coherence(
    coords: np.ndarray,
    categories: list[list[str]],
    tags: list[list[str]] | None = None,
    k: int = 10,
) -> Coherence:
    """Coherence of a map with the items' categories (or tags); see the module docstring."""
    c = np.asarray(coords, dtype=np.float32)
    n = len(c)
    if n != len(categories):
        raise ModelConfigError(f"{n} map points but {len(categories)} rows of metadata.")
    main, sets, label = main_labels(categories, tags)
    labelled = np.flatnonzero(np.asarray([m is not None for m in main]))
    if label is None or len(labelled) == 0 or n < 3:
        return Coherence(float("nan"), float("nan"), float("nan"), k, 0, label)
    k = int(min(k, n - 1))
    nn = knn_indices(c, k, "euclidean")
    has = Counter(t for s in sets for t in s)
    shares = np.empty(len(labelled))
    base = np.empty(len(labelled))
    for row, i in enumerate(labelled):
        shares[row] = sum(main[i] in sets[j] for j in nn[i]) / k
        base[row] = (has[main[i]] - 1) / (n - 1)
    share, baseline = float(shares.mean()), float(base.mean())
    lift = share / baseline if baseline > 0 else float("nan")
    return Coherence(share, baseline, lift, k, len(labelled), label)


# ---------------------------------------------------------------------- both, for a page
@dataclass
class MapQuality:
    """What the Map page's quality panel shows: faithfulness, and coherence for item maps."""

    faithfulness: Faithfulness
    coherence: Coherence | None = None


def map_quality(
    vectors: np.ndarray,
    coords: np.ndarray,
    k: int = 10,
    metric: str = "cosine",
    categories: list[list[str]] | None = None,
    tags: list[list[str]] | None = None,
    high_knn: np.ndarray | None = None,
) -> MapQuality:
    """Faithfulness of a map of ``vectors`` and, given the points' ``categories`` (items), its
    metadata coherence: one call, so a background worker can compute both (:mod:`.background`).
    """
    faith = faithfulness(vectors, coords, k=k, metric=metric, high_knn=high_knn)
    coh = None if categories is None else metadata_coherence(coords, categories, tags, k=k)
    return MapQuality(faith, coh)
