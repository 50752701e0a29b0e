"""`recsys train`: one ``--flag`` per hyperparameter of any model; trains and saves to the workspace."""

from __future__ import annotations

import argparse
import time
from typing import Any

from recsys.errors import ModelConfigError
from recsys.models.registry import (
    MODEL_PATHS,
    OPTIONAL_MODELS,
    available_models,
    get_model_class,
    unavailable_models,
)
from recsys.spark_session import is_remote as spark_session_remote
from recsys.store import Workspace
from recsys.training import load_data, train_and_save, validated_params


def _param_specs() -> dict[str, tuple[Any, list[str]]]:
    """Every hyperparameter name across all models -> (its first Param, "model=default" list)."""
    specs: dict[str, Any] = {}
    owners: dict[str, list[str]] = {}
    for key in MODEL_PATHS:
        try:
            klass = get_model_class(key)
        except ModelConfigError:
            continue
        for name, spec in klass.PARAMS.items():
            specs.setdefault(name, spec)
            owners.setdefault(name, []).append(f"{key}={spec.default}")
    return {name: (specs[name], owners[name]) for name in specs}


def add_train_command(sub: Any) -> None:
    """Register ``recsys train``; one ``--flag`` per hyperparameter of any model."""
    p = sub.add_parser(
        "train",
        help="train a model and save it to the workspace",
        description="Train a model and save it to the workspace (it then shows up in the app).",
    )
    p.add_argument(
        "--data", required=True, help="'demo' or a path to a CSV/Parquet/zip file or folder"
    )
    p.add_argument(
        "--model",
        default="als",
        choices=sorted(set(available_models()) | set(OPTIONAL_MODELS)),
        help="model kind (default als)",
    )
    p.add_argument(
        "--engine",
        default="local",
        choices=("local", "spark"),
        help="where to train: 'local' (default, this process) or 'spark' (ALS by Spark MLlib; "
        "needs pip install -e '.[spark]' and Java 17; --data may then be any URI Spark reads, "
        "e.g. hdfs://... or s3a://...)",
    )
    p.add_argument(
        "--spark-master",
        metavar="URL",
        help="Spark master for --engine spark (spark://host:7077, yarn, local[4]; default: "
        "$RECSYS_SPARK_MASTER, the one spark-submit set, else local[2])",
    )
    p.add_argument("--name", help="name in the workspace (default: <model>-<data>-<time>)")
    p.add_argument(
        "--workspace", help="workspace folder (default: $RECSYS_WORKSPACE or ./workspace)"
    )
    p.add_argument(
        "--overwrite", action="store_true", help="replace a saved model of the same name"
    )
    group = p.add_argument_group(
        "hyperparameters (each applies to the models listed with their defaults; the help text "
        "is the first model's, see the Train page for each model's own)"
    )
    for name, (spec, owners) in _param_specs().items():
        flag = "--" + name.replace("_", "-")
        text = f"{spec.help} Defaults: {', '.join(owners)}"
        if isinstance(spec.default, bool):
            group.add_argument(
                flag,
                dest=f"hp_{name}",
                action=argparse.BooleanOptionalAction,
                default=None,
                help=text,
            )
        else:
            group.add_argument(flag, dest=f"hp_{name}", default=None, metavar="X", help=text)
    p.set_defaults(handler=_train_command)


def _engine_model(args: argparse.Namespace) -> str:
    """The registry key to train: ``--engine spark`` trains ALS with Spark MLlib."""
    if args.spark_master and args.engine != "spark":
        raise ModelConfigError("--spark-master needs --engine spark.")
    if args.engine != "spark" and args.model not in OPTIONAL_MODELS:
        return args.model
    if args.engine == "spark" and args.model not in ("als", "spark-als"):
        raise ModelConfigError(
            f"--engine spark trains ALS only (Spark MLlib's ALS), not {args.model!r}."
        )
    missing = unavailable_models().get("spark-als")
    if missing:
        raise ModelConfigError(missing)
    from recsys import spark_session

    spark_session.use_master(args.spark_master)
    return "spark-als"


def _train_command(args: argparse.Namespace) -> int:
    params = {k[3:]: v for k, v in vars(args).items() if k.startswith("hp_") and v is not None}
    args.model = _engine_model(args)
    klass = get_model_class(args.model)
    ignored = sorted(set(params) - set(klass.PARAMS))
    if ignored:
        flags = ", ".join("--" + n.replace("_", "-") for n in ignored)
        takes = ", ".join("--" + n.replace("_", "-") for n in klass.PARAMS) or "no hyperparameters"
        raise ModelConfigError(f"{klass.label} does not use {flags}; it takes {takes}.")
    params = validated_params(args.model, params)  # fail before loading any data
    if args.model == "spark-als" and spark_session_remote(args.data):
        from recsys.spark_session import load_with_spark

        print(f"Reading {args.data} with Spark ...", flush=True)
        dataset = load_with_spark(args.data)
    else:
        dataset = load_data(args.data)
    print(
        f"Training {klass.label} on {dataset.name} "
        f"({dataset.n_users:,} users, {dataset.n_items:,} items, {dataset.n_interactions:,} interactions)"
    )
    if args.model == "spark-als":
        from recsys.spark_session import spark_master

        where = spark_master() or "the master spark-submit set"
        print(f"Spark fits on {where}; the factors are collected here and saved.", flush=True)
    start = time.perf_counter()

    def progress(step: int, total: int, info: dict) -> None:
        figures = "  ".join(
            f"{k} {v:.4g}" if isinstance(v, int | float) else str(v)
            for k, v in info.items()
            if k not in ("step", "total", "seconds") and isinstance(v, int | float | str)
        )
        print(f"  [{step:>3}/{total}] {time.perf_counter() - start:7.1f} s  {figures}", flush=True)

    model, info = train_and_save(
        args.model,
        params,
        dataset,
        name=args.name,
        progress=progress,
        workspace=Workspace(args.workspace),
        overwrite=args.overwrite,
    )
    print(f"Saved '{info.name}' ({model.fit_seconds_:.1f} s) in {info.path}")
    return 0
