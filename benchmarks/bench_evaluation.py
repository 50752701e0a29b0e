"""Evaluation benchmarks: speed of the metric loop and the ml-latest-small leaderboards.

Run: ``.venv/bin/python -m benchmarks.bench_evaluation`` (``--quick`` skips the leaderboards).

1. Evaluation time for 10,000 test users x 10,000 items at K=10 (synthetic, a random factor
   model; the time covers scoring in batches, excluding training items and the top-K).
2. The leaderboard on ml-latest-small, temporal split (latest 20% per user), every model with
   its default settings, with fit times.
3. The reference protocol of issue 6 with the reference settings, next to the peer figures.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd

from recsys.data.dataset import Dataset
from recsys.data.reference import ml_small_path
from recsys.evaluation.comparison import ModelSpec, run_comparison
from recsys.evaluation.metrics import evaluate_model, temporal_split
from recsys.models.registry import available_models

ML_SMALL = ml_small_path()

#: issue 6: NDCG@10 measured with peer libraries on the reference protocol, and their settings
REFERENCE = [
    ("Most popular", "popular", {}, 0.088),
    (
        "implicit ALS (64 f, reg 0.05, alpha 1)",
        "als",
        {"factors": 64, "regularization": 0.05, "alpha": 1.0, "binarize": True},
        0.108,
    ),
    ("PureSVD (k=20)", "svd", {"factors": 20}, 0.118),
    ("EASE (lambda 250)", "ease", {"regularization": 250.0}, 0.131),
]
TOLERANCE = 0.005


class _FactorModel:
    """Scores = U V^T, like every factor model (enough to time the evaluation loop)."""

    def __init__(self, users: np.ndarray, items: np.ndarray) -> None:
        self.user_factors_, self.item_factors_ = users, items

    def score_users(self, users: np.ndarray) -> np.ndarray:
        return self.user_factors_[users] @ self.item_factors_.T


def synthetic(
    n_users: int = 10_000, n_items: int = 10_000, per_user: int = 50, seed: int = 0
) -> Dataset:
    """Interactions with a long-tail item popularity and distinct timestamps."""
    rng = np.random.default_rng(seed)
    weights = 1.0 / np.arange(1, n_items + 1) ** 0.8
    weights /= weights.sum()
    users = np.repeat(np.arange(n_users), per_user)
    items = rng.choice(n_items, size=len(users), p=weights)
    frame = pd.DataFrame({"user": users, "item": items}).drop_duplicates()
    frame["timestamp"] = rng.permutation(len(frame))
    return Dataset.from_frame(frame, name="synthetic")


def bench_speed(k: int = 10) -> None:
    ds = synthetic()
    split = temporal_split(ds, 0.2)
    data = split.apply(ds)
    rng = np.random.default_rng(1)
    model = _FactorModel(
        rng.standard_normal((ds.n_users, 64)).astype(np.float32),
        rng.standard_normal((ds.n_items, 64)).astype(np.float32),
    )
    _ = data.test_items, data.eval_users  # build the split's matrices outside the timing
    start = time.perf_counter()
    res = evaluate_model(model, data, k)
    seconds = time.perf_counter() - start
    print(
        f"Evaluation speed: {len(data.eval_users):,} test users x {ds.n_items:,} items, K={k}, "
        f"64 factors: {seconds:.2f} s ({res.metrics['users']:,} users, NDCG {res.metrics['ndcg']:.4f})"
    )


def load_ml_small() -> Dataset | None:
    if not ML_SMALL.exists():
        print(f"ml-latest-small not found at {ML_SMALL} (set RECSYS_ML_SMALL); skipped.")
        return None
    from recsys.data import load_path

    return load_path(ML_SMALL)


def bench_leaderboard(ds: Dataset, k: int = 10) -> None:
    split = temporal_split(ds, 0.2)
    keys = [m for m in available_models() if m not in ("popular", "random")]
    print(f"\nLeaderboard on {ds.name}, {split.describe()}, K={k}, default settings:")
    comparison = run_comparison(ds, split, [ModelSpec(m) for m in keys], k=k)
    print(comparison.format_leaderboard())


def bench_reference(ds: Dataset, k: int = 10) -> list[tuple[str, float, float]]:
    split = temporal_split(ds, 0.2)
    specs = [ModelSpec(key, dict(params), name=name) for name, key, params, _ in REFERENCE]
    comparison = run_comparison(ds, split, specs, k=k, include_baselines=False)
    print(f"\nReference protocol on {ds.name} ({split.describe()}, K={k}, all ratings positive):")
    print(f"{'model':<42}{'ours':>8}{'peer':>8}{'diff':>9}  within +-{TOLERANCE}")
    rows = []
    for (name, _, _, ref), res in zip(REFERENCE, comparison.results, strict=True):
        ours = res.metrics["ndcg"]
        ok = abs(ours - ref) <= TOLERANCE
        print(f"{name:<42}{ours:>8.4f}{ref:>8.3f}{ours - ref:>+9.4f}  {'yes' if ok else 'NO'}")
        rows.append((name, ours, ref))
    return rows


#: small searches scored on a validation split of the training data (never the test part)
SEARCHES = [
    ("svd", {"factors": [12, 16, 20, 24, 32, 48]}, {}),
    ("als", {"factors": [16, 32, 64], "alpha": [1.0, 2.0]}, {"binarize": True}),
]


def bench_tuned(ds: Dataset, k: int = 10) -> None:
    """Grid search on validation, then the best setting trained on the whole train part."""
    from recsys.evaluation.tuning import grid_search

    split = temporal_split(ds, 0.2)
    data = split.apply(ds)
    print(
        f"\nTuned on a validation split of the training part, then scored on the test part (K={k}):"
    )
    specs = []
    for key, grid, base in SEARCHES:
        start = time.perf_counter()
        result = grid_search(data.train, key, grid, base_params=base, k=k, like=split)
        best = result.best_row
        print(
            f"  {key}: best {result.best_params} (validation NDCG {best['ndcg']:.4f}; "
            f"{len(result.table)} settings in {time.perf_counter() - start:.1f} s)"
        )
        specs.append(ModelSpec(key, result.best_params, name=f"{key} tuned"))
    comparison = run_comparison(ds, split, specs, k=k, include_baselines=False)
    for r in comparison.results:
        print(f"  {r.name:<12} test NDCG@{k} {r.metrics['ndcg']:.4f}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="only the speed benchmark")
    args = parser.parse_args(argv)
    bench_speed()
    if args.quick:
        return
    ds = load_ml_small()
    if ds is None:
        return
    bench_reference(ds)
    bench_leaderboard(ds)
    bench_tuned(ds)


if __name__ == "__main__":
    main()
