"""EASE: an embarrassingly shallow linear autoencoder (Steck 2019), closed form."""

from __future__ import annotations

import numpy as np
import scipy.linalg
import scipy.linalg.lapack
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

    ``B = I - P diag(1/diag(P))`` with ``P = (X^T X + lambda I)^-1``. EASE has no
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
        """The row x_u EASE multiplies with B (1s when the model binarises)."""
        values = np.asarray(profile.values, dtype=np.float64)
        return np.where(values < 0, -1.0, 1.0) if self.binarize else values

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
