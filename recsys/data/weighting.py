"""Confidence weights for interaction values: binary, raw, log scaling or BM25.

Implicit-feedback counts (plays, clicks, purchases) span orders of magnitude: on Last.fm one
listener's favourite artist has hundreds of thousands of plays, most pairs a few hundred. Used
raw as ALS confidence, a handful of heavy pairs decide every user's vector. The implicit
literature compresses them: Hu, Koren & Volinsky (2008) use ``log(1 + r)``; implicit's Last.fm
example weights the artist x user matrix with BM25 (``implicit.nearest_neighbours.bm25_weight``,
K1=100, B=0.8). Explicit ratings keep the current behaviour (binarised, or raw when asked).

A :class:`Weighting` is fitted on the training matrix (BM25 needs each item's total) and then
weighs both the whole matrix (:meth:`Weighting.apply`) and one history (:meth:`Weighting.row`),
with the same numbers: a training user's row weighed alone equals their row of the weighted
matrix, so a visitor's fold-in and the explanations use exactly the training weights.
Negative values (dislikes) keep their sign: the magnitude is weighed.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from recsys.errors import ModelConfigError

#: resolved weightings ("auto" is resolved at fit time into one of these)
KINDS = ("binary", "none", "log", "bm25")
CHOICES = ("auto", *KINDS)
#: BM25 settings of implicit's Last.fm example
BM25_K1 = 100.0
BM25_B = 0.8

DESCRIPTIONS = {
    "binary": "binary: every interaction counts as 1 (values ignored)",
    "none": "raw values: confidence grows linearly with the value",
    "log": "log scaling: a value r counts as log(1 + r)",
    "bm25": f"BM25 (K1={BM25_K1:g}, B={BM25_B:g}): counts saturate, heavy items are damped",
}


def has_counts(dataset) -> bool:
    """True for implicit feedback whose values vary (counts), not plain 0/1 presence."""
    if getattr(dataset, "feedback", "implicit") != "implicit":
        return False
    values = np.asarray(dataset.values)
    return len(values) > 0 and float(np.abs(values).max()) > 1.0


def resolve(weighting: str, dataset, binarize: bool = True) -> str:
    """The weighting to use on ``dataset``: "auto" gives log for counts, else binary/none."""
    if weighting not in CHOICES:
        raise ModelConfigError(f"weighting must be one of {list(CHOICES)}, not {weighting!r}")
    if weighting != "auto":
        return weighting
    if has_counts(dataset):
        return "log"
    return "binary" if binarize else "none"


def _signed(values: np.ndarray, magnitude: np.ndarray) -> np.ndarray:
    return np.where(values < 0, -magnitude, magnitude)


@dataclass
class Weighting:
    """A fitted weighting.

    Attributes
    ----------
    kind : {"binary", "none", "log", "bm25"}
    item_norm : np.ndarray or None
        BM25 only: each item's length norm ``(1 - B) + B * total / mean total`` (items are
        BM25's documents, users its terms, as in implicit's Last.fm example).
    n_items : int
    """

    kind: str
    item_norm: np.ndarray | None = None
    n_items: int = 0

    @classmethod
    def fit(cls, kind: str, matrix: sp.csr_matrix) -> Weighting:
        """Fit ``kind`` on a users x items matrix (only BM25 learns anything: item totals)."""
        if kind not in KINDS:
            raise ModelConfigError(f"weighting must be one of {list(KINDS)}, not {kind!r}")
        n_items = int(matrix.shape[1])
        if kind != "bm25":
            return cls(kind, None, n_items)
        totals = np.asarray(abs(matrix).sum(axis=0), dtype=np.float64).ravel()
        mean = totals.mean() if len(totals) and totals.mean() > 0 else 1.0
        return cls(kind, (1.0 - BM25_B) + BM25_B * totals / mean, n_items)

    @property
    def description(self) -> str:
        return DESCRIPTIONS[self.kind]

    def row(self, values, items) -> np.ndarray:
        """Weights of one history (all of a user's values and their item indices)."""
        v = np.asarray(values, dtype=np.float64)
        mag = np.abs(v)
        if self.kind == "binary":
            return np.where(v < 0, -1.0, 1.0)
        if self.kind == "none":
            return v
        if self.kind == "log":
            return _signed(v, np.log1p(mag))
        items = np.asarray(items, dtype=np.int64)
        idf = np.log(float(self.n_items)) - np.log1p(float(len(v)))
        norm = self.item_norm[items]
        return _signed(v, mag * (BM25_K1 + 1.0) / (BM25_K1 * norm + mag) * idf)

    def apply(self, matrix: sp.csr_matrix) -> sp.csr_matrix:
        """The weighted users x items matrix (float32, same sparsity)."""
        m = sp.csr_matrix(matrix, dtype=np.float64, copy=True)
        m.sort_indices()
        if self.kind == "bm25":
            lengths = np.diff(m.indptr)
            idf = np.log(float(self.n_items)) - np.log1p(lengths.astype(np.float64))
            mag = np.abs(m.data)
            w = mag * (BM25_K1 + 1.0) / (BM25_K1 * self.item_norm[m.indices] + mag)
            m.data = _signed(m.data, w * np.repeat(idf, lengths))
        else:
            m.data = self.row(m.data, m.indices)
        return m.astype(np.float32)
