"""EASE: an embarrassingly shallow linear autoencoder (Steck 2019), closed form."""

from __future__ import annotations

import numpy as np
import scipy.linalg
import scipy.linalg.lapack
import scipy.sparse as sp
from sklearn.utils.extmath import randomized_svd

from recsys.data.dataset import Dataset
from recsys.errors import ModelConfigError
from recsys.linalg import oriented
from recsys.models.base import Param, Progress, Recommender
from recsys.models.breakdown import KIND_HISTORY, ScoreBreakdown
from recsys.models.profile import Profile

#: above this many items the dense item x item inverse takes too much memory and time here
MAX_ITEMS = 20_000


class EASE(Recommender):
    """Item-item weights ``B`` with zero diagonal; a user's scores are ``x_u B``.

    ``B = I - P diag(1/diag(P))`` with ``P = (X^T X + lambda I)^-1``. With ``recency`` > 0 a
    user's row ``x_u`` weighs recent items more (``B`` is learned from the plain rows):
    ``x_uj = exp(-recency * later_uj / n_u)``, where ``later_uj`` counts the user's interactions
    after item j and ``n_u`` all of them (time decay as in Ding & Li 2005, relative to each
    user's history length). A visitor's picks count in the order given, the last as the newest.
    EASE has no
    low-dimensional vectors of its own: for the map (and similar items/users) we take a
    truncated SVD of ``B = U S V^T`` and use item vectors ``V`` and user vectors ``x_u U S``
    (so ``u . v`` approximates the score). Recommendations use the exact ``x_u B``; the
    explanation is exact too: the score is a sum over the user's history items ``x_uj B_ji``.
    """

    key = "ease"
    label = "EASE (linear autoencoder)"
    description = (
        "A closed-form item-item model: each item's score is a weighted sum of the items the "
        "user already has. Often the most accurate simple model, and its weights explain a "
        "recommendation directly. Its map vectors come from an SVD of the item-item weights. "
        f"Limited to {MAX_ITEMS:,} items (a dense item x item matrix)."
    )
    PARAMS = {
        "regularization": Param(
            250.0,
            "lambda, the L2 penalty on the item-item weights. Larger values shrink the weights "
            "towards zero and favour popular items; try 100-1000 (more for bigger data).",
            min=0.01,
            max=1e6,
            log=True,
        ),
        "binarize": Param(True, "Treat every interaction as 1 (ignore rating values)."),
        "recency": Param(
            0.0,
            "Time decay of a user's history (0 = every item counts the same). An item is weighed "
            "exp(-recency x share of the user's interactions that came after it): at 5 the "
            "newest item counts 1, one a fifth of the history back 0.37. Helps when the next "
            "items follow the latest ones (a temporal split); a visitor's last pick is the newest.",
            min=0.0,
            max=20.0,
        ),
        "factors": Param(
            64,
            "Size of the item vectors for the map, from a truncated SVD of the weights.",
            min=2,
            max=512,
        ),
        "seed": Param(42, "Random seed of the SVD that gives the map vectors.", min=0),
    }

    def _fit(self, dataset: Dataset, progress: Progress) -> None:
        n_items = len(self.item_ids_)
        if n_items > MAX_ITEMS:
            raise ModelConfigError(
                f"EASE needs a dense {n_items:,} x {n_items:,} matrix, too large here (limit "
                f"{MAX_ITEMS:,} items). Keep fewer items on the Data page (e.g. a minimum number "
                "of users per item), or pick ALS, PureSVD or the spectral embedding."
            )
        X = self.user_items_
        if self.binarize:
            X = X.copy()
            X.data[:] = 1.0
            self.user_items_ = X  # scores and explanations read this matrix
        self._report(progress, 0, 3, stage="Gram matrix")
        G = _gram(X)
        if self.recency > 0:  # B is learned from the plain rows; users score with decayed rows
            self.user_items_ = _decayed(X, dataset, float(self.recency))
        G[np.diag_indices_from(G)] += np.float32(self.regularization)
        self._report(progress, 1, 3, stage="inverse")
        P = _spd_inverse(G)  # float32 Cholesky: half the memory and time of float64
        del G
        P /= -np.diag(P)[None, :]
        P[np.diag_indices_from(P)] = 0.0
        self.B_ = P
        del P
        self._report(progress, 2, 3, stage="map vectors")
        self._set_map_vectors()
        self._report(progress, 3, 3, stage="done")

    def _set_map_vectors(self) -> None:
        k = min(int(self.factors), self.B_.shape[0] - 1)
        u, s, vt = randomized_svd(self.B_, k, n_iter=5, random_state=int(self.seed))
        u, vt = oriented(u, vt)
        self.item_factors_ = np.ascontiguousarray(vt.T, dtype=np.float32)
        self.history_map_ = np.ascontiguousarray(u * s, dtype=np.float32)
        self.user_factors_ = np.asarray(self.user_items_ @ self.history_map_, dtype=np.float32)

    fold_in_text = "exact x B scores (the map point: x U S, like a user's)"

    def inputs(self, profile: Profile) -> np.ndarray:
        """The row x_u EASE multiplies with B (1s when the model binarises; time-decayed with
        ``recency``: a training user's stored row, a visitor's picks by their order)."""
        items = np.asarray(profile.items, dtype=np.int64)
        if self.recency > 0 and profile.user_index is not None:
            row = self.user_items_[int(profile.user_index)]  # the decayed row it was scored by
            return row.toarray().ravel()[items].astype(np.float64)
        values = np.asarray(profile.values, dtype=np.float64)
        x = np.where(values < 0, -1.0, 1.0) if self.binarize else values
        if self.recency > 0:
            n = len(x)
            x = x * np.exp(-float(self.recency) * np.arange(n - 1, -1, -1) / max(n, 1))
        return x

    def fold_in(self, profile: Profile) -> np.ndarray:
        """A visitor's map vector, made exactly like a user's: x U S (scores need none: x B)."""
        self._check_fitted()
        x = self.inputs(profile).astype(np.float32)
        return (x @ self.history_map_[np.asarray(profile.items, dtype=np.int64)]).astype(np.float32)

    # scores are exact x_u B, not the SVD approximation
    def _score_rows(self, users: np.ndarray) -> np.ndarray:
        return np.asarray(self.user_items_[users] @ self.B_)

    def score_profile(self, profile: Profile) -> np.ndarray:
        self._check_fitted()
        x = self.inputs(profile)
        return x @ np.asarray(self.B_[np.asarray(profile.items, dtype=np.int64)], dtype=np.float64)

    def explain(self, profile: Profile, items: np.ndarray) -> ScoreBreakdown:
        """The score as a sum over history items: ``x_uj · B_ji`` (exact)."""
        self._check_fitted()
        items = np.asarray(items, dtype=np.int64)
        history = np.asarray(profile.items, dtype=np.int64)
        x = self.inputs(profile)
        contributions = x[:, None] * np.asarray(self.B_[np.ix_(history, items)], dtype=np.float64)
        return ScoreBreakdown(
            KIND_HISTORY,
            "EASE score written as a sum over history items: X_uj · B_ji",
            contributions,
            contributions.sum(axis=0),
            history,
            weights=x,
        )

    def _arrays(self) -> dict[str, np.ndarray]:
        return {**super()._arrays(), "B": self.B_, "history_map": self.history_map_}

    def _restore(self, arrays: dict[str, np.ndarray]) -> None:
        super()._restore(arrays)
        self.B_ = arrays["B"]
        self.history_map_ = arrays["history_map"]


