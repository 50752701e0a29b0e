"""Clusters of the embedding vectors (not of the 2-D map), named from the catalogue's metadata.

Vectors are L2-normalised first, so Euclidean distance ranks points like cosine does. Each cluster
is named from the categories (then tags) that are most over-represented in it compared with the
whole catalogue (*lift* = share in the cluster / share in the catalogue); when items have no
metadata, from the words of their titles.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

import numpy as np
import pandas as pd

from recsys.errors import ModelConfigError
from recsys.linalg import normalise_rows

CLUSTER_METHODS = ("kmeans", "hdbscan")
NOISE = -1
NOISE_NAME = "unclustered"
#: silhouette is O(n^2): above this many points it is computed on a seeded sample
SILHOUETTE_SAMPLE = 4000
_STOPWORDS = set(
    "the a an of and or in on at to for with from by is it its this that as be are was were "
    "le la les de des du et el los las il lo der die das und ii iii iv part vol".split()
)


@dataclass
class Clustering:
    """Cluster labels and a per-cluster summary.

    Attributes
    ----------
    labels : np.ndarray
        One int per point; -1 means noise (HDBSCAN's "unclustered").
    names : dict[int, str]
        A readable name per label.
    summary : pd.DataFrame
        cluster, name, size, share, silhouette, terms (the distinctive terms with their lift).
    silhouette : float
        Mean silhouette over clustered points (NaN with fewer than two clusters).
    """

    labels: np.ndarray
    names: dict[int, str]
    summary: pd.DataFrame
    silhouette: float

    def label_names(self) -> np.ndarray:
        """The name of each point's cluster (object array)."""
        return np.asarray([self.names[int(c)] for c in self.labels], dtype=object)


def cluster_labels(
    vectors: np.ndarray,
    method: str = "kmeans",
    k: int = 12,
    min_cluster_size: int = 15,
    seed: int = 0,
) -> np.ndarray:
    """Cluster labels of ``vectors`` (normalised first): KMeans with ``k`` or HDBSCAN."""
    x = normalise_rows(vectors)
    n = x.shape[0]
    if method == "kmeans":
        if not 2 <= k <= n:
            raise ModelConfigError(f"KMeans needs 2 <= k <= {n} (the number of points), not {k}.")
        from sklearn.cluster import KMeans

        return KMeans(n_clusters=int(k), random_state=seed, n_init=4).fit_predict(x).astype(int)
    if method == "hdbscan":
        if not 2 <= min_cluster_size <= n:
            raise ModelConfigError(
                f"HDBSCAN needs 2 <= minimum cluster size <= {n}, not {min_cluster_size}."
            )
        from sklearn.cluster import HDBSCAN

        return HDBSCAN(min_cluster_size=int(min_cluster_size), copy=True).fit_predict(x).astype(int)
    raise ModelConfigError(f"Unknown clustering {method!r}; choose one of {CLUSTER_METHODS}.")


def title_words(title: str) -> list[str]:
    """Distinct lower-case words of a title (3+ letters, common words dropped)."""
    words = re.findall(r"[^\W\d_]{3,}", str(title).casefold())
    return list(dict.fromkeys(w for w in words if w not in _STOPWORDS))


def _term_sets(items: pd.DataFrame, column: str) -> list[set[str]]:
    if column == "title":
        return [set(title_words(t)) for t in items["title"]]
    if column not in items:
        return [set() for _ in range(len(items))]
    return [set(v) if isinstance(v, list | tuple | np.ndarray) else set() for v in items[column]]


def distinctive_terms(
    labels: np.ndarray, items: pd.DataFrame, column: str, min_share: float = 0.2
) -> dict[int, list[tuple[str, float, float]]]:
    """Per cluster: terms of ``column`` ranked by share x log(lift), as (term, share, lift).

    Only terms carried by at least ``min_share`` of the cluster and with lift > 1 are kept.
    """
    sets = _term_sets(items, column)
    n = len(sets)
    overall = Counter(t for s in sets for t in s)
    out: dict[int, list[tuple[str, float, float]]] = {}
    for c in np.unique(labels):
        members = np.flatnonzero(labels == c)
        counts = Counter(t for i in members for t in sets[i])
        scored = []
        for term, cnt in counts.items():
            share = cnt / len(members)
            lift = share / (overall[term] / n)
            if share >= min_share and lift > 1.0:
                scored.append((share * np.log(lift), term, share, lift))
        scored.sort(key=lambda r: (-r[0], r[1]))
        out[int(c)] = [(t, float(s), float(lf)) for _, t, s, lf in scored]
    return out


def name_clusters(labels: np.ndarray, items: pd.DataFrame) -> tuple[dict[int, str], dict[int, str]]:
    """A name per cluster and the terms behind it (with lifts), from categories, tags or titles.

    The name is up to two categories, followed by up to two tags in brackets; with no
    categories or tags, up to three title words. Clusters with nothing distinctive are named
    "cluster N"; duplicate names get a number.
    """
    labels = np.asarray(labels)
    cats = distinctive_terms(labels, items, "categories", min_share=0.3)
    tags = distinctive_terms(labels, items, "tags", min_share=0.15)
    has_meta = any(cats.values()) or any(tags.values())
    words = {} if has_meta else distinctive_terms(labels, items, "title", min_share=0.05)
    names: dict[int, str] = {}
    terms: dict[int, str] = {}
    for c in sorted(int(x) for x in np.unique(labels)):
        if c == NOISE:
            names[c], terms[c] = NOISE_NAME, ""
            continue
        top_c, top_t = cats.get(c, [])[:2], tags.get(c, [])[:2]
        if top_c:
            name = " / ".join(t for t, _, _ in top_c)
            if top_t:
                name += " (" + ", ".join(t for t, _, _ in top_t) + ")"
            used = top_c + top_t
        elif top_t:
            name, used = ", ".join(t for t, _, _ in top_t), top_t
        elif words.get(c):
            used = words[c][:3]
            name = ", ".join(t for t, _, _ in used)
        else:
            name, used = f"cluster {c}", []
        names[c] = name
        terms[c] = "; ".join(f"{t} (lift {lf:.1f}, {s:.0%})" for t, s, lf in used)
    seen: Counter = Counter()
    for c, name in list(names.items()):
        seen[name] += 1
        if seen[name] > 1:
            names[c] = f"{name} #{seen[name]}"
    return names, terms


def silhouettes(
    vectors: np.ndarray, labels: np.ndarray, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Per-point cosine silhouette for clustered points (seeded sample above 4,000 points).

    Returns (indices, values): the points evaluated and their silhouettes.
    """
    from sklearn.metrics import silhouette_samples

    idx = np.flatnonzero(labels != NOISE)
    if len(np.unique(labels[idx])) < 2 or len(idx) < 3:
        return np.array([], dtype=np.int64), np.array([], dtype=np.float32)
    if len(idx) > SILHOUETTE_SAMPLE:
        idx = np.sort(np.random.default_rng(seed).choice(idx, SILHOUETTE_SAMPLE, replace=False))
    if len(np.unique(labels[idx])) < 2:
        return np.array([], dtype=np.int64), np.array([], dtype=np.float32)
    values = silhouette_samples(normalise_rows(vectors)[idx], labels[idx], metric="cosine")
    return idx, values.astype(np.float32)


def cluster_embeddings(
    vectors: np.ndarray,
    items: pd.DataFrame,
    method: str = "kmeans",
    k: int = 12,
    min_cluster_size: int = 15,
    seed: int = 0,
) -> Clustering:
    """Cluster, name, and summarise (size, share, silhouette, distinctive terms) the vectors."""
    if len(items) != len(vectors):
        raise ModelConfigError(f"{len(vectors)} vectors but {len(items)} rows of metadata.")
    labels = cluster_labels(vectors, method, k, min_cluster_size, seed)
    names, terms = name_clusters(labels, items)
    idx, sil = silhouettes(vectors, labels, seed)
    rows = []
    for c in sorted(names):
        members = labels == c
        s = sil[labels[idx] == c] if len(idx) else np.array([])
        rows.append(
            {
                "cluster": c,
                "name": names[c],
                "size": int(members.sum()),
                "share": float(members.mean()),
                "silhouette": float(s.mean()) if len(s) and c != NOISE else np.nan,
                "terms": terms[c],
            }
        )
    summary = pd.DataFrame(rows).sort_values(["size", "cluster"], ascending=[False, True])
    return Clustering(
        labels=labels,
        names=names,
        summary=summary.reset_index(drop=True),
        silhouette=float(sil.mean()) if len(sil) else float("nan"),
    )
