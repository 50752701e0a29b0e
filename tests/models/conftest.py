"""Shared fixtures: a small slice of the demo (fast), the full demo, and fast hyperparameters."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from recsys.data.dataset import FEEDBACK_EXPLICIT, Dataset
from recsys.data.demo import load_demo

# Hyperparameters that keep every model quick on small data (the defaults are for real use).
FAST: dict[str, dict] = {
    "als": {"factors": 16, "iterations": 5},
    "bpr": {"factors": 16, "iterations": 20},
    "svd": {"factors": 16},
    "mf": {"factors": 8, "epochs": 5},
    "item2vec": {"factors": 16, "epochs": 3},
    "spectral": {"factors": 16},
    "ease": {"factors": 16},
    "multvae": {"factors": 16, "hidden": 32, "epochs": 5},
    "popular": {},
    "random": {},
    "spark-als": {"factors": 8, "iterations": 3},  # only registered when pyspark is installed
}


@pytest.fixture(scope="session")
def demo() -> Dataset:
    return load_demo()


def subset(ds: Dataset, n_users: int, n_items: int, name: str = "demo slice") -> Dataset:
    """The demo's interactions among its first users and items, rebuilt as a new Dataset."""
    keep = (ds.user_index < n_users) & (ds.item_index < n_items)
    frame = pd.DataFrame(
        {
            "user": ds.user_ids.to_external(ds.user_index[keep]),
            "item": ds.item_ids.to_external(ds.item_index[keep]),
            "value": ds.values[keep],
            "timestamp": ds.timestamps[keep],
        }
    )
    items = ds.items.rename(columns={"item_id": "item"})
    return Dataset.from_frame(
        frame, name=name, items=items, feedback=FEEDBACK_EXPLICIT, rating_scale=(1.0, 5.0)
    )


@pytest.fixture(scope="session")
def small(demo) -> Dataset:
    ds = subset(demo, 300, 400)
    assert ds.n_users > 200 and ds.n_items > 300
    return ds


def implicit_als(ds: Dataset, **params) -> tuple[object, list[float]]:
    """implicit's own ALS fitted on ``ds.matrix`` (one BLAS thread, training loss on): the
    reference our ALS must reproduce. Returns the fitted model and its loss per iteration.

    ``params`` are implicit's (factors, iterations, alpha, regularization, random_state).
    """
    from implicit.cpu.als import AlternatingLeastSquares
    from threadpoolctl import threadpool_limits

    losses: list[float] = []
    with threadpool_limits(1, "blas"):
        bare = AlternatingLeastSquares(calculate_training_loss=True, **params)
        bare.fit(ds.matrix, show_progress=False, callback=lambda i, s, loss: losses.append(loss))
    return bare, losses


def tiny_frame(rows: list[tuple[str, str, float]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["user", "item", "value"]).assign(
        timestamp=np.arange(len(rows), dtype=np.int64)
    )
