"""``recsys tune``: search hyperparameters (Optuna TPE) on a validation split, save the best.

Example::

    recsys tune --data demo --model ease --budget 60s
    recsys tune --data PATH --model als --budget 5m --trials 40 --metric recall --name als-best
    recsys tune --data PATH --model ease --budget 2m --holdout temporal   # also score on a test split
"""

from __future__ import annotations

import argparse
import re
import time
from typing import Any

from recsys.errors import ModelConfigError
from recsys.evaluation.metrics import DEFAULT_K, RANKING_METRICS, SPLIT_KINDS
from recsys.models.registry import available_models, get_model_class


def parse_budget(text: str) -> float:
    """``"60s"``, ``"90"``, ``"2m"``, ``"1h"`` -> seconds."""
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*(s|sec|m|min|h)?\s*", str(text).lower())
    if not match or float(match.group(1)) <= 0:
        raise ModelConfigError(f"--budget {text!r}: give a positive time such as 60s, 5m or 1h.")
    scale = {"m": 60, "min": 60, "h": 3600}.get(match.group(2) or "s", 1)
    return float(match.group(1)) * scale


def add_tune_command(sub: Any) -> None:
    """Register ``recsys tune`` on the CLI's sub-parser group."""
    p = sub.add_parser(
        "tune",
        help="search hyperparameters on a validation split and save the best model",
        description=(
            "Search a model's hyperparameters with Optuna's TPE sampler. Every trial is trained "
            "on part of the data and scored on a validation part carved from it (a test split, "
            "if --holdout is given, is never used for the search). The defaults are the first "
            "trial. The best setting is trained on all the data (or the training part with "
            "--holdout) and saved with its trials in the workspace."
        ),
    )
    p.add_argument(
        "--data", required=True, help="'demo' or a path to a CSV/Parquet/zip file or folder"
    )
    p.add_argument(
        "--model", default="als", choices=available_models(), help="model kind (default als)"
    )
    p.add_argument("--budget", default="60s", help="time budget, e.g. 60s, 5m (default 60s)")
    p.add_argument(
        "--trials",
        type=int,
        default=None,
        help="stop after this many trials (default: only the time)",
    )
    p.add_argument(
        "--metric",
        default="ndcg",
        choices=RANKING_METRICS,
        help="metric to maximise (default ndcg)",
    )
    p.add_argument(
        "--k", type=int, default=DEFAULT_K, help="list length K of the metric (default 10)"
    )
    p.add_argument(
        "--params",
        help="comma-separated hyperparameters to search (default: every one with a range, seed excluded)",
    )
    p.add_argument(
        "--range",
        action="append",
        default=[],
        metavar="NAME=LOW..HIGH|A,B,C",
        help="search NAME over a range or exactly these values, e.g. --range regularization=50..2000 (repeatable)",
    )
    p.add_argument(
        "--holdout",
        choices=SPLIT_KINDS,
        default=None,
        help="first hold out a test split of this kind; tune on its training part and report the test metrics",
    )
    p.add_argument(
        "--seed", type=int, default=42, help="seed of the sampler and of random splits (default 42)"
    )
    p.add_argument("--name", help="name in the workspace (default: <model>-tuned-<data>-<time>)")
    p.add_argument(
        "--workspace", help="workspace folder (default: $RECSYS_WORKSPACE or ./workspace)"
    )
    p.add_argument(
        "--overwrite", action="store_true", help="replace a saved model of the same name"
    )
    p.set_defaults(handler=_tune_command)


def _space(args: argparse.Namespace) -> dict:
    from recsys.evaluation.tuning import parse_values, search_space

    klass = get_model_class(args.model)
    overrides = {}
    for pair in args.range:
        name, _, text = pair.partition("=")
        name = name.strip()
        if not text or name not in klass.PARAMS:
            raise ModelConfigError(
                f"--range {pair!r}: write NAME=LOW..HIGH or NAME=A,B with NAME one of "
                f"{', '.join(klass.PARAMS) or 'none'}."
            )
        overrides[name] = parse_values(text, klass.PARAMS[name].default)
    names = [n.strip() for n in args.params.split(",") if n.strip()] if args.params else None
    return search_space(args.model, names, overrides)


def _tune_command(args: argparse.Namespace) -> int:
    from recsys.evaluation.metrics import evaluate_model, make_split
    from recsys.evaluation.tuning import tune_and_save
    from recsys.store import Workspace
    from recsys.training import load_data

    seconds = parse_budget(args.budget)
    space = _space(args)  # fail before loading any data
    klass = get_model_class(args.model)
    dataset = load_data(args.data)
    split = None
    data = dataset
    if args.holdout:
        extra = {"seed": args.seed} if args.holdout == "random" else {}
        split = make_split(dataset, args.holdout, test_fraction=0.2, **extra)
        data = split.apply(dataset).train
    print(
        f"Tuning {klass.label} on {dataset.name} ({dataset.n_users:,} users, {dataset.n_items:,} "
        f"items, {dataset.n_interactions:,} interactions)"
        + (f"; test split held out: {split.describe()}" if split else "")
    )
    print("Search space: " + "; ".join(d.describe() for d in space.values()))
    print(
        f"Budget: {seconds:g} s"
        + (f" or {args.trials} trials" if args.trials else "")
        + f"; maximising {args.metric}@{args.k} on validation"
    )
    start = time.perf_counter()

    def progress(step: int, total: int, info: dict) -> None:
        if "trial" in info:
            setting = ", ".join(f"{n}={v}" for n, v in info["params"].items())
            print(
                f"  {time.perf_counter() - start:7.1f} s  {info['message']}  [{setting}]",
                flush=True,
            )

    result, model, info = tune_and_save(
        args.model,
        data,
        name=args.name,
        seconds=seconds,
        trials=args.trials,
        metric=args.metric,
        k=args.k,
        space=space,
        like=split,
        seed=args.seed,
        progress=progress,
        workspace=Workspace(args.workspace),
        overwrite=args.overwrite,
    )
    best = ", ".join(f"{n}={result.best_params[n]}" for n in result.space)
    print(
        f"{len(result.table)} trials in {result.seconds:.1f} s (stopped by {result.stopped}). "
        f"Best on validation: {args.metric}@{args.k} {result.best_value:.4f} with {best}"
    )
    if split is not None:
        held = split.apply(dataset)
        default = klass().fit(held.train)
        for label, m in (("defaults", default), ("tuned", model)):
            r = evaluate_model(m, held, args.k, name=label)
            print(f"Test {args.metric}@{args.k}, {label}: {r.metrics[args.metric]:.4f}")
    print(f"Saved '{info.name}' in {info.path}")
    return 0
