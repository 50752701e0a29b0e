"""Learn-page benchmarks: how long each lesson's computation takes when nothing is cached yet
(what a slider move costs the first time; the page caches every result after that).

Run: ``.venv/bin/python benchmarks/bench_lessons.py`` (``--movielens`` adds MovieLens
latest-small, read from $RECSYS_ML_SMALL, default ../shared/datasets/ml-latest-small).
Prints figures; nothing is asserted. UMAP is timed after a warm-up (the app warms it up at
server start).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from recsys import lessons  # noqa: E402
from recsys.data.demo import load_demo  # noqa: E402
from recsys.data.reference import ml_small_path  # noqa: E402


def timed(label: str, fn):
    start = time.perf_counter()
    out = fn()
    print(f"  {label:<58} {time.perf_counter() - start:6.2f} s")
    return out


def bench(ds) -> None:
    print(f"{ds.name}: {ds.n_users:,} users, {ds.n_items:,} items, {ds.n_interactions:,} rows")
    timed(
        "1. 2-factor ALS (reg 1, 15 iterations) + coordinates",
        lambda: lessons.two_factor_space(ds, 1.0, 15),
    )
    timed("1. same, 30 iterations", lambda: lessons.two_factor_space(ds, 1.0, 30))
    m8 = timed("2. 8-factor ALS", lambda: lessons.lesson_model(ds, 8))
    user = ds.user_ids[0]
    timed(
        "2. dot-product breakdown + dot vs cosine lists",
        lambda: (
            lessons.dot_product_breakdown(m8, user, ds.item_ids[0]),
            lessons.length_effect(m8, ds, user),
        ),
    )
    timed("3. factor extremes (8 factors)", lambda: lessons.factor_extremes(m8, ds))
    if lessons.reference_labels(ds)[1]:
        timed(
            "3. genre recovery curve (5 models: 2..32 factors)",
            lambda: lessons.genre_recovery(ds, (2, 4, 8, 16, 32)),
        )
    m32 = timed("4. 32-factor ALS (shared by lessons 4-6)", lambda: lessons.lesson_model(ds, 32))
    timed(
        "4. cosine vs co-occurrence neighbours",
        lambda: lessons.compare_neighbours(m32, ds, lessons.example_item(ds)),
    )
    vectors = m32.item_factors_[lessons.popular_items(ds, 1000)]
    from recsys.maps.projection import warm_up

    timed("5. (UMAP warm-up, done at server start in the app)", warm_up)
    for method in ("pca", "tsne", "umap"):
        timed(
            f"5. {method} of 1,000 items + trustworthiness + kNN recall",
            lambda method=method: lessons.project_items(vectors, method),
        )
    timed(
        "5. umap again with n_neighbors=30 (a slider move)",
        lambda: lessons.project_items(vectors, "umap", n_neighbors=30),
    )
    timed(
        "6. one sparsity point (drop 40%, retrain, NDCG, ARI)",
        lambda: lessons.sparsity_point(ds, 0.4),
    )
    timed(
        "6. fold in a visitor from 3 items",
        lambda: lessons.fold_in_user(m32, ds, lessons.default_fold_in_items(ds)),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--movielens", action="store_true")
    args = parser.parse_args()
    bench(load_demo())
    if args.movielens:
        path = ml_small_path()
        if not path.exists():
            print(f"MovieLens not found at {path}; skipped")
            return
        from recsys.training import load_data  # the CLI's loader (demo or a path)

        bench(load_data(str(path)))


if __name__ == "__main__":
    main()
