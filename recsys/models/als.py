"""ALS for implicit feedback (Hu, Koren & Volinsky 2008) through the ``implicit`` library."""

from __future__ import annotations

import numpy as np
import pandas as pd
import scipy.linalg

from recsys.data.dataset import Dataset
from recsys.models._threads import single_threaded_blas
from recsys.models.base import Param, Progress, Recommender


class ALS(Recommender):
    """Weighted matrix factorisation by alternating least squares.

    Every observed interaction is a positive with confidence ``alpha * value`` (as implicit uses it); every
    unobserved cell is a weak negative. Scores are ``u . v``. The factors are implicit's own
    (float32), so implicit's explanations can be recomputed exactly from ``item_factors_``,
    ``user_items_``, ``alpha`` and ``regularization`` (see :meth:`history_contributions`).
    """

    key = "als"
    label = "ALS (implicit feedback)"
    description = (
        "Alternating least squares on the interaction matrix, treating every interaction as a "
        "positive with a confidence weight and everything else as a weak negative. Fast and a "
        "solid default for clicks, plays and ratings alike."
    )
    PARAMS = {
        "factors": Param(
            32, "Embedding size: number of latent factors per user and item.", min=1, max=1024
        ),
        "iterations": Param(
            15, "Alternating passes over users and items; 10-20 is usually enough.", min=1, max=200
        ),
        "regularization": Param(
            0.05,
            "L2 penalty on the factors. Larger values give smoother, more popularity-driven "
            "embeddings; smaller values fit the data more closely.",
            min=0.0,
            max=100.0,
            log=True,
        ),
        "alpha": Param(
            2.0,
            "Confidence scaling: an interaction with value r counts with confidence alpha * r. "
            "Raise it (10-40) for sparse click data, keep it low for ratings.",
            min=0.01,
            max=1000.0,
            log=True,
        ),
        "binarize": Param(
            True,
            "Treat every interaction as value 1 (ignore ratings/counts) before applying alpha.",
        ),
        "seed": Param(
            42, "Random seed of the initial factors; the same seed gives the same factors.", min=0
        ),
        "threads": Param(
            1,
            "CPU threads of the solver; 0 uses every core. One thread leaves the other cores to "
            "other users of the app and is faster on a busy machine (threads wait on each "
            "other). The result is the same for any number of threads.",
            min=0,
            max=256,
        ),
    }

    def _fit(self, dataset: Dataset, progress: Progress) -> None:
        from implicit.cpu.als import AlternatingLeastSquares

        m = self.user_items_
        if self.binarize:
            m = m.copy()
            m.data[:] = 1.0
            self.user_items_ = m  # what implicit saw: explanations must read this matrix
        total = int(self.iterations)

        def callback(iteration: int, seconds: float, loss: float | None) -> None:
            info = {"seconds": float(seconds)}
            if loss is not None:
                info["loss"] = float(loss)
            self._report(progress, iteration + 1, total, **info)

        with single_threaded_blas():
            model = AlternatingLeastSquares(
                factors=int(self.factors),
                regularization=float(self.regularization),
                alpha=float(self.alpha),
                iterations=total,
                calculate_training_loss=True,
                random_state=int(self.seed),
                num_threads=int(self.threads),
            )
            model.fit(m, show_progress=False, callback=callback)
        self.user_factors_ = model.user_factors
        self.item_factors_ = model.item_factors

    def _fold_in_indices(self, items: np.ndarray, weights: np.ndarray) -> np.ndarray:
        """ALS's own user update for a new user: the exact least-squares solve implicit uses."""
        Y = self.item_factors_.astype(np.float64)
        conf = self.alpha * weights
        Yh = Y[items]
        A = Y.T @ Y + self.regularization * np.eye(Y.shape[1]) + Yh.T @ ((conf - 1.0)[:, None] * Yh)
        b = Yh.T @ conf
        return np.linalg.solve(A, b).astype(np.float32)

    def history_contributions(
        self, user: str, item: str, n: int = 10
    ) -> tuple[float, pd.DataFrame]:
        """implicit's ``explain``: how much each history item contributes to ``item``'s score.

        Returns ``(total, DataFrame[item, contribution])``, the top ``n`` history items by
        contribution. ``total`` is the sum over the whole history; it equals the exact
        least-squares score of the user (implicit's CG solver stops slightly earlier, so it
        differs a little from ``user_scores``). Matches implicit's ``explain`` to float32
        rounding (implicit sums in a different order).
        """
        self._check_fitted()
        u = self.user_ids_.index(user)
        i = self.item_ids_.index(item)
        Y32 = self.item_factors_
        YtY = (Y32.T @ Y32).astype(np.float64)  # float32 like implicit's cached YtY
        Y = Y32.astype(np.float64)
        row = self.user_items_[u]
        conf = (np.float32(self.alpha) * row.data.astype(np.float32)).astype(np.float64)
        items = row.indices
        Yh = Y[items]
        w = np.where(conf > 0, conf, -conf) - 1.0
        A = YtY + self.regularization * np.eye(Y.shape[1]) + Yh.T @ (w[:, None] * Yh)
        weighted = scipy.linalg.cho_solve(scipy.linalg.cho_factor(A), Y[i])
        scores = (Yh @ weighted) * conf
        scores[conf < 0] = 0.0
        order = np.argsort(-scores, kind="stable")[: max(0, int(n))]
        frame = pd.DataFrame(
            {"item": self.item_ids_.to_external(items[order]), "contribution": scores[order]}
        )
        return float(scores.sum()), frame
