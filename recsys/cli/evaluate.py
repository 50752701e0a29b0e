"""``recsys evaluate``: compare models on one split, print the leaderboard, save the run.

Example::

    recsys evaluate --data demo --split temporal --k 10 --models als,bpr,svd,popular

Without ``--split`` the split follows the data: temporal when it has times, random when not.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from typing import Any

from recsys.errors import ModelConfigError
from recsys.evaluation.comparison import ModelSpec, parse_model_list, run_comparison
from recsys.evaluation.metrics import (
    DEFAULT_K,
    MAX_TEST_USERS,
    METRIC_DEFINITIONS,
    SPLIT_KINDS,
    bucket_table,
    default_split_kind,
    make_split,
    sample_note,
    split_unavailable_reason,
)
from recsys.store import Workspace


def add_evaluate_command(sub: Any) -> None:
    """Register ``recsys evaluate`` on the CLI's sub-parser group."""
    p = sub.add_parser(
        "evaluate",
        help="compare models on a held-out split and save the run",
        description=(
            "Train each model on the training part of a split, rank every training item for "
            "each test user (their training items excluded) and print ranking metrics at K. "
            "The popularity and random baselines are always included. The run (split, "
            "metrics, per-user results) is saved in the workspace and shows on the Evaluate page."
        ),
    )
    p.add_argument(
        "--data", required=True,
        help="'demo' or a path to a CSV/Parquet/zip file or folder (a relative name is looked up "
        "in $RECSYS_DATA_DIR when that is set)",
    )
    p.add_argument(
        "--split", default=None, choices=SPLIT_KINDS,
        help="split kind (default: temporal when the data has times, random when it has none)",
    )
    p.add_argument("--test-fraction", type=float, default=0.2, help="share held out per user, or after the cutoff (default 0.2)")
    p.add_argument("--test-count", type=int, default=None, help="hold out the latest/random N per user instead of a share")
    p.add_argument("--cutoff", type=int, default=None, help="time_cutoff split: the cutoff in seconds since the epoch")
    p.add_argument("--seed", type=int, default=42, help="random split seed (default 42)")
    p.add_argument("--k", type=int, default=DEFAULT_K, help="length of each recommendation list (default 10)")
    p.add_argument("--models", default="als,bpr,svd,popular", help="comma-separated model keys (default als,bpr,svd,popular)")
    p.add_argument(
        "--param", action="append", default=[], metavar="MODEL.NAME=VALUE",
        help="a hyperparameter for one model, e.g. --param als.factors=128 (repeatable)",
    )
    p.add_argument(
        "--max-test-users", type=int, default=MAX_TEST_USERS, metavar="N",
        help=f"evaluate a seeded sample of N test users when there are more (default {MAX_TEST_USERS:,}; 0: all)",
    )
    p.add_argument("--sample-seed", type=int, default=0, help="seed of that sample (default 0)")
    p.add_argument("--no-baselines", action="store_true", help="do not add the popularity and random baselines")
    p.add_argument("--workspace", help="workspace folder (default: $RECSYS_WORKSPACE or ./workspace)")
    p.add_argument("--no-save", action="store_true", help="do not save the run")
    p.add_argument("--json", action="store_true", help="print the leaderboard as JSON instead of a table")
    p.add_argument("--by-activity", action="store_true", help="also print NDCG by user activity bucket")
    p.set_defaults(handler=_evaluate_command)


def _apply_params(specs: list[ModelSpec], pairs: list[str]) -> None:
    by_key = {s.key: s for s in specs}
    for pair in pairs:
        target, _, value = pair.partition("=")
        key, _, name = target.partition(".")
        if not value or not name:
            raise ModelConfigError(f"--param {pair!r}: write it as MODEL.NAME=VALUE, e.g. als.factors=128")
        if key not in by_key:
            raise ModelConfigError(f"--param {pair!r}: model {key!r} is not in --models")
        from recsys.models.registry import get_model_class

        klass = get_model_class(key)
        if name not in klass.PARAMS:
            raise ModelConfigError(
                f"--param {pair!r}: {klass.label} has no hyperparameter {name!r}; it takes "
                f"{', '.join(sorted(klass.PARAMS)) or 'none'}."
            )
        default = klass.PARAMS[name].default
        if isinstance(default, bool):
            cast: Any = value.lower() in ("1", "true", "yes", "on")
        elif isinstance(default, int | float):
            try:
                cast = type(default)(float(value)) if isinstance(default, int) else float(value)
            except ValueError:
                raise ModelConfigError(f"--param {pair!r}: {value!r} is not a number") from None
        else:
            cast = value
        by_key[key].params.update(klass.validate_params({name: cast}))


def _evaluate_command(args: argparse.Namespace) -> int:
    from recsys.evaluation.runs import save_run
    from recsys.training import load_data

    specs = parse_model_list(args.models)
    _apply_params(specs, args.param)
    dataset = load_data(args.data)
    out = sys.stderr if args.json else sys.stdout
    kind = args.split or default_split_kind(dataset)
    if args.split is None:
        why = "the data has times" if dataset.has_timestamps else "the data has no time column"
        print(f"No --split given: using the {kind} split ({why}).", file=out)
    elif split_unavailable_reason(dataset, kind) is not None:
        print(
            f"Warning: this data has no time column, so --split {kind} holds out rows by their "
            "position in the file, not by what users did next; --split random is the meaningful "
            "choice.",
            file=sys.stderr,
        )
    if kind == "time_cutoff":
        split = make_split(dataset, "time_cutoff", cutoff=args.cutoff, test_fraction=args.test_fraction)
    elif kind == "random":
        split = make_split(dataset, "random", test_fraction=args.test_fraction, test_count=args.test_count, seed=args.seed)
    else:
        split = make_split(dataset, "temporal", test_fraction=args.test_fraction, test_count=args.test_count)
    print(
        f"{dataset.name}: {dataset.n_users:,} users, {dataset.n_items:,} items, "
        f"{dataset.n_interactions:,} interactions. Split: {split.describe()}. K={args.k}.",
        file=out,
    )
    start = time.perf_counter()
    last = [""]

    def progress(step: int, total: int, info: dict) -> None:
        head = info.get("message", "").split(":")[0]
        if head != last[0]:  # one line per model phase, not per batch
            last[0] = head
            print(f"  {time.perf_counter() - start:7.1f} s  {head}", file=out, flush=True)

    comparison = run_comparison(
        dataset, split, specs, k=args.k, include_baselines=not args.no_baselines, progress=progress,
        max_test_users=args.max_test_users or None, sample_seed=args.sample_seed,
    )
    note = sample_note(comparison.results[0].extra) if comparison.results else None
    if note:
        print(f"Evaluated on {note} (--max-test-users 0 scores them all).", file=out)
    if args.json:
        print(json.dumps(comparison.leaderboard().to_dict(orient="records"), indent=2, default=str))
    else:
        print()
        print(comparison.format_leaderboard())
        print()
        print("NDCG uses binary gains; Precision@K = hits / K. Definitions: see the Evaluate page or")
        print(f"  recsys.evaluation.metrics.METRIC_DEFINITIONS ({len(METRIC_DEFINITIONS)} metrics).")
    if args.by_activity:
        for r in comparison.results:
            print(f"\n{r.name}: NDCG@{args.k} by training interactions per user", file=out)
            print(bucket_table(r.per_user).to_string(), file=out)
    if not args.no_save:
        path = save_run(comparison, Workspace(args.workspace))
        print(f"Saved run {comparison.run_id} in {path}", file=out)
    return 0
