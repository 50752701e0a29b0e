"""A small hyperparameter grid search, scored on a validation split of the *training* data.

The test part of the outer split is never looked at: the training part is split again (same
kind of split) into a sub-train and a validation part; every grid point is trained on the
sub-train and scored on the validation part. The best setting can then be trained on the whole
training part (to compare it on the test part) or on all data (to use it in the app).
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from recsys.data.dataset import Dataset
from recsys.errors import ModelConfigError, RecsysError
from recsys.evaluation.metrics import DEFAULT_K, RANKING_METRICS, Split, evaluate_model, make_split
from recsys.models.registry import get_model_class

#: At most this many parameters and grid points (the page trains every point).
MAX_PARAMS = 3
MAX_POINTS = 64

#: ``progress(done, total, message)`` after each grid point (and during its training).
SearchProgress = Callable[[float, int, str], Any]


@dataclass
class SearchResult:
    """The table of a grid search and its best setting.

    Attributes
    ----------
    key : str
        Model kind.
    table : pd.DataFrame
        One row per grid point: the searched parameters, every ranking metric, fit seconds.
    metric : str
        The metric the best point maximises.
    best_params : dict
        ``base_params`` updated with the best grid point.
    validation : Split
        The validation split (made on the training data).
    """

    key: str
    grid: dict[str, list]
    table: pd.DataFrame
    metric: str
    k: int
    best_params: dict
    validation: Split
    base_params: dict = field(default_factory=dict)

    @property
    def best_row(self) -> pd.Series:
        return self.table.loc[self.table[self.metric].idxmax()]


def grid_points(grid: dict[str, list]) -> list[dict]:
    """Every combination of the grid's values (cartesian product), in order."""
    if not grid:
        raise ModelConfigError("Choose at least one hyperparameter to search over.")
    if len(grid) > MAX_PARAMS:
        raise ModelConfigError(f"Search over at most {MAX_PARAMS} hyperparameters at once.")
    for name, values in grid.items():
        if not list(values):
            raise ModelConfigError(f"Give at least one value for {name}.")
    names = list(grid)
    points = [dict(zip(names, combo, strict=True)) for combo in itertools.product(*grid.values())]
    if len(points) > MAX_POINTS:
        raise ModelConfigError(
            f"The grid has {len(points)} points; at most {MAX_POINTS} are allowed. Use fewer values."
        )
    return points


def parse_values(text: str, default: Any) -> list:
    """``"16, 32, 64"`` -> [16, 32, 64], cast to the type of the parameter's default."""
    out = []
    for part in str(text).replace(";", ",").split(","):
        part = part.strip()
        if not part:
            continue
        try:
            if isinstance(default, bool):
                value: Any = part.lower() in ("1", "true", "yes", "on")
            elif isinstance(default, int):
                value = int(float(part))
            elif isinstance(default, float):
                value = float(part)
            else:
                value = part
        except ValueError:
            raise ModelConfigError(f"{part!r} is not a number.") from None
        if value not in out:
            out.append(value)
    return out


def validation_split(train: Dataset, like: Split | None = None, seed: int = 42) -> Split:
    """Split the training data again, the same way as ``like`` (temporal 20% by default)."""
    if like is None or like.kind == "temporal":
        fraction = (like.params.get("test_fraction") if like else None) or 0.2
        count = like.params.get("test_count") if like else None
        return make_split(train, "temporal", test_fraction=fraction, test_count=count)
    if like.kind == "random":
        return make_split(
            train,
            "random",
            test_fraction=like.params.get("test_fraction") or 0.2,
            test_count=like.params.get("test_count"),
            seed=seed,
        )
    return make_split(train, "time_cutoff", test_fraction=like.params.get("test_fraction") or 0.2)


def grid_search(
    train: Dataset,
    key: str,
    grid: dict[str, list],
    base_params: dict | None = None,
    k: int = DEFAULT_K,
    metric: str = "ndcg",
    like: Split | None = None,
    seed: int = 42,
    progress: SearchProgress | None = None,
) -> SearchResult:
    """Train model ``key`` for every grid point on a sub-train, score on validation.

    Parameters
    ----------
    train : Dataset
        The training part of the outer split (never the test part).
    grid : dict
        Parameter name -> list of values (1-3 parameters, at most 64 points).
    base_params : dict, optional
        Fixed settings of the other parameters.
    metric : str
        Ranking metric to maximise (e.g. "ndcg", "recall").
    like : Split, optional
        The outer split; the validation split is made the same way.
    progress : callable, optional
        ``progress(done, total, message)``; ``done`` may be fractional during training.
    """
    if metric not in RANKING_METRICS:
        raise RecsysError(f"Choose a ranking metric to maximise: {', '.join(RANKING_METRICS)}.")
    klass = get_model_class(key)
    unknown = [p for p in grid if p not in klass.PARAMS]
    if unknown:
        raise ModelConfigError(f"{klass.label} has no hyperparameter(s) {unknown}.")
    points = grid_points(grid)
    base = dict(base_params or {})
    validation = validation_split(train, like, seed)
    data = validation.apply(train)
    rows = []
    for i, point in enumerate(points):
        params = {**base, **point}
        for name, value in params.items():
            params[name] = klass.PARAMS[name].validate(name, value)
        label = ", ".join(f"{n}={v}" for n, v in point.items())

        def fit_progress(step: int, total: int, info: dict, i: int = i, label: str = label) -> None:
            if progress is not None:
                progress(i + 0.9 * min(step / max(total, 1), 1.0), len(points), f"Training {label}")

        start = time.perf_counter()
        model = klass(**params).fit(data.train, fit_progress)
        fit_seconds = time.perf_counter() - start
        res = evaluate_model(model, data, k, name=label)
        rows.append({**point, **{m: res.metrics[m] for m in RANKING_METRICS}, "fit_seconds": fit_seconds})
        if progress is not None:
            progress(i + 1, len(points), f"{label}: {metric} {res.metrics[metric]:.4f}")
    table = pd.DataFrame(rows)
    # from the grid itself: a table row mixing ints and floats would turn 16 into 16.0
    best = {n: _plain(v) for n, v in points[int(np.argmax(table[metric].to_numpy()))].items()}
    return SearchResult(
        key=key,
        grid={n: list(v) for n, v in grid.items()},
        table=table,
        metric=metric,
        k=int(k),
        best_params={**base, **best},
        validation=validation,
        base_params=base,
    )


def _plain(value: Any) -> Any:
    return value.item() if isinstance(value, np.generic) else value


def train_best(
    result: SearchResult, dataset: Dataset, progress: Callable[[int, int, dict], Any] | None = None
) -> Any:
    """Train the best setting of ``result`` on ``dataset`` (the training part, or all data)."""
    model = get_model_class(result.key)(**result.best_params)
    return model.fit(dataset, progress)
