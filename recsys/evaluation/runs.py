"""Evaluation runs kept in the workspace: ``<workspace root>/runs/<run id>.json``.

A run holds everything needed to show it again and to compare new models on the same split:
the dataset fingerprint, the split (settings + held-out interactions as a packed bit mask),
K, per-model metrics, settings, fit and evaluation times, and compact per-user results
(hits, NDCG, AP, reciprocal rank per user; precision, recall and hit are derived from hits).
Files are written atomically; damaged or foreign files are reported and skipped when listing.
"""

from __future__ import annotations

import json
import math
import re
import uuid
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from recsys.errors import StoreError
from recsys.evaluation.comparison import Comparison
from recsys.evaluation.metrics import ModelResult, Split, activity_bucket
from recsys.store import RUNS_DIR, Workspace, atomic_write_text

FORMAT = "recsys-explorer-run"
FORMAT_VERSION = 1
_ID_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,80}$")
#: per-user float columns stored per model (rounded), and how many decimals
_PER_USER_FLOATS = {"ndcg": 5, "ap": 5, "rr": 5, "novelty": 3, "avg_popularity": 1}


@dataclass(frozen=True)
class RunInfo:
    """Summary of one saved run, for lists."""

    run_id: str
    created_at: str
    dataset_name: str
    dataset_fingerprint: str
    split: str
    k: int
    models: list[str]
    best: str
    best_ndcg: float
    path: Path

    def summary(self) -> str:
        when = self.created_at.replace("T", " ")[:16]
        return (
            f"{when} · {self.dataset_name} · {self.split} · K={self.k} · "
            f"best {self.best} (NDCG {self.best_ndcg:.3f})"
        )


def runs_dir(workspace: Workspace | str | Path | None = None) -> Path:
    """``<workspace root>/runs``."""
    if isinstance(workspace, Workspace):
        return workspace.runs_dir
    return Workspace(workspace).root / RUNS_DIR


def new_run_id() -> str:
    return datetime.now(timezone.utc).strftime("%Y%m%d-%H%M%S") + "-" + uuid.uuid4().hex[:6]


# ---------------------------------------------------------------------- (de)serialise
def _clean(value: Any) -> Any:
    """JSON-safe: numpy scalars to Python, NaN/inf to None."""
    if isinstance(value, dict):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def comparison_to_dict(comparison: Comparison) -> dict:
    """The JSON form of a run (see the module docstring)."""
    first = comparison.results[0].per_user if comparison.results else pd.DataFrame()
    users = {
        "user_index": first.get("user_index", pd.Series([], dtype=int)).astype(int).tolist(),
        "user": first.get("user", pd.Series([], dtype=object)).astype(str).tolist(),
        "n_train": first.get("n_train", pd.Series([], dtype=int)).astype(int).tolist(),
        "n_test": first.get("n_test", pd.Series([], dtype=int)).astype(int).tolist(),
    }
    models = []
    for r in comparison.results:
        per = r.per_user
        models.append(
            {
                "name": r.name,
                "key": r.key,
                "params": _clean(r.params),
                "metrics": _clean(r.metrics),
                "fit_seconds": _clean(r.fit_seconds),
                "eval_seconds": _clean(r.eval_seconds),
                "extra": _clean(r.extra),
                "per_user": {
                    "hits": per["hits"].astype(int).tolist(),
                    **{
                        col: _clean(np.round(per[col].to_numpy(dtype=float), d).tolist())
                        for col, d in _PER_USER_FLOATS.items()
                    },
                },
            }
        )
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "run_id": comparison.run_id,
        "created_at": comparison.created_at,
        "dataset": {"name": comparison.dataset_name, "fingerprint": comparison.dataset_fingerprint},
        "k": comparison.k,
        "candidates": comparison.candidates,
        "split": comparison.split.to_dict(),
        "users": users,
        "models": models,
    }


def comparison_from_dict(data: dict) -> Comparison:
    """Inverse of :func:`comparison_to_dict` (raises KeyError/ValueError/TypeError when damaged)."""
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ValueError("not an evaluation run of this app")
    if int(data.get("format_version", 0)) > FORMAT_VERSION:
        raise ValueError(f"written by a newer version (format {data['format_version']})")
    k = int(data["k"])
    users = data["users"]
    n_train = np.asarray(users["n_train"], dtype=np.int64)
    n_test = np.asarray(users["n_test"], dtype=np.int64)
    base = pd.DataFrame(
        {
            "user_index": np.asarray(users["user_index"], dtype=np.int64),
            "user": pd.Series(users["user"], dtype=object),
            "n_train": n_train,
            "n_test": n_test,
            "bucket": activity_bucket(n_train),
        }
    )
    results = []
    for m in data["models"]:
        pu = m["per_user"]
        hits = np.asarray(pu["hits"], dtype=np.int64)
        if len(hits) != len(base):
            raise ValueError(f"model {m['name']!r} has {len(hits)} per-user rows, not {len(base)}")
        per = base.copy()
        per["hits"] = hits
        per["precision"] = hits / k
        per["recall"] = hits / np.maximum(n_test, 1)
        per["hit"] = (hits > 0).astype(float)
        for col in _PER_USER_FLOATS:
            per[col] = np.asarray([np.nan if v is None else v for v in pu[col]], dtype=float)
        metrics = {key: (np.nan if v is None else v) for key, v in dict(m["metrics"]).items()}
        results.append(
            ModelResult(
                name=str(m["name"]),
                key=str(m.get("key", "")),
                params=dict(m.get("params") or {}),
                metrics=metrics,
                per_user=per[
                    ["user_index", "user", "n_train", "n_test", "bucket", "hits", "precision",
                     "recall", "ndcg", "ap", "hit", "rr", "novelty", "avg_popularity"]
                ],
                fit_seconds=m.get("fit_seconds"),
                eval_seconds=float(m.get("eval_seconds") or 0.0),
                extra=dict(m.get("extra") or {}),
            )
        )
    return Comparison(
        dataset_name=str(data["dataset"]["name"]),
        dataset_fingerprint=str(data["dataset"]["fingerprint"]),
        split=Split.from_dict(data["split"]),
        k=k,
        results=results,
        created_at=str(data.get("created_at", "")),
        run_id=str(data.get("run_id", "")),
        candidates=str(data.get("candidates", "train")),
    )


