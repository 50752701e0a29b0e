"""Training, shared by the Train page and ``recsys train``: one code path for both.

``train_model`` validates hyperparameters, fits with a progress callback (which may raise
:class:`~recsys.errors.TrainingCancelled`), and returns the fitted model. ``train_and_save``
also writes it to the workspace; nothing is written unless the fit completed.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from recsys.data.dataset import Dataset
from recsys.errors import DataError, StoreError
from recsys.models.base import Progress, Recommender
from recsys.models.registry import get_model_class
from recsys.store import ModelInfo, Workspace, sanitize_name


def validated_params(key: str, params: dict[str, Any] | None) -> dict[str, Any]:
    """Hyperparameters for model ``key``, cast and range-checked (unknown names rejected)."""
    return get_model_class(key).validate_params(params)


def train_model(
    key: str,
    params: dict[str, Any] | None,
    dataset: Dataset,
    progress: Progress | None = None,
) -> Recommender:
    """Fit a new model of kind ``key`` on ``dataset``; returns the fitted model."""
    model = get_model_class(key)(**validated_params(key, params))
    return model.fit(dataset, progress)


def default_name(key: str, dataset: Dataset | None = None) -> str:
    """A readable, unique-enough name: ``als-demo-20250101-120000``."""
    stamp = datetime.now(timezone.utc).strftime("%Y%m%d-%H%M%S")
    data = ""
    if dataset is not None:
        try:
            data = sanitize_name(dataset.name.split()[0].lower())[:20] + "-"
        except Exception:  # a name of only punctuation: leave it out
            data = ""
    return f"{key}-{data}{stamp}"


def target_name(ws: Workspace, name: str | None, default: str, overwrite: bool) -> str:
    """The workspace name to save under: ``name`` sanitised, or ``default`` made unique.

    A taken name raises :class:`StoreError` before any time is spent on training.
    """
    if not name:
        return ws.unique_name(default)
    target = sanitize_name(name)
    if ws.model_path(target).exists() and not overwrite:
        raise StoreError(f"A model named '{target}' already exists; choose another name or delete it.")
    return target


def train_and_save(
    key: str,
    params: dict[str, Any] | None,
    dataset: Dataset,
    name: str | None = None,
    progress: Progress | None = None,
    workspace: Workspace | None = None,
    overwrite: bool = False,
) -> tuple[Recommender, ModelInfo]:
    """Train and save under ``name`` (default: :func:`default_name`, made unique)."""
    ws = workspace or Workspace()
    target = target_name(ws, name, default_name(key, dataset), overwrite)
    model = train_model(key, params, dataset, progress)
    info = ws.save_model(model, target, dataset, overwrite=overwrite)
    return model, info


def progress_metric(history: list[dict]) -> str | None:
    """The per-iteration figure a model reports (loss, rmse or accuracy), if any.

    A model may report it after some iterations only (ALS on large data computes its loss at a
    few evenly spaced iterations and the last); the chart then draws those points.
    """
    for name in ("loss", "rmse", "accuracy"):
        if history and any(name in h for h in history):
            return name
    return None


def history_frame(history: list[dict]) -> Any:
    """History as a DataFrame[iteration, <metric>] for a line chart (None without a metric)."""
    import pandas as pd

    metric = progress_metric(history)
    if metric is None:
        return None
    points = [h for h in history if metric in h]
    return pd.DataFrame(
        {"iteration": [h["step"] for h in points], metric: [h[metric] for h in points]}
    )


def progress_text(step: int, total: int, seconds: float, info: dict) -> str:
    """'Iteration 3/15 · 1.2 s · loss 0.0412' for the progress bar."""
    metric = next((m for m in ("loss", "rmse", "accuracy") if m in info), None)
    figure = f" · {metric} {info[metric]:.4g}" if metric else ""
    stage = f" · {info['stage']}" if "stage" in info else ""
    return f"Iteration {step}/{total} · {seconds:.1f} s{figure}{stage}"


# ---------------------------------------------------------------------- data for the CLI
def load_data(spec: str) -> Dataset:
    """``demo`` or a path to a file/folder, read through the data layer.

    When the operator has set ``RECSYS_DATA_DIR``, a relative name is looked up inside that
    folder (and cannot leave it: see :mod:`recsys.data.server_files`).
    """
    if spec.strip().lower() == "demo":
        from recsys.data.demo import load_demo

        return load_demo()
    try:
        from recsys.data import load_path  # written by the data layer
    except ImportError:
        raise DataError(
            f"Cannot read {spec!r}: this version can only train on the demo (use --data demo)."
        ) from None
    from pathlib import Path

    from recsys.data.server_files import data_dir, resolve

    if not Path(spec).is_absolute() and data_dir() is not None:
        return load_path(resolve(spec))
    return load_path(spec)


