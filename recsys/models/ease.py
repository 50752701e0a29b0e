"""EASE: an embarrassingly shallow linear autoencoder (Steck 2019), closed form."""

from __future__ import annotations

import numpy as np
import pandas as pd
import scipy.linalg
import scipy.linalg.lapack
from sklearn.utils.extmath import randomized_svd

from recsys.data.dataset import Dataset
from recsys.errors import ModelConfigError
from recsys.models.base import Param, Progress, Recommender
from recsys.svd import oriented

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

    def _fold_in_indices(self, items: np.ndarray, weights: np.ndarray) -> np.ndarray:
        """A visitor's map vector, made exactly like a user's: x U S."""
        return (weights.astype(np.float32) @ self.history_map_[items]).astype(np.float32)

    # scores are exact x_u B, not the SVD approximation
    def _score_rows(self, users: np.ndarray) -> np.ndarray:
        return np.asarray(self.user_items_[users] @ self.B_)

    def _score_profile(self, items: np.ndarray, weights: np.ndarray) -> np.ndarray:
        return (weights.astype(np.float32) @ self.B_[items]).astype(np.float32)

    def explain(self, user: str, item: str, n: int = 10) -> pd.DataFrame:
        """The score of ``item`` as a sum over the user's history: ``x_uj * B[j, item]``.

        Returns DataFrame[term, user_value, item_value, contribution, share] with terms
        "because of <item id>" (top ``n`` by absolute contribution); over the whole history
        the contributions sum to the score exactly.
        """
        total, frame = self.history_contributions(user, item, n)
        return pd.DataFrame(
            {
                "term": [f"because of {i}" for i in frame["item"]],
                "user_value": frame["user_value"].to_numpy(),
                "item_value": frame["weight"].to_numpy(),
                "contribution": frame["contribution"].to_numpy(),
                "share": frame["contribution"].to_numpy() / total if total else np.nan,
            }
        )

    def history_contributions(
        self, user: str, item: str, n: int = 10
    ) -> tuple[float, pd.DataFrame]:
        """(score, DataFrame[item, user_value, weight, contribution]) over the user's history."""
        self._check_fitted()
        u = self.user_ids_.index(user)
        i = self.item_ids_.index(item)
        row = self.user_items_[u]
        weights = self.B_[row.indices, i].astype(np.float64)
        contrib = row.data.astype(np.float64) * weights
        order = np.argsort(-np.abs(contrib), kind="stable")[: max(0, int(n))]
        frame = pd.DataFrame(
            {
                "item": self.item_ids_.to_external(row.indices[order]),
                "user_value": row.data[order].astype(np.float64),
                "weight": weights[order],
                "contribution": contrib[order],
            }
        )
        return float(contrib.sum()), frame

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
