"""Small numeric helpers every layer shares: unit rows, exact top-k, cosine neighbours, seeded SVD.

- ``top_k`` / ``top_k_rows``: the one ranking rule of the app (score descending, ties to the lower
  index, exact at the boundary), used by Recommend, Neighbours, Evaluate and the CLI alike.
- Singular vectors are defined only up to sign; solvers may return either. We flip each pair so the
  largest-magnitude entry of every right singular vector is positive, so the same data gives the
  same factors.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from scipy.sparse.linalg import svds


def principal_signs(vt: np.ndarray) -> np.ndarray:
    """+1/-1 per row of ``vt`` that makes each row's largest-magnitude entry positive."""
    signs = np.sign(vt[np.arange(len(vt)), np.abs(vt).argmax(axis=1)])
    signs[signs == 0] = 1
    return signs


def oriented(u: np.ndarray, vt: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(u, vt)`` with each singular pair's sign fixed by :func:`principal_signs`."""
    signs = principal_signs(vt)
    return u * signs, vt * signs[:, None]


def sparse_svd(matrix: sp.spmatrix, k: int, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Top-``k`` singular triplets of a sparse matrix, largest first, seeded and sign-fixed."""
    v0 = np.random.default_rng(seed).standard_normal(min(matrix.shape))
    u, s, vt = svds(matrix, k=k, v0=v0)
    order = np.argsort(-s)
    u, vt = oriented(u[:, order], vt[order])
    return u, s[order], vt

def normalise_rows(vectors: np.ndarray, dtype: type = np.float32) -> np.ndarray:
    """Rows scaled to unit length (zero rows stay zero), as ``dtype`` (float32 by default)."""
    v = np.asarray(vectors, dtype=dtype)
    norms = np.linalg.norm(v, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return v / norms


def top_k(scores: np.ndarray, k: int) -> np.ndarray:
    """Indices of the ``k`` largest scores, best first; ties go to the lower index.

    Exact at the boundary too: every index scoring above the k-th value is kept, and among those
    equal to it the lowest indices win (``argpartition`` alone picks an arbitrary subset of a
    tie). NaN counts as -inf.
    """
    scores = np.asarray(scores)
    k = max(0, min(int(k), len(scores)))
    if k == 0:
        return np.array([], dtype=np.int64)
    if np.isnan(scores).any():
        scores = np.where(np.isnan(scores), -np.inf, scores)
    if k < len(scores):
        kth = np.partition(scores, len(scores) - k)[len(scores) - k]
        candidates = np.flatnonzero(scores >= kth)  # ascending index order
    else:
        candidates = np.arange(len(scores))
    order = np.argsort(-scores[candidates], kind="stable")  # stable: lower index first on ties
    return candidates[order[:k]].astype(np.int64)

def top_k_rows(scores: np.ndarray, k: int) -> np.ndarray:
    """Per row, the indices of the ``k`` largest scores, best first; ties -> lower index.

    NaN counts as -inf. Exact and deterministic. For speed, a threshold is taken from a
    strided sample of the columns: the k-th largest score of a sample is at most the k-th
    largest of the whole row, so every row keeps at least k candidates at or above it, and
    only those few candidates are sorted (by score, then index).
    """
    n_rows, n_cols = scores.shape
    k = min(int(k), n_cols)
    if k == 0 or n_rows == 0:
        return np.zeros((n_rows, k), dtype=np.int64)
    if np.isnan(scores).any():
        scores = np.where(np.isnan(scores), -np.inf, scores)
    step = max(1, n_cols // max(32 * k, 1024))
    sample = scores[:, ::step]
    m = sample.shape[1]
    threshold = np.partition(sample, m - k, axis=1)[:, m - k]
    flat = np.flatnonzero(scores >= threshold[:, None])
    rows, cols = np.divmod(flat, n_cols)
    vals = scores.reshape(-1)[flat]
    order = np.lexsort((cols, -vals, rows))
    cols = cols[order]
    starts = np.searchsorted(rows[order], np.arange(n_rows))
    return cols[starts[:, None] + np.arange(k)].astype(np.int64)


def cosine_neighbours(unit_vectors: np.ndarray, index: int, n: int) -> tuple[np.ndarray, np.ndarray]:
    """The ``n`` rows nearest to row ``index`` by cosine, itself excluded: (indices, cosines).

    ``unit_vectors`` are rows already scaled to unit length (:func:`normalise_rows`).
    """
    sims = unit_vectors @ unit_vectors[index]
    sims = sims.astype(np.float64)
    sims[index] = -np.inf
    top = top_k(sims, min(n, len(sims) - 1))
    return top, sims[top]
