"""Scale benchmark: every step of the app on MovieLens-25M-shaped data, in one run.

Generates its own seeded data shaped like MovieLens 25M (162,541 users x 59,047 movies, 25M
half-star ratings, heavy-tailed user activity, Zipf-like movie popularity, 20 genres with
users who prefer 2 of them, timestamps 1995-2019) as ``ratings.parquet`` + ``movies.csv``,
then measures, each step in a forked child so its peak memory is its own:

1. load + index through the app's loader (``recsys.data.load_path``), in this process;
2. ALS fit at the app's defaults (1 solver thread) and with all cores (``threads=0``);
3. item map: PCA, then UMAP of every item (numba compile reported apart: the app hides it
   behind its start-up warm-up), and the user map on a seeded sample of users;
4. recommend top-10 + explain all 10 for one user, p50/p95 over 100 users;
5. similar items with reasons (the Neighbours page), p50/p95 over 100 items;
6. an evaluation: temporal split (latest 20% per user), ALS re-trained on the training part
   (all cores), test users sampled (seeded) above ``--max-test-users``, NDCG@10 of ALS and
   the most-popular baseline.

Peak memory is the child's ``ru_maxrss``: it includes the loaded data it shares with the
parent, i.e. it is the peak of an app process that holds the data and does that step.

Sizes (``--size``): ``1m``, ``5m``, ``25m`` (default). Users and items scale with the rows
(ML-25M's 154 ratings per user and 423 per movie on average), so 1M is 6.5k users x 2.4k items.

Run: ``nice -n 10 .venv/bin/python -m benchmarks.bench_scale --size 25m [--json out.json]``
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import resource
import sys
import tempfile
import time
import traceback
from pathlib import Path

import numpy as np

# MovieLens 25M: 25,000,095 ratings by 162,541 users of 59,047 movies.
ML25M = {"rows": 25_000_095, "users": 162_541, "items": 59_047}
SIZES = {"1m": 1_000_000, "5m": 5_000_000, "25m": ML25M["rows"]}
N_GENRES = 20
GENRES = [f"Genre{g:02d}" for g in range(N_GENRES)]

# Targets on a 2-core machine (issue 13): seconds / MiB
TARGETS = {
    "load + index": (60, 6 * 1024),
    "ALS fit, 15 it, all cores": (150, None),
    "item map (PCA + UMAP)": (90, None),
    "recommend + explain p95": (0.100, None),
    "evaluation": (120, None),
}
MAX_STEP_MIB = 8 * 1024


# ---------------------------------------------------------------------- data
def generate(folder: Path, rows: int, seed: int = 0) -> dict:
    """Write ``ratings.parquet`` (userId, movieId, rating, timestamp) and ``movies.csv``."""
    import pandas as pd
    import pyarrow as pa
    import pyarrow.parquet as pq

    rng = np.random.default_rng(seed)
    scale = rows / ML25M["rows"]
    n_users = max(int(round(ML25M["users"] * scale)), 50)
    n_items = max(int(round(ML25M["items"] * scale)), 50)
    # user activity: lognormal (median ~71, mean ~154 like ML-25M), at least 20 ratings
    counts = np.maximum(rng.lognormal(np.log(71), 1.245, n_users), 20)
    counts = np.minimum(counts * (rows * 1.12 / counts.sum()), n_items // 2).astype(np.int64)
    counts = np.maximum(counts, 20)
    genre = rng.integers(0, N_GENRES, n_items)
    tastes = rng.integers(0, N_GENRES, (n_users, 2))
    # movie popularity: Zipf-like over a random order of the catalogue
    pop = 1.0 / (np.arange(n_items) + 8.0) ** 1.05
    pop = pop[rng.permutation(n_items)]
    pop /= pop.sum()
    members = [np.flatnonzero(genre == gg) for gg in range(N_GENRES)]
    p_in = [pop[m] / pop[m].sum() for m in members]
    share = counts / counts.sum()

    def draw(user: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        n = len(user)
        in_taste = rng.random(n) < 0.6
        g = tastes[user, rng.integers(0, 2, n)]
        item = np.empty(n, dtype=np.int32)
        out = ~in_taste
        item[out] = rng.choice(n_items, int(out.sum()), p=pop)
        for gg in range(N_GENRES):
            sel = in_taste & (g == gg)
            item[sel] = members[gg][rng.choice(len(members[gg]), int(sel.sum()), p=p_in[gg])]
        return item, in_taste

    user = np.repeat(np.arange(n_users, dtype=np.int32), counts)
    item, in_taste = draw(user)
    # one rating per (user, movie), as in MovieLens: drop repeats, top up, trim to the size
    for _ in range(10):
        key = user.astype(np.int64) * n_items + item
        _, first = np.unique(key, return_index=True)
        user, item, in_taste = user[first], item[first], in_taste[first]
        if len(user) >= rows:
            break
        extra = rng.choice(n_users, int((rows - len(user)) * 1.3) + 10, p=share)
        more_item, more_taste = draw(extra.astype(np.int32))
        user = np.concatenate([user, extra.astype(np.int32)])
        item = np.concatenate([item, more_item])
        in_taste = np.concatenate([in_taste, more_taste])
    if len(user) > rows:
        keep = np.sort(rng.choice(len(user), rows, replace=False))
        user, item, in_taste = user[keep], item[keep], in_taste[keep]
    n = len(user)
    rating = np.clip(np.round((3.0 + 0.8 * in_taste + rng.normal(0, 1.0, n)) * 2) / 2, 0.5, 5.0)
    start = rng.integers(789_652_800, 1_574_000_000, n_users)  # 1995-01 .. 2019-11
    ts = np.minimum(start[user] + rng.exponential(90 * 86_400, n).astype(np.int64), 1_574_327_703)
    folder.mkdir(parents=True, exist_ok=True)
    pq.write_table(
        pa.table(
            {
                "userId": pa.array(user + 1, pa.int32()),
                "movieId": pa.array(item + 1, pa.int32()),
                "rating": pa.array(rating.astype(np.float32)),
                "timestamp": pa.array(ts.astype(np.int64)),
            }
        ),
        folder / "ratings.parquet",
        row_group_size=1_000_000,
    )
    pd.DataFrame(
        {
            "movieId": np.arange(1, n_items + 1),
            "title": [f"Movie {i + 1} ({1950 + i % 70})" for i in range(n_items)],
            "genres": [GENRES[x] for x in genre],
        }
    ).to_csv(folder / "movies.csv", index=False)
    return {"rows": int(n), "users": int(n_users), "items": int(n_items)}


# ---------------------------------------------------------------------- measuring
def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _cpu() -> float:
    t = os.times()
    return t.user + t.system


def in_child(fn, *args) -> dict:
    """Run ``fn(*args) -> dict`` in a forked child; add its wall, CPU and peak memory."""
    ctx = mp.get_context("fork")
    reader, writer = ctx.Pipe(duplex=False)

    def target() -> None:
        t, c = time.perf_counter(), _cpu()
        try:
            out = fn(*args) or {}
            out.update(wall_s=time.perf_counter() - t, cpu_s=_cpu() - c, peak_mib=_peak_mib())
        except Exception:
            out = {"error": traceback.format_exc()}
        writer.send(out)
        writer.close()

    proc = ctx.Process(target=target)
    proc.start()
    writer.close()
    try:
        result = reader.recv()
    except EOFError:
        result = {"error": f"child died (exit code {proc.join() or proc.exitcode})"}
    proc.join()
    return result


def percentiles(times: list[float]) -> dict:
    ms = np.asarray(times) * 1000
    return {"p50_ms": float(np.percentile(ms, 50)), "p95_ms": float(np.percentile(ms, 95))}


# ---------------------------------------------------------------------- steps
def step_als(ds, threads: int, save_to: str | None) -> dict:
    from recsys.models.registry import create_model

    model = create_model("als", threads=threads).fit(ds)
    if save_to:
        model.save(save_to)
    return {"fit_s": model.fit_seconds_, "factors": int(model.factors)}


def step_maps(model, user_sample: int, seed: int) -> dict:
    from recsys.maps.projection import project, warm_up

    out = {"compile_s": warm_up(seed=0, large=True)}
    t = time.perf_counter()
    project(model.item_factors_, method="pca")
    out["item_pca_s"] = time.perf_counter() - t
    t = time.perf_counter()
    project(model.item_factors_, method="umap", seed=seed)
    out["item_umap_s"] = time.perf_counter() - t
    n_users = model.user_factors_.shape[0]
    sample = np.sort(
        np.random.default_rng(seed).choice(n_users, min(user_sample, n_users), replace=False)
    )
    t = time.perf_counter()
    project(model.user_factors_[sample], method="umap", seed=seed)
    out["user_umap_s"] = time.perf_counter() - t
    out["user_sample"] = int(len(sample))
    out["items"] = int(model.item_factors_.shape[0])
    out["peak_note"] = "item and user maps in one process"
    return out


def step_recommend(model, ds, runs: int, seed: int) -> dict:
    from recsys.explain.explanations import explain_items
    from recsys.models.profile import Profile

    rng = np.random.default_rng(seed)
    users = rng.choice(ds.n_users, runs, replace=False)
    # first call warms the per-model caches (YᵀY), as the first page view does
    t = time.perf_counter()
    first = ds.user_ids[int(users[0])]
    explain_items(
        model, ds, Profile.of_user(model, ds, first), list(model.recommend(first)["item"])
    )
    first_s = time.perf_counter() - t
    times = []
    for u in users:
        user = ds.user_ids[int(u)]
        t = time.perf_counter()
        recs = model.recommend(user, n=10)
        explain_items(model, ds, Profile.of_user(model, ds, user), list(recs["item"]))
        times.append(time.perf_counter() - t)
    return {"first_call_s": first_s, **percentiles(times), "runs": runs}


def step_similar(model, ds, runs: int, seed: int) -> dict:
    from recsys.explain.neighbours import item_neighbours

    rng = np.random.default_rng(seed + 1)
    items = rng.choice(ds.n_items, runs, replace=False)
    t = time.perf_counter()
    item_neighbours(model, ds, ds.item_ids[int(items[0])], n=10)
    first_s = time.perf_counter() - t
    times = []
    for i in items:
        t = time.perf_counter()
        item_neighbours(model, ds, ds.item_ids[int(i)], n=10)
        times.append(time.perf_counter() - t)
    return {"first_call_s": first_s, **percentiles(times), "runs": runs}


def step_evaluation(ds, max_test_users: int, seed: int) -> dict:
    from recsys.evaluation.metrics import evaluate_model, make_split
    from recsys.models.registry import create_model

    t = time.perf_counter()
    split = make_split(ds, "temporal")
    data = split.apply(ds)
    _ = data.train_matrix, data.test_items, data.eval_users
    out = {"split_s": time.perf_counter() - t, "eval_users_total": int(len(data.eval_users))}
    als = create_model("als", threads=0).fit(data.train)
    out["fit_s"] = als.fit_seconds_
    t = time.perf_counter()
    res = evaluate_model(als, data, k=10, max_test_users=max_test_users, sample_seed=seed)
    out["score_s"] = time.perf_counter() - t
    out["ndcg_als"] = res.metrics["ndcg"]
    out["users"] = res.metrics["users"]
    popular = create_model("popular").fit(data.train)
    t = time.perf_counter()
    res_pop = evaluate_model(popular, data, k=10, max_test_users=max_test_users, sample_seed=seed)
    out["score_popular_s"] = time.perf_counter() - t
    out["ndcg_popular"] = res_pop.metrics["ndcg"]
    return out


# ---------------------------------------------------------------------- main
def _say(label: str, r: dict, detail: str = "") -> None:
    if "error" in r:
        print(f"{label}: FAILED\n{r['error']}", flush=True)
        return
    print(
        f"{label}: {r.get('wall_s', 0):.1f} s wall, {r.get('cpu_s', 0):.1f} s CPU, "
        f"peak {r.get('peak_mib', 0):,.0f} MiB{'; ' + detail if detail else ''}",
        flush=True,
    )


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--size", choices=sorted(SIZES), default="25m")
    ap.add_argument("--rows", type=int, help="any number of rows instead of --size")
    ap.add_argument("--data", help="folder to write/reuse the generated data (default: temp)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--runs", type=int, default=100, help="users/items timed for p50/p95")
    ap.add_argument("--user-sample", type=int, default=20_000, help="users on the user map")
    ap.add_argument("--max-test-users", type=int, default=10_000)
    ap.add_argument("--skip", default="", help="comma list: als1, maps, eval")
    ap.add_argument("--json", help="also write the results here")
    args = ap.parse_args(argv)
    skip = {s.strip() for s in args.skip.split(",") if s.strip()}
    rows = args.rows or SIZES[args.size]
    print(
        f"python {sys.version.split()[0]}, {os.cpu_count()} cpus, load average "
        f"{os.getloadavg()[0]:.1f}; {rows:,} rows requested",
        flush=True,
    )
    results: dict = {"rows_requested": rows, "load_avg_start": os.getloadavg()[0]}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(args.data) if args.data else Path(tmp) / "data"
        if not (folder / "ratings.parquet").exists():
            t = time.perf_counter()
            shape = in_child(generate, folder, rows, args.seed)
            print(f"generated {shape} in {time.perf_counter() - t:.1f} s", flush=True)
        size = sum(f.stat().st_size for f in folder.iterdir())
        print(f"data: {folder} ({size / 2**20:,.0f} MiB)", flush=True)

        # 1. load + index, in this process (nothing big has been allocated here yet)
        from recsys.data import load_path

        base = _peak_mib()
        t, c = time.perf_counter(), _cpu()
        ds = load_path(folder)
        _ = ds.matrix
        r = {"wall_s": time.perf_counter() - t, "cpu_s": _cpu() - c, "peak_mib": _peak_mib()}
        r.update(users=ds.n_users, items=ds.n_items, interactions=ds.n_interactions)
        r["before_mib"] = base
        results["load"] = r
        _say(
            "load + index",
            r,
            f"{ds.n_users:,} users x {ds.n_items:,} items, {ds.n_interactions:,} interactions",
        )

        # 2. ALS
        if "als1" not in skip:
            results["als_default"] = r = in_child(step_als, ds, 1, None)
            _say("ALS fit, app defaults (1 thread)", r)
        model_dir = str(Path(tmp) / "als")
        results["als_all"] = r = in_child(step_als, ds, 0, model_dir)
        _say("ALS fit, all cores (threads=0)", r)
        if "error" in r:
            raise SystemExit(1)
        from recsys.models.base import Recommender

        model = Recommender.load(model_dir)

        # 3. maps
        if "maps" not in skip:
            results["maps"] = r = in_child(step_maps, model, args.user_sample, args.seed)
            if "error" not in r:
                _say(
                    "maps",
                    r,
                    f"UMAP compile {r['compile_s']:.1f} s (once per server), item PCA "
                    f"{r['item_pca_s']:.1f} s, item UMAP ({r['items']:,}) {r['item_umap_s']:.1f} s, "
                    f"user UMAP (sample of {r['user_sample']:,}) {r['user_umap_s']:.1f} s",
                )
            else:
                _say("maps", r)

        # 4-5. latency
        results["recommend"] = r = in_child(step_recommend, model, ds, args.runs, args.seed)
        _say(
            "recommend + explain",
            r,
            f"p50 {r.get('p50_ms', 0):.1f} ms, p95 {r.get('p95_ms', 0):.1f} ms "
            f"(first call {r.get('first_call_s', 0):.2f} s)",
        )
        results["similar"] = r = in_child(step_similar, model, ds, args.runs, args.seed)
        _say(
            "similar items + reasons",
            r,
            f"p50 {r.get('p50_ms', 0):.1f} ms, p95 {r.get('p95_ms', 0):.1f} ms "
            f"(first call {r.get('first_call_s', 0):.2f} s)",
        )

        # 6. evaluation
        if "eval" not in skip:
            results["evaluation"] = r = in_child(
                step_evaluation, ds, args.max_test_users, args.seed
            )
            if "error" not in r:
                _say(
                    "evaluation",
                    r,
                    f"split {r['split_s']:.1f} s, ALS fit on train {r['fit_s']:.1f} s, scoring "
                    f"{r['users']:,} of {r['eval_users_total']:,} test users {r['score_s']:.1f} s "
                    f"(popular {r['score_popular_s']:.1f} s); NDCG@10 ALS {r['ndcg_als']:.4f}, "
                    f"popular {r['ndcg_popular']:.4f}",
                )
            else:
                _say("evaluation", r)
    results["load_avg_end"] = os.getloadavg()[0]
    print(f"load average at the end: {results['load_avg_end']:.1f}")
    summary(results)
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2, default=float))


def summary(results: dict) -> None:
    """Targets met or missed, by how much."""
    rows = [
        ("load + index", results.get("load", {}).get("wall_s")),
        ("ALS fit, 15 it, all cores", results.get("als_all", {}).get("fit_s")),
    ]
    maps = results.get("maps", {})
    if "item_umap_s" in maps:
        rows.append(("item map (PCA + UMAP)", maps["item_pca_s"] + maps["item_umap_s"]))
    rec = results.get("recommend", {})
    if "p95_ms" in rec:
        rows.append(("recommend + explain p95", rec["p95_ms"] / 1000))
    ev = results.get("evaluation", {})
    if "score_s" in ev:
        rows.append(("evaluation", ev["split_s"] + ev["fit_s"] + ev["score_s"]))
    print("\ntargets (2-core machine):")
    for label, value in rows:
        if value is None:
            continue
        limit = TARGETS[label][0]
        verdict = (
            "met" if value <= limit else f"MISSED by {value - limit:.3g} s ({value / limit:.1f}x)"
        )
        print(f"  {label:28s} {value:9.3f} s  target <= {limit:g} s: {verdict}")
    load_peak = results.get("load", {}).get("peak_mib", 0)
    print(f"  load peak {load_peak:,.0f} MiB (target <= {TARGETS['load + index'][1]:,} MiB)")
    peaks = {k: v.get("peak_mib", 0) for k, v in results.items() if isinstance(v, dict)}
    worst = max(peaks, key=peaks.get)
    print(f"  largest step peak: {worst} {peaks[worst]:,.0f} MiB (target <= {MAX_STEP_MIB:,} MiB)")


if __name__ == "__main__":
    main()
