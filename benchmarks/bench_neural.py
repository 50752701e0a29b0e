"""Does the neural model beat matrix factorisation here? Mult-VAE against ALS, PureSVD, EASE.

Run: ``.venv/bin/python -m benchmarks.bench_neural`` (needs the neural extra:
``pip install -e ".[neural]"``). Options: ``--data demo,ml`` (default both), ``--tune-trials N``
(also tune every model with the same budget of N Optuna trials on a validation split carved from
the training part, then score the best setting on the test part).

Protocol: the app's own temporal split (each user's latest 20% held out,
:func:`recsys.evaluation.metrics.make_split`) and :func:`recsys.evaluation.comparison.run_comparison`,
K=10 for NDCG, also Recall@20 (each model is fitted once and scored at both K). Fit times are
wall-clock seconds (read them with the load average printed beside them) and CPU seconds of
the process, all threads (comparable whatever else the machine is doing). Every model at its defaults. The claim tested
is "neural embeddings beat matrix factorisation (by up to 20%)": the best neural model against
the best MF model (ALS or PureSVD), with EASE (a linear autoencoder, not MF) and most-popular
beside them.
"""

from __future__ import annotations

import argparse
import os
import time

from recsys.data.dataset import Dataset
from recsys.data.reference import ml_small_path
from recsys.evaluation.comparison import ModelSpec, run_comparison
from recsys.evaluation.metrics import make_split
from recsys.models.registry import get_model_class, unavailable_models

NEURAL = ["multvae"]
MF = ["als", "svd"]
OTHERS = ["ease", "popular"]
MODELS = NEURAL + MF + OTHERS


def load(name: str) -> Dataset | None:
    if name == "demo":
        from recsys.data.demo import load_demo

        return load_demo()
    path = ml_small_path()
    if not path.exists():
        print(f"ml-latest-small not found at {path} (set RECSYS_ML_SMALL); skipped.")
        return None
    from recsys.data import load_path

    return load_path(path)


def tuned_specs(ds: Dataset, split, trials: int) -> list[ModelSpec]:
    """Every model tuned with the same number of trials on a validation split of the train part."""
    from recsys.evaluation.tuning import tune

    train = split.apply(ds).train
    specs = []
    for key in MODELS:
        if key == "popular":
            specs.append(ModelSpec(key))
            continue
        start = time.perf_counter()
        result = tune(train, key, like=split, trials=trials, seconds=None)
        print(
            f"  tuned {key}: {result.best_params} (validation NDCG {result.best_value:.4f}, "
            f"{len(result.table)} trials, {time.perf_counter() - start:.0f} s)",
            flush=True,
        )
        specs.append(ModelSpec(key, result.best_params, name=key))
    return specs


def measure(ds: Dataset, specs: list[ModelSpec]) -> list[dict]:
    """Fit each model once on the training part; score it at K=10 and K=20 (fitted model reused)."""
    split = make_split(ds, "temporal")
    train = split.apply(ds).train
    fitted = []
    for spec in specs:
        cpu = time.process_time()  # all threads of this process: comparable under any load
        model = get_model_class(spec.key)(**spec.params).fit(train)
        model.fit_cpu_seconds = time.process_time() - cpu
        fitted.append(ModelSpec(spec.key, spec.params, name=spec.name, model=model))
    at10 = run_comparison(ds, split, fitted, k=10, include_baselines=False)
    at20 = run_comparison(ds, split, fitted, k=20, include_baselines=False)
    rows = []
    for spec, r10, r20 in zip(fitted, at10.results, at20.results, strict=True):
        rows.append(
            {
                "key": r10.key,
                "model": r10.name,
                "ndcg@10": r10.metrics["ndcg"],
                "recall@20": r20.metrics["recall"],
                "coverage@10": r10.metrics.get("coverage", float("nan")),
                "fit_s": spec.model.fit_seconds_,
                "fit_cpu_s": spec.model.fit_cpu_seconds,
            }
        )
    return rows


def report(title: str, rows: list[dict]) -> None:
    print(f"\n{title}")
    print(
        f"{'model':<34}{'NDCG@10':>9}{'Recall@20':>11}{'coverage':>10}{'fit s':>8}{'fit CPU s':>11}"
    )
    for r in sorted(rows, key=lambda r: -r["ndcg@10"]):
        print(
            f"{r['model']:<34}{r['ndcg@10']:>9.4f}{r['recall@20']:>11.4f}"
            f"{r['coverage@10']:>10.3f}{r['fit_s']:>8.1f}{r['fit_cpu_s']:>11.1f}"
        )
    best = {
        group: max((r for r in rows if r["key"] in keys), key=lambda r: r["ndcg@10"])
        for group, keys in (("neural", NEURAL), ("MF", MF))
    }
    print(f"(load average now: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)")
    n, m = best["neural"], best["MF"]
    gain = n["ndcg@10"] / m["ndcg@10"] - 1.0
    verdict = "reaches" if gain >= 0.20 else "does not reach"
    print(
        f"Best neural ({n['model']}) vs best MF ({m['model']}): NDCG@10 {n['ndcg@10']:.4f} vs "
        f"{m['ndcg@10']:.4f} = {gain:+.1%} ({verdict} the claimed +20%); Recall@20 "
        f"{n['recall@20'] / m['recall@20'] - 1.0:+.1%}."
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default="demo,ml", help="demo, ml or both (comma-separated)")
    parser.add_argument("--tune-trials", type=int, default=0, help="also tune, N trials each")
    args = parser.parse_args(argv)
    missing = unavailable_models().get("multvae")
    if missing:
        print(f"Mult-VAE cannot train here: {missing}")
        return
    for name in args.data.split(","):
        ds = load(name.strip())
        if ds is None:
            continue
        split = make_split(ds, "temporal")
        what = f"{ds.name} ({ds.n_users:,} users, {ds.n_items:,} items), {split.describe()}"
        print(f"\nload average before: {os.getloadavg()[0]:.1f}", flush=True)
        report(f"Defaults on {what}:", measure(ds, [ModelSpec(k) for k in MODELS]))
        if args.tune_trials:
            print(f"\nTuning every model, {args.tune_trials} trials each, on {ds.name}:")
            specs = tuned_specs(ds, split, args.tune_trials)
            report(f"Tuned ({args.tune_trials} trials each) on {what}:", measure(ds, specs))


if __name__ == "__main__":
    main()
