"""Compare several models on one split: train each on the training part, evaluate, rank.

The popularity and random baselines are always added, so every figure is read next to them.
A model saved in the workspace is used as it is only when it was trained on exactly this
split's training data (same fingerprint); otherwise it has seen held-out interactions, and its
settings are re-trained on the training part instead (:attr:`ModelSpec.saved`).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

import numpy as np
import pandas as pd

from recsys.data.dataset import Dataset
from recsys.errors import ModelConfigError, RecsysError
from recsys.evaluation.metrics import (
    BEYOND_ACCURACY,
    DEFAULT_K,
    RANKING_METRICS,
    RATING_METRICS,
    ModelResult,
    Split,
    SplitData,
    evaluate_model,
    metric_label,
)
from recsys.models.registry import MODEL_PATHS, get_model_class
from recsys.progress import Progress, fraction_of, report_fraction

BASELINES = ("popular", "random")


@dataclass
class ModelSpec:
    """One entry of a comparison.

    Attributes
    ----------
    key : str
        Registry key ("als", "svd", ...).
    params : dict
        Hyperparameters (missing ones take their defaults).
    name : str, optional
        Display name; default is the model's label (plus the saved name when there is one).
    saved : str, optional
        Name of the saved model these settings came from.
    model : Recommender, optional
        An already fitted model; used only if it was trained on the split's training data.
    """

    key: str
    params: dict = field(default_factory=dict)
    name: str | None = None
    saved: str | None = None
    model: Any = None

    def display_name(self) -> str:
        if self.name:
            return self.name
        label = get_model_class(self.key).label
        return f"{self.saved} ({label})" if self.saved else label


def parse_model_list(text: str) -> list[ModelSpec]:
    """``"als,bpr,svd,popular"`` -> specs with default settings (unknown keys raise)."""
    keys = [k.strip().lower() for k in str(text).split(",") if k.strip()]
    if not keys:
        raise ModelConfigError(f"No models given; choose from {', '.join(MODEL_PATHS)}.")
    specs = []
    for key in dict.fromkeys(keys):  # keep order, drop repeats
        get_model_class(key)  # raises a clear error for unknown or unavailable models
        specs.append(ModelSpec(key))
    return specs


def with_baselines(specs: list[ModelSpec]) -> list[ModelSpec]:
    """``specs`` plus the popularity and random baselines (once each), baselines last."""
    have = {s.key for s in specs if not s.params}
    return list(specs) + [ModelSpec(b) for b in BASELINES if b not in have]


@dataclass
class Comparison:
    """The outcome of a comparison: one :class:`ModelResult` per model on one split."""

    dataset_name: str
    dataset_fingerprint: str
    split: Split
    k: int
    results: list[ModelResult]
    created_at: str = field(
        default_factory=lambda: datetime.now(timezone.utc).isoformat(timespec="seconds")
    )
    run_id: str = ""
    candidates: str = "train"

    def result(self, name: str) -> ModelResult:
        for r in self.results:
            if r.name == name:
                return r
        raise RecsysError(f"There is no model named {name!r} in this run.")

    def leaderboard(self) -> pd.DataFrame:
        """One row per model, best NDCG first: metrics, fit and evaluation seconds."""
        rows = []
        for r in self.results:
            row = {"model": r.name, "key": r.key}
            for m in RANKING_METRICS + BEYOND_ACCURACY + RATING_METRICS:
                row[m] = r.metrics.get(m, np.nan)
            row["fit_seconds"] = r.fit_seconds
            row["eval_seconds"] = r.eval_seconds
            row["users"] = r.metrics.get("users")
            rows.append(row)
        frame = pd.DataFrame(rows)
        if frame.empty:
            return frame
        frame = frame.sort_values("ndcg", ascending=False, kind="stable").reset_index(drop=True)
        return frame.dropna(axis=1, how="all")

    def format_leaderboard(self) -> str:
        """The leaderboard as fixed-width text (for the CLI)."""
        board = self.leaderboard()
        cols = [c for c in RANKING_METRICS + BEYOND_ACCURACY + RATING_METRICS if c in board]
        header = f"{'model':<34}" + "".join(f"{_short(c, self.k):>10}" for c in cols)
        header += f"{'fit s':>9}{'eval s':>8}"
        lines = [header, "-" * len(header)]
        for _, row in board.iterrows():
            cells = "".join(f"{_fmt(row[c]):>10}" for c in cols)
            fit = "" if pd.isna(row["fit_seconds"]) else f"{row['fit_seconds']:.2f}"
            lines.append(f"{str(row['model'])[:33]:<34}{cells}{fit:>9}{row['eval_seconds']:>8.2f}")
        return "\n".join(lines)

    def per_user(self, metric: str = "ndcg") -> pd.DataFrame:
        """Users x models table of one per-user metric (with user id, n_train, bucket)."""
        if not self.results:
            return pd.DataFrame()
        base = self.results[0].per_user[["user_index", "user", "n_train", "n_test", "bucket"]]
        out = base.copy()
        for r in self.results:
            out[r.name] = r.per_user[metric].to_numpy()
        return out


def _short(metric: str, k: int) -> str:
    short = {"avg_popularity": "avg pop", "hit_rate": f"HR@{k}", "coverage": "coverage", "novelty": "novelty"}
    return short.get(metric, metric_label(metric, k).replace("Precision", "Prec"))


def _fmt(value: Any) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    return f"{value:.1f}" if abs(value) >= 10 else f"{value:.4f}"


def head_to_head(comparison: Comparison, a: str, b: str, metric: str = "ndcg") -> pd.DataFrame:
    """Per-user comparison of models ``a`` and ``b``: difference a - b and who wins.

    Returns the users (id, n_train, n_test, bucket, a, b, diff, winner) sorted by |diff|,
    largest first; winner is ``a``, ``b`` or "tie".
    """
    table = comparison.per_user(metric)
    out = table[["user", "n_train", "n_test", "bucket"]].copy()
    out[a] = table[a].to_numpy()
    out[b] = table[b].to_numpy() if b != a else table[a].to_numpy()
    out["diff"] = out[a] - out[b]
    out["winner"] = np.where(out["diff"] > 0, a, np.where(out["diff"] < 0, b, "tie"))
    order = np.argsort(-np.abs(out["diff"].to_numpy()), kind="stable")
    return out.iloc[order].reset_index(drop=True)


def fit_or_reuse(
    spec: ModelSpec, data: SplitData, progress: Callable[[int, int, dict], Any] | None = None
) -> tuple[Any, bool]:
    """A model fitted on ``data.train``: the spec's own model when it was trained on exactly
    that data, else a new one trained with the spec's settings. Returns (model, reused)."""
    fitted = spec.model
    if fitted is not None and getattr(fitted, "dataset_fingerprint_", None) == data.train.fingerprint:
        return fitted, True
    klass = get_model_class(spec.key)
    params = dict(spec.params)
    if fitted is not None and not params:
        params = fitted.get_params()
    unknown = set(params) - set(klass.PARAMS)
    if unknown:
        raise ModelConfigError(
            f"{klass.label} has no hyperparameter(s) {sorted(unknown)}; it takes "
            f"{', '.join(sorted(klass.PARAMS)) or 'none'}."
        )
    model = klass(**params)
    return model.fit(data.train, progress), False


