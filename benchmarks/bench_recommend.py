"""Latency of recommendations with explanations, neighbours and fold-in on a 60,000-item catalogue.

Generates a seeded synthetic dataset (Zipf item popularity, users with 1-3 planted tastes),
fits ALS (64 factors) and PureSVD on it, then times, per call:

- recommend top-10 + explain all 10 (ALS: exact history decomposition), p50/p95 over 200 users
  (target p95 <= 100 ms);
- similar items with reasons (co-occurrence, Jaccard, shared categories), p50/p95 over 200
  items (target p95 <= 50 ms);
- fold-in of a 20-item visitor profile + top-10 (ALS closed form; PureSVD regression fold-in,
  whose one-off fit per model is reported separately).

Run: ``.venv/bin/python benchmarks/bench_recommend.py [--items 60000 --users 20000]``
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits

from recsys.data.dataset import FEEDBACK_IMPLICIT, Dataset
from recsys.explain.explanations import explain_items
from recsys.explain.neighbours import item_neighbours
from recsys.models.profile import Profile
from recsys.models.registry import create_model


def synthetic(n_items: int, n_users: int, per_user: int, seed: int = 0) -> Dataset:
    rng = np.random.default_rng(seed)
    n_genres = 30
    genre = rng.integers(0, n_genres, n_items)
    pop = 1.0 / (1.0 + rng.permutation(n_items)) ** 0.8
    by_genre = [np.flatnonzero(genre == g) for g in range(n_genres)]
    p_in = [pop[ix] / pop[ix].sum() for ix in by_genre]
    users, items = [], []
    for u in range(n_users):
        tastes = rng.choice(n_genres, rng.integers(1, 4), replace=False)
        k = max(5, int(rng.poisson(per_user)))
        picks = np.concatenate(
            [rng.choice(by_genre[g], size=k // len(tastes) + 1, p=p_in[g]) for g in tastes]
        )
        picks = np.unique(picks)
        users.append(np.full(len(picks), u))
        items.append(picks)
    u = np.concatenate(users)
    i = np.concatenate(items)
    frame = pd.DataFrame({"user": [f"u{x}" for x in u], "item": [f"i{x}" for x in i]})
    meta = pd.DataFrame(
        {
            "item": [f"i{x}" for x in range(n_items)],
            "title": [f"Item {x} of genre {g}" for x, g in enumerate(genre)],
            "categories": [[f"genre {g}"] for g in genre],
            "tags": [[f"tag {g % 7}"] for g in genre],
        }
    )
    return Dataset.from_frame(frame, name="synthetic", items=meta, feedback=FEEDBACK_IMPLICIT)


def percentiles(times: list[float]) -> str:
    ms = np.asarray(times) * 1000
    return f"p50 {np.percentile(ms, 50):6.1f} ms   p95 {np.percentile(ms, 95):6.1f} ms"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--items", type=int, default=60_000)
    ap.add_argument("--users", type=int, default=20_000)
    ap.add_argument("--per-user", type=int, default=40)
    ap.add_argument("--runs", type=int, default=200)
    args = ap.parse_args()

    t = time.perf_counter()
    ds = synthetic(args.items, args.users, args.per_user)
    print(
        f"data: {ds.n_users:,} users x {ds.n_items:,} items, {ds.n_interactions:,} interactions "
        f"({time.perf_counter() - t:.1f} s to generate)"
    )
    with threadpool_limits(1, "blas"):
        t = time.perf_counter()
        als = create_model("als", factors=64, iterations=10).fit(ds)
        print(f"ALS 64 factors fit: {time.perf_counter() - t:.1f} s")
    t = time.perf_counter()
    svd = create_model("svd", factors=64).fit(ds)
    print(f"PureSVD 64 factors fit: {time.perf_counter() - t:.1f} s")

    rng = np.random.default_rng(1)
    users = rng.choice(ds.n_users, args.runs, replace=False)
    items = rng.choice(ds.n_items, args.runs, replace=False)

    for label, model in (("ALS", als), ("PureSVD", svd)):
        # warm caches (YᵀY, unit vectors, factor ends) once, as the app does on first use
        explain_items(model, ds, Profile.of_user(model, ds, ds.user_ids[0]), [ds.item_ids[0]])
        times = []
        for u in users:
            user = ds.user_ids[u]
            t = time.perf_counter()
            recs = model.recommend(user, n=10)
            explain_items(model, ds, Profile.of_user(model, ds, user), list(recs["item"]))
            times.append(time.perf_counter() - t)
        print(
            f"{label:8s} recommend top-10 + explain all 10:  {percentiles(times)}  (target p95 <= 100 ms)"
        )

    item_neighbours(als, ds, ds.item_ids[0], n=10)
    times = []
    for i in items:
        t = time.perf_counter()
        item_neighbours(als, ds, ds.item_ids[i], n=10)
        times.append(time.perf_counter() - t)
    print(f"ALS      similar items + reasons (10):     {percentiles(times)}  (target p95 <= 50 ms)")
    times = []
    for i in items:
        t = time.perf_counter()
        als.similar_items(ds.item_ids[i], n=10)
        times.append(time.perf_counter() - t)
    print(f"ALS      similar items, cosine only (10):  {percentiles(times)}")

    t = time.perf_counter()
    svd.fold_in(Profile.of_items(svd, list(ds.item_ids.to_external(items[:20]))))
    print(f"PureSVD  regression fold-in, one-off fit per model: {time.perf_counter() - t:.1f} s")
    for label, model in (("ALS", als), ("PureSVD", svd)):
        times = []
        for _ in range(args.runs):
            picks = list(ds.item_ids.to_external(rng.choice(ds.n_items, 20, replace=False)))
            t = time.perf_counter()
            profile = Profile.of_items(model, picks)
            recs = model.recommend_profile(profile, n=10)
            explain_items(model, ds, profile, list(recs["item"]))
            times.append(time.perf_counter() - t)
        print(f"{label:8s} fold-in 20 items + top-10 + explain:  {percentiles(times)}")


if __name__ == "__main__":
    main()
