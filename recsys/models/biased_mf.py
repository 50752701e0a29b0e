"""Explicit-rating matrix factorisation with biases (the Netflix-prize model, Koren et al. 2009)."""

from __future__ import annotations

from typing import ClassVar

import numpy as np
from numba import njit

from recsys.data.dataset import Dataset
from recsys.errors import ModelConfigError, UnknownIdError
from recsys.models.base import Param, Progress, Recommender


@njit(cache=True, nogil=True)
def _sgd_epoch(
    users, items, ratings, order, mu, bu, bi, P, Q, lr, reg, reg_bias
):  # pragma: no cover - numba
    k = P.shape[1]
    for t in range(order.shape[0]):
        n = order[t]
        u = users[n]
        i = items[n]
        pred = mu + bu[u] + bi[i]
        for f in range(k):
            pred += P[u, f] * Q[i, f]
        err = ratings[n] - pred
        bu[u] += lr * (err - reg_bias * bu[u])
        bi[i] += lr * (err - reg_bias * bi[i])
        for f in range(k):
            pu = P[u, f]
            qi = Q[i, f]
            P[u, f] += lr * (err * qi - reg * pu)
            Q[i, f] += lr * (err * pu - reg * qi)


@njit(cache=True, nogil=True)
def _sum_squared_error(
    users, items, ratings, mu, bu, bi, P, Q, low, high
):  # pragma: no cover - numba
    """Sum of squared errors of predictions clipped to [low, high] (no n x k temporaries)."""
    k = P.shape[1]
    total = 0.0
    for n in range(ratings.shape[0]):
        u = users[n]
        i = items[n]
        pred = mu + bu[u] + bi[i]
        for f in range(k):
            pred += P[u, f] * Q[i, f]
        pred = min(max(pred, low), high)
        err = ratings[n] - pred
        total += err * err
    return total


class BiasedMF(Recommender):
    """``r_ui ~ mu + b_u + b_i + p_u . q_i`` fitted by stochastic gradient descent (numba).

    Predicts ratings (:meth:`predict`) and reports the training RMSE after every epoch. It is
    fitted on observed ratings only, so it ranks for rating prediction, not for "what will the
    user pick". The SGD runs on one thread in a seeded order, so a seed gives the same factors.
    """

    key = "mf"
    label = "Matrix factorisation with biases (ratings)"
    description = (
        "Trained for rating prediction (RMSE), not as a top-N ranker: it learns how much a user "
        "would like an item they rate, not which items they will pick, so its top-N lists can "
        "rank below the most-popular baseline (compare it by RMSE/MAE). The Netflix-prize model: "
        "a global mean plus user and item biases plus a dot product of embeddings, fitted to the "
        "rating values by stochastic gradient descent. Needs explicit ratings."
    )
    #: excluded from the "every personalised model beats most-popular at top-N" rule
    ranks_items: ClassVar[bool] = False
    PARAMS = {
        "factors": Param(
            32, "Embedding size: number of latent factors per user and item.", min=1, max=512
        ),
        "epochs": Param(
            20, "Passes of stochastic gradient descent over all ratings.", min=1, max=500
        ),
        "learning_rate": Param(
            0.01, "Step size of each gradient update.", min=1e-5, max=0.5, log=True
        ),
        "regularization": Param(
            0.05,
            "L2 penalty on the embeddings; larger values give smoother embeddings.",
            min=0.0,
            max=10.0,
            log=True,
        ),
        "bias_regularization": Param(
            0.02, "L2 penalty on the user and item biases.", min=0.0, max=10.0, log=True
        ),
        "init_std": Param(
            0.1, "Standard deviation of the random initial embeddings.", min=1e-4, max=1.0, log=True
        ),
        "seed": Param(
            42, "Random seed of the initial factors and the order of the ratings.", min=0
        ),
    }

    def _fit(self, dataset: Dataset, progress: Progress) -> None:
        coo = self.user_items_.tocoo()
        users = coo.row.astype(np.int64)
        items = coo.col.astype(np.int64)
        ratings = coo.data.astype(np.float64)
        if ratings.size == 0 or np.ptp(ratings) == 0:
            raise ModelConfigError(
                "Matrix factorisation with biases predicts rating values, but every interaction "
                "here has the same value, so there is nothing to learn. Use ALS or BPR for "
                "clicks/purchases, or load data with ratings."
            )
        rng = np.random.default_rng(self.seed)
        n_users, n_items, k = len(self.user_ids_), len(self.item_ids_), int(self.factors)
        mu = float(ratings.mean())
        bu = np.zeros(n_users)
        bi = np.zeros(n_items)
        P = rng.normal(0.0, self.init_std, (n_users, k))
        Q = rng.normal(0.0, self.init_std, (n_items, k))
        total = int(self.epochs)
        for epoch in range(total):
            order = rng.permutation(len(ratings))
            _sgd_epoch(
                users,
                items,
                ratings,
                order,
                mu,
                bu,
                bi,
                P,
                Q,
                float(self.learning_rate),
                float(self.regularization),
                float(self.bias_regularization),
            )
            sse = _sum_squared_error(users, items, ratings, mu, bu, bi, P, Q, -np.inf, np.inf)
            rmse = float(np.sqrt(sse / len(ratings)))
            if not np.isfinite(rmse):
                raise ModelConfigError(
                    "Training diverged (the error became infinite); lower the learning rate."
                )
            self._report(progress, epoch + 1, total, rmse=rmse)
        self.global_bias_ = mu
        self.user_bias_ = bu.astype(np.float32)
        self.item_bias_ = bi.astype(np.float32)
        self.user_factors_ = P.astype(np.float32)
        self.item_factors_ = Q.astype(np.float32)
        scale = dataset.rating_scale
        self.rating_scale_ = (
            (float(ratings.min()), float(ratings.max()))
            if scale is None
            else tuple(map(float, scale))
        )

    def predict(self, user: str, items: list[str], clip: bool = True) -> np.ndarray:
        """Predicted ratings of ``user`` for ``items`` (clipped to the rating scale)."""
        self._check_fitted()
        u = self.user_ids_.index(user)
        idx = self.item_ids_.indices(items)
        pred = self._score_rows(np.array([u]))[0][idx].astype(np.float64)
        return np.clip(pred, *self.rating_scale_) if clip else pred

    def rmse(self, dataset: Dataset) -> float:
        """Root mean squared error on the ratings of ``dataset`` (same ids as training)."""
        self._check_fitted()
        if dataset.user_ids != self.user_ids_ or dataset.item_ids != self.item_ids_:
            raise UnknownIdError(
                "the dataset's users/items differ from the ones the model was trained on"
            )
        sse = _sum_squared_error(
            dataset.user_index.astype(np.int64),
            dataset.item_index.astype(np.int64),
            dataset.values.astype(np.float64),
            float(self.global_bias_),
            self.user_bias_.astype(np.float64),
            self.item_bias_.astype(np.float64),
            self.user_factors_.astype(np.float64),
            self.item_factors_.astype(np.float64),
            *map(float, self.rating_scale_),
        )
        return float(np.sqrt(sse / max(dataset.n_interactions, 1)))

    def _extra_meta(self) -> dict:
        return {"rating_scale": list(self.rating_scale_)}

    def _restore_extra(self, extra: dict) -> None:
        self.rating_scale_ = tuple(extra.get("rating_scale", (-np.inf, np.inf)))