def run_comparison(
    dataset: Dataset,
    split: Split,
    specs: list[ModelSpec],
    k: int = DEFAULT_K,
    include_baselines: bool = True,
    candidates: str = "train",
    progress: Progress | None = None,
    max_test_users: int | None = None,
    sample_seed: int = 0,
) -> Comparison:
    """Train (or reuse) and evaluate every model of ``specs`` on ``split``.

    ``progress(step, total, info)`` (fraction-style, :mod:`recsys.progress`) is called during training (per iteration) and evaluation
    (per batch of users) of each model; the first half of each model's share is training.
    ``max_test_users``/``sample_seed``: evaluate a seeded sample of test users above that many
    (the same users for every model; see :func:`~recsys.evaluation.metrics.evaluate_model`).
    """
    data = split.apply(dataset)
    specs = with_baselines(specs) if include_baselines else list(specs)
    names: set[str] = set()
    results = []
    n = len(specs)
    for i, spec in enumerate(specs):
        name = spec.display_name()
        while name in names:  # two entries with the same label: number them
            name = f"{name} #{len(names) + 1}"
        names.add(name)

        def train_progress(step: int, total: int, info: dict, i: int = i, name: str = name) -> None:
            report_fraction(
                progress, (i + 0.5 * fraction_of(step, total)) / n, f"Training {name}: step {step}/{total}"
            )

        def eval_progress(step: int, total: int, info: dict, i: int = i, name: str = name) -> None:
            report_fraction(
                progress, (i + 0.5 + 0.5 * fraction_of(step, total)) / n, f"Evaluating {info['message']}"
            )

        start = time.perf_counter()
        model, reused = fit_or_reuse(spec, data, train_progress)
        fit_seconds = None if reused else getattr(model, "fit_seconds_", time.perf_counter() - start)
        result = evaluate_model(
            model, data, k, name=name, candidates=candidates, progress=eval_progress,
            max_test_users=max_test_users, sample_seed=sample_seed,
        )
        result.fit_seconds = fit_seconds
        result.extra = {**result.extra, "saved": spec.saved, "reused_saved_model": reused}
        results.append(result)
    report_fraction(progress, 1.0, "Done")
    return Comparison(
        dataset_name=dataset.name,
        dataset_fingerprint=dataset.fingerprint,
        split=split,
        k=int(k),
        results=results,
        candidates=candidates,
    )
