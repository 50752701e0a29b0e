"""BPR: Bayesian Personalised Ranking (Rendle et al. 2009) through the ``implicit`` library."""

from __future__ import annotations

import numpy as np

from recsys.data.dataset import Dataset
from recsys.models._threads import single_threaded_blas
from recsys.models.base import Param, Progress, Recommender


class BPR(Recommender):
    """Pairwise ranking: a seen item should score above a random unseen one.

    implicit stores an item bias as an extra factor column (and a constant 1 in the user
    vectors). We strip it into ``item_bias_`` so ``item_factors_`` are pure embeddings; scores
    (``u . v + b_i``) stay identical to implicit's.

    Runs on one thread: implicit's multi-threaded BPR updates shared factors without locks
    (Hogwild), which makes results differ from run to run.
    """

    key = "bpr"
    label = "BPR (pairwise ranking)"
    description = (
        "Bayesian Personalised Ranking: learns embeddings so that items a user interacted with "
        "rank above items they did not. Ignores rating values. Slower than ALS; needs more "
        "iterations. Progress shows the share of sampled (seen, unseen) pairs ranked correctly."
    )
    PARAMS = {
        "factors": Param(
            64, "Embedding size: number of latent factors per user and item.", min=1, max=1024
        ),
        "iterations": Param(
            100, "Passes of stochastic gradient descent over all interactions.", min=1, max=2000
        ),
        "learning_rate": Param(
            0.05, "Step size of each gradient update.", min=1e-5, max=1.0, log=True
        ),
        "regularization": Param(
            0.01,
            "L2 penalty on the factors; larger values give smoother embeddings.",
            min=0.0,
            max=10.0,
            log=True,
        ),
        "seed": Param(42, "Random seed of the initial factors and the sampled negatives.", min=0),
    }

    def _fit(self, dataset: Dataset, progress: Progress) -> None:
        from implicit.cpu.bpr import BayesianPersonalizedRanking

        total = int(self.iterations)
        n_pairs = max(self.user_items_.nnz, 1)

        def callback(iteration: int, seconds: float, correct: int, skipped: int) -> None:
            sampled = max(n_pairs - skipped, 1)
            self._report(
                progress, iteration + 1, total, accuracy=correct / sampled, seconds=float(seconds)
            )

        with single_threaded_blas():
            model = BayesianPersonalizedRanking(
                factors=int(self.factors),
                learning_rate=float(self.learning_rate),
                regularization=float(self.regularization),
                iterations=total,
                random_state=int(self.seed),
                num_threads=1,
            )
            model.fit(self.user_items_, show_progress=False, callback=callback)
        k = model.item_factors.shape[1] - 1  # implicit appends the bias column last
        self.user_factors_ = np.ascontiguousarray(model.user_factors[:, :k], dtype=np.float32)
        self.item_factors_ = np.ascontiguousarray(model.item_factors[:, :k], dtype=np.float32)
        self.item_bias_ = np.ascontiguousarray(model.item_factors[:, k], dtype=np.float32)
