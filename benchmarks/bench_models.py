"""Fit time and peak memory of every model, and our ALS wrapper against bare implicit.

Usage::

    .venv/bin/python benchmarks/bench_models.py              # ml-latest-small + 5M generated
    .venv/bin/python benchmarks/bench_models.py --skip-big   # ml-latest-small only
    .venv/bin/python benchmarks/bench_models.py --models als,ease --rounds 7
    .venv/bin/python benchmarks/bench_models.py --quality    # NDCG@10 at defaults vs most-popular

Each model is fitted with its default hyperparameters in a forked child process, so its peak
memory (VmHWM growth over the already-loaded data) is its own. The ALS comparison runs our
wrapper and a bare ``implicit`` fit alternately in one process on the same matrix and prints
median(wrapper) / median(bare); the target is <= 1.10. The 5M-interaction dataset is generated
(seeded) with genre structure and a long-tail popularity.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from recsys.data.dataset import FEEDBACK_EXPLICIT, Dataset  # noqa: E402
from recsys.data.reference import ml_small_path

ML_SMALL = str(ml_small_path())
ALL_MODELS = ["als", "bpr", "svd", "mf", "item2vec", "spectral", "ease", "popular", "random"]


def generated(
    n_interactions: int = 5_000_000, n_users: int = 100_000, n_items: int = 10_000, seed: int = 0
) -> Dataset:
    """Users with 1-3 favourite genres pick and rate items (Zipf popularity within a genre)."""
    rng = np.random.default_rng(seed)
    n_genres = 20
    genre_of_item = rng.integers(0, n_genres, n_items)
    by_genre = [np.flatnonzero(genre_of_item == g) for g in range(n_genres)]
    draws = int(n_interactions * 2.0)  # duplicates are dropped below; trim to the target
    activity = rng.zipf(1.6, n_users).clip(5, 2_000).astype(np.float64)
    activity = np.maximum(1, np.round(activity * draws / activity.sum())).astype(np.int64)
    users = np.repeat(np.arange(n_users), activity)
    n = len(users)
    taste = rng.integers(0, n_genres, (n_users, 3))
    pick = taste[users, rng.integers(0, 3, n)]
    explore = rng.random(n) < 0.15
    pick[explore] = rng.integers(0, n_genres, explore.sum())
    items = np.empty(n, dtype=np.int64)
    for g in range(n_genres):
        rows = np.flatnonzero(pick == g)
        pool = by_genre[g]
        weights = 1.0 / np.arange(1, len(pool) + 1) ** 0.7
        items[rows] = pool[rng.choice(len(pool), len(rows), p=weights / weights.sum())]
    # 1-5 ratings, higher inside the user's tastes, so the rating model has something to fit
    value = np.clip(np.round(3.6 - 1.2 * explore + rng.normal(0, 0.9, n)), 1, 5).astype(np.float32)
    frame = pd.DataFrame({"user": users, "item": items, "value": value})
    frame = frame.drop_duplicates(["user", "item"])
    if len(frame) > n_interactions:
        frame = frame.iloc[np.sort(rng.choice(len(frame), n_interactions, replace=False))]
    frame["timestamp"] = np.arange(len(frame), dtype=np.int64)
    frame["user"] = frame["user"].astype(str)
    frame["item"] = frame["item"].astype(str)
    return Dataset.from_frame(
        frame, name=f"generated {len(frame):,}", feedback=FEEDBACK_EXPLICIT, rating_scale=(1.0, 5.0)
    )


def _hwm_kib() -> int:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return 0


def _fit_child(key: str, dataset: Dataset, queue) -> None:
    from recsys.models.registry import create_model

    try:
        _ = dataset.matrix  # already built in the parent; touch it so it is not counted
        base = _hwm_kib()
        start, cpu = time.perf_counter(), time.process_time()
        create_model(key).fit(dataset)
        seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
        queue.put((key, seconds, cpu, (_hwm_kib() - base) / 1024, _hwm_kib() / 1024, ""))
    except Exception as exc:  # report and continue with the next model
        nan = float("nan")
        queue.put((key, nan, nan, nan, nan, f"{type(exc).__name__}: {exc}"))


def bench_fits(dataset: Dataset, models: list[str]) -> None:
    print(
        f"\n## Fit time and peak memory, defaults: {dataset.name} "
        f"({dataset.n_users:,} users x {dataset.n_items:,} items, {dataset.n_interactions:,} interactions)"
    )
    print(f"{'model':<10} {'wall s':>8} {'CPU s':>8} {'peak +MiB':>10} {'process MiB':>12}  note")
    _ = dataset.matrix
    ctx = mp.get_context("fork")
    for key in models:
        queue = ctx.Queue()
        proc = ctx.Process(target=_fit_child, args=(key, dataset, queue))
        proc.start()
        result = queue.get()
        proc.join()
        key, seconds, cpu, peak, total, note = result
        print(
            f"{key:<10} {seconds:>8.2f} {cpu:>8.2f} {peak:>10.0f} {total:>12.0f}  {note}",
            flush=True,
        )


def bench_als_ratio(
    dataset: Dataset, rounds: int, factors: int = 64, iterations: int = 15
) -> float:
    """Our ALS wrapper vs bare implicit on the same matrix, alternately in one process."""
    from implicit.cpu.als import AlternatingLeastSquares
    from threadpoolctl import threadpool_limits

    from recsys.models.als import ALS

    matrix = dataset.matrix
    params = {"factors": factors, "iterations": iterations, "regularization": 0.05, "alpha": 2.0}
    threads = 1  # the wrapper's default

    def ours() -> tuple[float, float]:
        start, cpu = time.perf_counter(), time.process_time()
        ALS(**params, seed=42, threads=threads).fit(dataset)
        return time.perf_counter() - start, time.process_time() - cpu

    def bare(loss: bool) -> tuple[float, float]:
        start, cpu = time.perf_counter(), time.process_time()
        with threadpool_limits(1, "blas"):
            m = AlternatingLeastSquares(
                **params, calculate_training_loss=loss, random_state=42, num_threads=threads
            )
            m.fit(matrix, show_progress=False)
        return time.perf_counter() - start, time.process_time() - cpu

    ours(), bare(True)  # warm-up: imports, page faults
    runs: dict[str, list[tuple[float, float]]] = {"ours": [], "bare": [], "noloss": []}
    for _ in range(rounds):
        runs["ours"].append(ours())
        runs["bare"].append(bare(True))
        runs["noloss"].append(bare(False))
    med = {
        k: (statistics.median(w for w, _ in v), statistics.median(c for _, c in v))
        for k, v in runs.items()
    }
    print(
        f"\n## ALS wrapper vs bare implicit ({factors} factors x {iterations} iterations, "
        f"{threads} thread, {rounds} alternating rounds): {dataset.name}"
    )
    print(f"{'':<30} {'wall s':>8} {'CPU s':>8}   CPU s per round")
    for key, label in (
        ("ours", "ours (loss each iteration)"),
        ("bare", "bare implicit, same settings"),
        ("noloss", "bare implicit, no loss"),
    ):
        print(
            f"{label:<30} {med[key][0]:>8.3f} {med[key][1]:>8.3f}   {_fmt([c for _, c in runs[key]])}"
        )
    ratio = med["ours"][1] / med["bare"][1]
    print(
        f"ratio ours / bare (median CPU time) = {ratio:.3f} (target <= 1.10); wall-clock ratio "
        f"{med['ours'][0] / med['bare'][0]:.3f}; the per-iteration loss costs "
        f"{med['bare'][1] / med['noloss'][1]:.2f}x"
    )
    return ratio


def bench_quality(models: list[str]) -> int:
    """NDCG@10 of every model at its defaults against most-popular, on the demo and
    ml-latest-small, temporal and per-user random splits (the app's own evaluation code).

    Prints one row per (data, split) and returns how many ranking models fell below
    most-popular (the rating model, ``ranks_items = False``, is listed but not counted).
    """
    from recsys.evaluation.comparison import ModelSpec, run_comparison
    from recsys.evaluation.metrics import make_split
    from recsys.models.registry import get_model_class
    from recsys.training import load_data

    keys = [m for m in models if m not in ("popular", "random")]
    below = 0
    for data in ("demo", ML_SMALL):
        if data != "demo" and not Path(data).exists():
            print(f"ml-latest-small not found at {data}; skipped")
            continue
        dataset = load_data(data)
        for kind in ("temporal", "random"):
            split = make_split(
                dataset, kind, test_fraction=0.2, **({"seed": 42} if kind == "random" else {})
            )
            comparison = run_comparison(dataset, split, [ModelSpec(k, {}) for k in keys], k=10)
            board = comparison.leaderboard().set_index("model")["ndcg"]
            popular = float(board[get_model_class("popular").label])
            cells = []
            for key in keys:
                klass = get_model_class(key)
                value = float(board[klass.label])
                ranks = getattr(klass, "ranks_items", True)
                flag = "" if value > popular else (" (rating model)" if not ranks else " BELOW")
                below += int(value <= popular and ranks)
                cells.append(f"{key} {value:.4f}{flag}")
            print(
                f"{dataset.name[:16]:16s} {kind:8s} popular {popular:.4f} | " + " | ".join(cells),
                flush=True,
            )
    print(f"ranking models at defaults below most-popular: {below}")
    return below


def _fmt(times: list[float]) -> str:
    return "[" + ", ".join(f"{t:.2f}" for t in times) + "]"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skip-big", action="store_true", help="skip the generated 5M dataset")
    parser.add_argument("--skip-small", action="store_true", help="skip ml-latest-small")
    parser.add_argument("--skip-ratio", action="store_true", help="skip the ALS wrapper comparison")
    parser.add_argument("--models", default=",".join(ALL_MODELS), help="comma-separated model keys")
    parser.add_argument(
        "--big-models", default=None, help="models for the big dataset (default: --models)"
    )
    parser.add_argument(
        "--rounds", type=int, default=5, help="alternating rounds of the ALS comparison"
    )
    parser.add_argument(
        "--interactions", type=int, default=5_000_000, help="size of the generated dataset"
    )
    parser.add_argument(
        "--quality",
        action="store_true",
        help="only NDCG@10 at defaults vs most-popular (demo + ml-latest-small, 2 splits)",
    )
    args = parser.parse_args(argv)
    models = [m.strip() for m in args.models.split(",") if m.strip()]
    print(
        f"Python {sys.version.split()[0]}, {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}"
    )
    if args.quality:
        return 1 if bench_quality(models) else 0

    if args.skip_small:
        pass
    elif Path(ML_SMALL).exists():
        from recsys.data import load_path

        ml = load_path(ML_SMALL)
        bench_fits(ml, models)
        if not args.skip_ratio:
            bench_als_ratio(ml, args.rounds)
    else:
        print(f"ml-latest-small not found at {ML_SMALL} (set RECSYS_ML_SMALL); skipped")

    if not args.skip_big:
        start = time.perf_counter()
        big = generated(args.interactions)
        print(
            f"\n(generated {big.n_interactions:,} interactions in {time.perf_counter() - start:.1f} s)"
        )
        big_models = [
            m.strip() for m in (args.big_models or ",".join(models)).split(",") if m.strip()
        ]
        bench_fits(big, big_models)
        if not args.skip_ratio:
            bench_als_ratio(big, max(3, args.rounds // 2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
