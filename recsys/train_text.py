"""What the Train page says: notices about the chosen model, the lines around a run, and the
summary of a finished fit or search.

Pure functions of a model kind, a dataset and a run's record (what :func:`run_record` keeps of a
fitted model), so the wording is tested without Streamlit. Names of datasets are user text:
the page escapes them; model names are sanitised by the workspace (letters, digits,
``-_.`` and spaces).
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from recsys.data.dataset import Dataset
from recsys.evaluation.metrics import metric_label
from recsys.models.base import Recommender
from recsys.models.registry import get_model_class
from recsys.store import ModelInfo
from recsys.training import progress_metric

RATING_MODEL_NOTICE = (
    "Trained for rating prediction (RMSE), not as a top-N ranker: compare it by RMSE on the "
    "Evaluate page; for recommendation lists pick ALS, EASE, PureSVD or BPR."
)
#: what a model's description does not say but a user of the map must know
MODEL_NOTICES = {
    "ease": "EASE has no embeddings of its own: the vectors on the map come from a truncated "
    "SVD of its item-item weight matrix. Recommendations use the exact weights.",
}
TUNE_INTRO = (
    "Optuna's TPE sampler tries settings one after another, each trained on part of the loaded "
    "data and scored on a validation part carved from it (each user's latest 20%, or a random "
    "20% without times). The defaults are tried first. The best setting is then trained on all "
    "the data and saved with its trials."
)
IDLE = (
    "Pick a model and press **Train** (or open **Tune** to search its settings). Progress and "
    "the training loss show here."
)
TRAINING_CANCELLED = "Training cancelled. Nothing was saved; earlier models are unchanged."
TUNING_CANCELLED = "Tuning cancelled. Nothing was saved; earlier models are unchanged."


def dataset_summary(dataset: Dataset) -> str:
    """'610 users · 9,724 items · 100,836 interactions'."""
    return (
        f"{dataset.n_users:,} users · {dataset.n_items:,} items · "
        f"{dataset.n_interactions:,} interactions"
    )


def model_notices(key: str) -> list[str]:
    """What to tell a user about model ``key`` before they train it (empty: nothing)."""
    notices = []
    if not getattr(get_model_class(key), "ranks_items", True):
        notices.append(RATING_MODEL_NOTICE)
    if key in MODEL_NOTICES:
        notices.append(MODEL_NOTICES[key])
    return notices


def preparing_text(dataset: Dataset) -> str:
    """The progress bar's words before the first pass has reported (it can take a while)."""
    return (
        f"Preparing {dataset.n_interactions:,} interactions, then the first pass; progress "
        "shows after each pass (the first can take a while on large data)…"
    )


def trial_row(info: dict[str, Any], metric: str) -> dict[str, Any] | None:
    """One row of the best-so-far table from a search's progress report (None: no trial)."""
    if "trial" not in info:
        return None
    return {
        "trial": info["trial"],
        **info["params"],
        metric: info["value"],
        "fit_seconds": info["fit_seconds"],
    }


def trials_frame(rows: list[dict], params: list[str], metric: str) -> pd.DataFrame:
    """Finished trials, best first, for the best-so-far table."""
    frame = pd.DataFrame(rows)
    if frame.empty:
        return frame
    keep = ["trial", *params, metric, "fit_seconds"]
    return frame[[c for c in keep if c in frame]].sort_values(metric, ascending=False)


def run_record(model: Recommender, info: ModelInfo, tuning: dict | None = None) -> dict:
    """What the page keeps of a completed fit (or search: ``tuning`` is its history) to say
    what happened after it redraws."""
    return {
        "name": info.name,
        "label": info.label,
        "seconds": model.fit_seconds_,
        "history": model.history_,
        **({"tuning": tuning} if tuning is not None else {}),
    }


def run_summary(run: dict) -> str:
    """One sentence on a completed run: what was trained or tuned, how long, saved as what."""
    tuning = run.get("tuning")
    if not tuning:
        return (
            f"Trained **{run['label']}** in {run['seconds']:.1f} s and saved it as "
            f"**{run['name']}**."
        )
    best = ", ".join(f"{n}={tuning['best_params'][n]}" for n in tuning["space"])
    return (
        f"Tuned **{run['label']}**: {len(tuning['trials'])} trials in {tuning['seconds']:.0f} "
        f"s; best {metric_label(tuning['metric'], tuning['k'])} on validation "
        f"{tuning['best_value']:.4f} with {best}. Trained on all the data and saved as "
        f"**{run['name']}**."
    )


def history_caption(run: dict) -> str | None:
    """Under the loss chart: which figure it draws (None when the model reports none)."""
    metric = progress_metric(run["history"])
    return f"Training {metric} per iteration." if metric else None
