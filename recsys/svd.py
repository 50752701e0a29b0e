"""Deterministic SVD: singular vectors with a fixed sign, so the same data gives the same factors.

Singular vectors are defined only up to sign; solvers may return either. We flip each pair so the
largest-magnitude entry of every right singular vector is positive.
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