# ---------------------------------------------------------------------- files
def _run_path(directory: Path, run_id: str) -> Path:
    if not _ID_PATTERN.match(run_id):
        raise StoreError(f"{run_id!r} is not a valid run id (letters, digits, '-', '_').")
    return directory / f"{run_id}.json"


def save_run(comparison: Comparison, workspace: Workspace | str | Path | None = None) -> Path:
    """Write the run to ``<workspace>/runs/<run id>.json`` atomically; sets ``run_id``."""
    directory = runs_dir(workspace)
    if not comparison.run_id:
        comparison.run_id = new_run_id()
    path = _run_path(directory, comparison.run_id)
    try:
        text = json.dumps(comparison_to_dict(comparison), allow_nan=False, separators=(",", ":"))
        atomic_write_text(path, text)
    except OSError as exc:
        raise StoreError(
            f"Could not save the evaluation run in {directory} ({exc.strerror or exc}). Check "
            "that the workspace folder is writable."
        ) from exc
    return path


def load_run(run_id_or_path: str | Path, workspace: Workspace | str | Path | None = None) -> Comparison:
    """Load a run by id (from the workspace) or by path; :class:`StoreError` when damaged."""
    path = Path(run_id_or_path)
    if path.suffix != ".json":
        path = _run_path(runs_dir(workspace), str(run_id_or_path))
    if not path.exists():
        raise StoreError(f"There is no saved evaluation run '{path.stem}' in {path.parent}.")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return comparison_from_dict(data)
    except Exception as exc:  # damaged or foreign: say which file, never crash the page
        raise StoreError(
            f"The evaluation run '{path.name}' cannot be read ({type(exc).__name__}: {exc}); it "
            "is damaged or not a run of this app. Delete it or run the evaluation again."
        ) from None


def _info(path: Path, data: dict) -> RunInfo:
    models = data["models"]
    best = max(models, key=lambda m: (m["metrics"].get("ndcg") or -1.0)) if models else None
    split = Split.from_dict(data["split"])
    return RunInfo(
        run_id=str(data["run_id"] or path.stem),
        created_at=str(data.get("created_at", "")),
        dataset_name=str(data["dataset"]["name"]),
        dataset_fingerprint=str(data["dataset"]["fingerprint"]),
        split=split.describe(),
        k=int(data["k"]),
        models=[str(m["name"]) for m in models],
        best=str(best["name"]) if best else "",
        best_ndcg=float(best["metrics"].get("ndcg") or 0.0) if best else 0.0,
        path=path,
    )


def list_runs(
    workspace: Workspace | str | Path | None = None, fingerprint: str | None = None
) -> tuple[list[RunInfo], list[str]]:
    """Saved runs (newest first; only those for ``fingerprint`` if given) and problems.

    Damaged or foreign files are reported in the problems list and skipped, never raised.
    """
    directory = runs_dir(workspace)
    infos: list[RunInfo] = []
    problems: list[str] = []
    if not directory.exists():
        return infos, problems
    for path in sorted(directory.glob("*.json")):
        if path.name.startswith("."):
            continue
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            if not isinstance(data, dict) or data.get("format") != FORMAT:
                raise ValueError("not an evaluation run of this app")
            info = _info(path, data)
        except Exception as exc:
            problems.append(
                f"The evaluation run '{path.name}' cannot be read ({type(exc).__name__}); it was "
                "skipped. Delete it or run the evaluation again."
            )
            continue
        if fingerprint is None or info.dataset_fingerprint == fingerprint:
            infos.append(info)
    infos.sort(key=lambda i: (i.created_at, i.run_id), reverse=True)
    return infos, problems


def delete_run(run_id: str, workspace: Workspace | str | Path | None = None) -> None:
    """Delete one saved run."""
    path = _run_path(runs_dir(workspace), run_id)
    if not path.exists():
        raise StoreError(f"There is no saved evaluation run '{run_id}'.")
    path.unlink()
