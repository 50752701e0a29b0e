"""ALS trained by Spark MLlib (implicit preferences), scored and explained locally like our ALS.

Spark does the fit: the interactions go to Spark as (user index, item index, weighted value)
rows, ``pyspark.ml.recommendation.ALS(implicitPrefs=True)`` alternates on the cluster (or in
local mode), and the factors are collected to the driver. From then on it is a normal model
of this app: saved in the workspace, mapped, recommended and explained without Spark (loading a
saved Spark model does not need pyspark).

Install: ``pip install -e ".[spark]"`` (pyspark) and Java 17 (Debian:
``apt-get install -y openjdk-17-jre-headless``). Without them the model is not offered for
training and :func:`recsys.spark_session.unavailable_reason` says how to enable it.

Hyperparameters, ours -> Spark's:

- ``factors`` -> ``rank``; ``iterations`` -> ``maxIter``; ``alpha`` -> ``alpha``;
  ``seed`` -> ``seed``; ``weighting``/``binarize`` as for our ALS, applied before Spark sees
  the values;
- ``regularization`` -> ``regParam``, but Spark scales it by the number of positive
  interactions of each user (and of each item) in that user's solve (ALS-WR, Zhou et al.
  2008): λ_u = regParam · n_u. A user with 100 interactions is regularised 100x more than in
  our ALS at the same value, so the default here is smaller.
- Confidence: Spark uses c = 1 + alpha·|r| with preference 1 for r > 0 (Hu, Koren & Volinsky's
  form); implicit's ALS writes c = alpha·r directly in the same equations. So a Spark model is
  our ALS user solve with confidence 1 + alpha·w and λ·n_u: :meth:`confidence` and
  :meth:`user_regularization` are the two hooks, and explanations (contributions summing to a
  fresh user solve) and visitor fold-in are ALS's, unchanged. Spark computes user factors last,
  so a training user's stored vector *is* that fresh solve (tested).

Where it runs: the master is ``--spark-master`` / :func:`use_master`, else
``$RECSYS_SPARK_MASTER``, else the one ``spark-submit`` gave, else ``local[2]``.
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np
import pandas as pd

from recsys.data import weighting as _weighting
from recsys.data.dataset import Dataset
from recsys.models.als import ALS
from recsys.models.base import Param, Progress
from recsys.spark_session import get_spark, is_local, quiet


# ---------------------------------------------------------------------- the model
class SparkALS(ALS):
    """ALS with implicit preferences trained by Spark MLlib; scored and explained like ALS.

    See the module docstring for the hyperparameter mapping (``factors`` -> ``rank``,
    ``iterations`` -> ``maxIter``, ``regularization`` -> ``regParam`` scaled by each user's
    count in Spark, ``alpha`` -> ``alpha``, ``seed`` -> ``seed``).
    """

    key = "spark-als"
    label = "ALS on Spark (MLlib)"
    description = (
        "The same implicit-feedback ALS trained by Spark MLlib, locally or on a cluster "
        "(recsys train --engine spark --spark-master URL). Spark scales the regularisation by "
        "each user's number of interactions (ALS-WR) and uses confidence 1 + alpha·r."
    )
    PARAMS = {
        **{k: v for k, v in ALS.PARAMS.items() if k != "threads"},
        "regularization": Param(
            0.01,
            "Spark's regParam: L2 penalty per interaction; a user with n interactions gets "
            "regParam · n (ALS-WR). Larger values give smoother, more popularity-driven "
            "embeddings.",
            min=0.0,
            max=100.0,
            log=True,
        ),
    }
    #: Spark ALS blocks in local mode. Two keeps the same seed giving the same factors: Spark
    #: sums YᵀY over blocks in the order tasks finish, exact for two terms, not for more. On a
    #: cluster Spark's default (10) is used, and factors can differ in the last bits.
    LOCAL_BLOCKS = 2

    def _fit(self, dataset: Dataset, progress: Progress) -> None:
        total = 3
        start = time.perf_counter()
        spark = get_spark()
        self._report(progress, 1, total, stage="Spark session ready", seconds=_since(start))
        from pyspark.ml.recommendation import ALS as SparkMLALS

        kind = _weighting.resolve(self.weighting, dataset, bool(self.binarize))
        self.weighting_ = _weighting.Weighting.fit(kind, self.user_items_)
        m = self.weighting_.apply(self.user_items_)
        self.user_items_ = m  # what Spark saw: explanations must read this matrix
        coo = m.tocoo()
        rows = pd.DataFrame(
            {
                "user": coo.row.astype(np.int32),
                "item": coo.col.astype(np.int32),
                "rating": coo.data.astype(np.float32),
            }
        )
        blocks = {"numUserBlocks": self.LOCAL_BLOCKS, "numItemBlocks": self.LOCAL_BLOCKS}
        als = SparkMLALS(
            rank=int(self.factors),
            maxIter=int(self.iterations),
            regParam=float(self.regularization),
            alpha=float(self.alpha),
            implicitPrefs=True,
            seed=int(self.seed),
            userCol="user",
            itemCol="item",
            ratingCol="rating",
            **(blocks if is_local() else {}),
        )
        with quiet():
            fitted = als.fit(spark.createDataFrame(rows))
        self._report(progress, 2, total, stage="fitted on Spark", seconds=_since(start))
        k = int(self.factors)
        self.user_factors_ = _collect(fitted.userFactors, m.shape[0], k)
        self.item_factors_ = _collect(fitted.itemFactors, m.shape[1], k)
        self._report(progress, 3, total, stage="factors collected", seconds=_since(start))

    # -------------------------------------------------------------- Spark's user solve
    fold_in_text = "Spark ALS's closed-form user solve (λ scaled by the history length)"

    def confidence(
        self, values: np.ndarray, items: np.ndarray | None = None, user_index: int | None = None
    ) -> np.ndarray:
        """Spark's confidence in implicit's form: 1 + alpha·w for w > 0, −(1 + alpha·|w|) else.

        Spark adds (c − 1)·y yᵀ with c − 1 = alpha·|w| and pulls towards items only when
        w > 0; the ALS solve does the same with |c| − 1 and c > 0, so c = ±(1 + alpha·|w|).
        """
        aw = super().confidence(values, items, user_index)  # alpha · w(value), signed
        return np.where(aw > 0, 1.0 + aw, -(1.0 + np.abs(aw)))

    def user_regularization(self, n_items: int) -> float:
        """Spark's ALS-WR: λ times the number of the user's interactions."""
        return float(self.regularization) * float(n_items)


def _since(start: float) -> float:
    return time.perf_counter() - start


def _collect(factors: Any, n: int, k: int) -> np.ndarray:
    """Spark's (id, features) rows as an (n, k) float32 array; ids Spark never saw stay 0."""
    with quiet():
        frame = factors.toPandas()
    out = np.zeros((n, k), dtype=np.float32)
    if len(frame):
        out[frame["id"].to_numpy(dtype=np.int64)] = np.stack(frame["features"].to_numpy())
    return out