def _decayed(X, dataset: Dataset, recency: float):
    """``X`` with each entry times exp(-recency * later / n): ``later`` counts the user's
    interactions after it (by time, then file row), ``n`` the user's interactions. A repeated
    (user, item) pair takes the weight of its latest occurrence."""
    users = dataset.user_index.astype(np.int64)
    items = dataset.item_index.astype(np.int64)
    rows = np.arange(len(users))
    order = np.lexsort((rows, dataset.timestamps, users))
    counts = np.bincount(users, minlength=X.shape[0])
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    position = np.empty(len(users), dtype=np.int64)
    position[order] = rows - starts[users[order]]
    later = counts[users] - 1 - position
    weight = np.exp(-recency * later / np.maximum(counts[users], 1))
    # latest occurrence of each (user, item) pair: sort by pair then weight, keep the last
    by_pair = np.lexsort((weight, items, users))
    last = np.ones(len(by_pair), dtype=bool)
    last[:-1] = (users[by_pair][1:] != users[by_pair][:-1]) | (
        items[by_pair][1:] != items[by_pair][:-1]
    )
    keep = by_pair[last]
    W = sp.csr_matrix((weight[keep], (users[keep], items[keep])), shape=X.shape, dtype=np.float64)
    W.sort_indices()
    X = X.tocsr().copy()
    X.sort_indices()
    if not (np.array_equal(W.indptr, X.indptr) and np.array_equal(W.indices, X.indices)):
        raise ModelConfigError("EASE: the interactions do not match the matrix (recency weights).")
    X.data = (X.data * W.data).astype(np.float32)
    return X


def _gram(X) -> np.ndarray:
    """X^T X as a dense float32 array (via dense BLAS when X itself fits comfortably)."""
    n_users, n_items = X.shape
    if n_users * n_items * 4 <= 512 * 2**20:
        dense = X.toarray().astype(np.float32, copy=False)
        return dense.T @ dense
    return np.asarray((X.T @ X).toarray(), dtype=np.float32)


def _spd_inverse(G: np.ndarray) -> np.ndarray:
    """Inverse of a symmetric positive definite matrix via Cholesky (LAPACK potrf + potri)."""
    c, info = scipy.linalg.lapack.spotrf(G, lower=False, overwrite_a=True)
    if info == 0:
        c, info = scipy.linalg.lapack.spotri(c, lower=False, overwrite_c=True)
    if info != 0:
        raise ModelConfigError(
            "EASE could not invert the item-item matrix (it is not positive definite in float32 "
            "precision); raise the regularization."
        )
    # potri fills only the upper triangle; mirror it block by block (no n x n index arrays)
    n, block = c.shape[0], 1024
    for start in range(0, n, block):
        stop = min(start + block, n)
        c[start:stop, :start] = c[:start, start:stop].T
        tile = c[start:stop, start:stop]
        c[start:stop, start:stop] = np.triu(tile) + np.triu(tile, 1).T
    return c
