"""The workspace: trained models (and evaluation runs) kept on disk across reloads and restarts.

Layout::

    <root>/models/<name>/model.json    metadata (model type, hyperparameters, dataset, times)
    <root>/models/<name>/arrays.npz    factors and ids, loaded with allow_pickle=False
    <root>/runs/...                    evaluation runs (written by recsys.evaluation.metrics)
    <root>/datasets/<fingerprint>/     saved datasets (recsys.dataset_store)
    <root>/users/<name>-<digest>/      one such workspace per signed-in user (when login is on)

The root is ``$RECSYS_WORKSPACE`` or ``./workspace``. A model is first written completely into a
hidden temporary folder and then renamed into place, so killing the process mid-save leaves the
previous state readable. Names are sanitised so ``../../x`` cannot write outside the workspace.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from recsys import __version__
from recsys.atomic import atomic_dir, atomic_write_text, remove_dir
from recsys.errors import StoreError

ENV_VAR = "RECSYS_WORKSPACE"
DEFAULT_ROOT = "workspace"
MODELS_DIR = "models"
RUNS_DIR = "runs"
USERS_DIR = "users"
META_FILE = "model.json"
ARRAYS_FILE = "arrays.npz"
FORMAT = "recsys-explorer-model"
MAX_NAME_LENGTH = 80
_HIDDEN_PREFIXES = (".tmp-", ".trash-")
_STALE_SECONDS = 3600




def sanitize_name(name: str) -> str:
    """A safe folder name for a model: letters, digits, ``-``, ``_``, ``.`` and spaces.

    Path separators and other characters become ``-``; leading dots are removed, so
    ``../../x`` becomes ``x`` and can never leave the workspace.

    Raises
    ------
    StoreError
        When nothing usable is left (e.g. the name is empty or only punctuation).
    """
    text = str(name).strip()
    text = re.sub(r"[^A-Za-z0-9_.\- ]+", "-", text)
    text = re.sub(r"\.{2,}", ".", text)
    text = re.sub(r"-{2,}", "-", text)
    text = re.sub(r"\s+", " ", text)
    text = text.strip(" .-")[:MAX_NAME_LENGTH].strip(" .-")
    if not text:
        raise StoreError(
            f"{name!r} is not a usable model name; use letters, digits, '-', '_' or '.'."
        )
    return text


@dataclass(frozen=True)
class ModelInfo:
    """What the workspace knows about one saved model (read from its ``model.json``)."""

    name: str
    model: str
    label: str
    params: dict[str, Any]
    dataset_fingerprint: str
    dataset_name: str
    fit_seconds: float
    created_at: str
    app_version: str
    has_embeddings: bool
    n_users: int
    n_items: int
    path: Path
    final: dict[str, Any] = field(default_factory=dict)

    def matches(self, fingerprint: str) -> bool:
        """True when the model was trained on the dataset with this fingerprint."""
        return self.dataset_fingerprint == fingerprint

    def summary(self) -> str:
        """One line for lists: label, dataset, when, how long."""
        when = self.created_at.replace("T", " ")[:16]
        return f"{self.label} · {self.dataset_name} · {when} · {self.fit_seconds:.1f} s"


class Workspace:
    """The folder that holds saved models and evaluation runs.

    Parameters
    ----------
    root : str or Path, optional
        Defaults to ``$RECSYS_WORKSPACE`` or ``./workspace``.
    """

    def __init__(self, root: str | Path | None = None) -> None:
        self.root = Path(root or os.environ.get(ENV_VAR) or DEFAULT_ROOT).expanduser().resolve()

    def __repr__(self) -> str:
        return f"Workspace({str(self.root)!r})"

    def for_user(self, identity: str) -> Workspace:
        """The private workspace of one signed-in user: ``<root>/users/<name>-<digest>``.

        ``identity`` is the sign-in identity (e-mail or subject); the readable part is
        sanitised and the digest keeps two identities that sanitise alike apart.
        """
        identity = str(identity).strip()
        if not identity:
            raise StoreError("A personal workspace needs a signed-in identity.")
        digest = hashlib.sha256(identity.encode("utf-8")).hexdigest()[:10]
        try:
            readable = sanitize_name(identity)[:40].strip(" .-")
        except StoreError:
            readable = ""
        return Workspace(self.root / USERS_DIR / (f"{readable}-{digest}" if readable else digest))

    @property
    def models_dir(self) -> Path:
        return self.root / MODELS_DIR

    @property
    def runs_dir(self) -> Path:
        return self.root / RUNS_DIR

    def _ensure(self) -> Path:
        try:
            self.models_dir.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(
                f"Cannot create the workspace folder {self.models_dir} ({exc.strerror}). "
                f"Set {ENV_VAR} to a writable folder."
            ) from exc
        return self.models_dir

    def model_path(self, name: str) -> Path:
        """The folder of model ``name`` (sanitised; always inside the workspace)."""
        path = (self.models_dir / sanitize_name(name)).resolve()
        if path.parent != self.models_dir.resolve():  # defence in depth
            raise StoreError(f"{name!r} would be stored outside the workspace")
        return path

    def exists(self, name: str) -> bool:
        return (self.model_path(name) / META_FILE).exists()

    def unique_name(self, base: str) -> str:
        """``base`` (sanitised) or ``base-2``, ``base-3``... whichever is free."""
        base = sanitize_name(base)
        name, n = base, 1
        while self.model_path(name).exists():
            n += 1
            name = f"{base}-{n}"
        return name

    # ------------------------------------------------------------------ save
    def save_model(
        self,
        model: Any,
        name: str,
        dataset: Any = None,
        overwrite: bool = False,
        extra_meta: dict | None = None,
    ) -> ModelInfo:
        """Save a fitted model under ``name``; returns its :class:`ModelInfo`.

        The model is written into a hidden temporary folder and renamed into place only when
        complete. With ``overwrite=False`` an existing name raises :class:`StoreError`.
        ``extra_meta`` adds JSON-able entries to ``model.json`` (e.g. a tuning history).
        """
        models = self._ensure()
        final = self.model_path(name)
        if final.exists() and not overwrite:
            raise StoreError(
                f"A model named '{final.name}' already exists; choose another name or delete it."
            )
        extra = {
            "name": final.name,
            "label": model.label,
            "has_embeddings": bool(model.has_embeddings),
            "dataset_name": getattr(dataset, "name", "") if dataset is not None else "",
            "n_users": len(model.user_ids_),
            "n_items": len(model.item_ids_),
            "created_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "app_version": __version__,
            **(extra_meta or {}),
        }
        try:
            with atomic_dir(final) as tmp:  # complete folder or none: never half a model
                model.save(tmp, extra_meta=extra)
        except OSError as exc:
            raise StoreError(f"Could not save model '{final.name}' in {models}: {exc}") from exc
        return self.info(final.name)

    # ------------------------------------------------------------------ read
    def info(self, name: str) -> ModelInfo:
        """Metadata of one saved model; :class:`StoreError` when missing or damaged."""
        path = self.model_path(name)
        if not path.exists():
            raise StoreError(f"There is no saved model named '{path.name}' in {self.models_dir}.")
        return _read_info(path)

    def list_models(self) -> tuple[list[ModelInfo], list[str]]:
        """Saved models (newest first) and a list of problems with damaged or foreign entries.

        Damaged or foreign entries are reported, never raised, so a page can list the rest.
        """
        infos: list[ModelInfo] = []
        problems: list[str] = []
        if not self.models_dir.exists():
            return infos, problems
        for entry in sorted(self.models_dir.iterdir()):
            if entry.name.startswith(_HIDDEN_PREFIXES):
                _remove_if_stale(entry)
                continue
            if entry.name.startswith("."):
                continue
            if not entry.is_dir():
                problems.append(
                    f"'{entry.name}' in {self.models_dir} is not a saved model (a stray file); "
                    "it was skipped."
                )
                continue
            try:
                infos.append(_read_info(entry))
            except StoreError as exc:
                problems.append(str(exc))
        infos.sort(key=lambda i: i.created_at, reverse=True)
        return infos, problems

    def load_model(self, name: str) -> Any:
        """Load a saved model (a fitted :class:`~recsys.models.base.Recommender`)."""
        from recsys.models.base import Recommender

        info = self.info(name)
        return Recommender.load(info.path)

    # ------------------------------------------------------------------ manage
    def rename_model(self, old: str, new: str) -> ModelInfo:
        """Rename a saved model; the new name must be free."""
        src = self.model_path(old)
        dst = self.model_path(new)
        if not src.exists():
            raise StoreError(f"There is no saved model named '{src.name}'.")
        if dst == src:
            return self.info(src.name)
        if dst.exists():
            raise StoreError(f"A model named '{dst.name}' already exists; choose another name.")
        meta_path = src / META_FILE
        try:
            meta = json.loads(meta_path.read_text(encoding="utf-8"))
            meta["name"] = dst.name
            atomic_write_text(meta_path, json.dumps(meta, indent=2))
            os.replace(src, dst)
        except (OSError, ValueError) as exc:
            raise StoreError(f"Could not rename '{src.name}' to '{dst.name}': {exc}") from exc
        return self.info(dst.name)

    def delete_model(self, name: str) -> None:
        """Delete a saved model (renamed away first, so a crash never leaves half of it)."""
        path = self.model_path(name)
        if not path.exists():
            raise StoreError(f"There is no saved model named '{path.name}'.")
        try:
            remove_dir(path)
        except OSError as exc:
            raise StoreError(f"Could not delete '{path.name}': {exc}") from exc


def models_frame(infos: list[ModelInfo], other_dataset: bool = False) -> Any:
    """A table of saved models for display (pandas DataFrame, one row per model)."""
    import pandas as pd

    if other_dataset:
        return pd.DataFrame(
            {
                "name": [i.name for i in infos],
                "model": [i.label for i in infos],
                "trained on": [i.dataset_name or "?" for i in infos],
                "dataset fingerprint": [i.dataset_fingerprint for i in infos],
            }
        )
    return pd.DataFrame(
        {
            "name": [i.name for i in infos],
            "model": [i.label for i in infos],
            "created (UTC)": [i.created_at.replace("T", " ")[:19] for i in infos],
            "fit seconds": [round(i.fit_seconds, 2) for i in infos],
            "final figure": [
                ", ".join(
                    f"{k} {v:.4g}"
                    for k, v in i.final.items()
                    if isinstance(v, int | float) and k != "seconds"
                )
                for i in infos
            ],
        }
    )


# ---------------------------------------------------------------------- module-level API
def save_model(model: Any, name: str, dataset: Any = None, overwrite: bool = False) -> ModelInfo:
    """Save into the default workspace (see :class:`Workspace`)."""
    return Workspace().save_model(model, name, dataset, overwrite=overwrite)


def list_models() -> tuple[list[ModelInfo], list[str]]:
    """Models in the default workspace and problems with damaged entries."""
    return Workspace().list_models()


def load_model(name: str) -> Any:
    """Load a model from the default workspace."""
    return Workspace().load_model(name)


def rename_model(old: str, new: str) -> ModelInfo:
    return Workspace().rename_model(old, new)


def delete_model(name: str) -> None:
    Workspace().delete_model(name)


# ---------------------------------------------------------------------- helpers
def _read_info(path: Path) -> ModelInfo:
    meta_path = path / META_FILE
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise StoreError(
            f"'{path.name}' in the workspace has no {META_FILE}; it is damaged or not a saved "
            "model and was skipped. Delete the folder or train the model again."
        ) from None
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise StoreError(
            f"The metadata of '{path.name}' cannot be read ({type(exc).__name__}); it was "
            "skipped. Delete the folder or train the model again."
        ) from None
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        raise StoreError(f"'{path.name}' is not a saved model of this app; it was skipped.")
    if not (path / ARRAYS_FILE).exists():
        raise StoreError(
            f"'{path.name}' has no {ARRAYS_FILE} (its factors are missing); it was skipped."
        )
    try:
        history = meta.get("history") or []
        final = history[-1] if history and isinstance(history[-1], dict) else {}
        return ModelInfo(
            name=path.name,
            model=str(meta["model"]),
            label=str(meta.get("label") or meta["model"]),
            params=dict(meta.get("params") or {}),
            dataset_fingerprint=str(meta["dataset_fingerprint"]),
            dataset_name=str(meta.get("dataset_name", "")),
            fit_seconds=float(meta.get("fit_seconds", 0.0)),
            created_at=str(meta.get("created_at", "")),
            app_version=str(meta.get("app_version", "")),
            has_embeddings=bool(meta.get("has_embeddings", True)),
            n_users=int(meta.get("n_users", 0)),
            n_items=int(meta.get("n_items", 0)),
            path=path,
            final={k: v for k, v in final.items() if k not in ("step", "total")},
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise StoreError(
            f"The metadata of '{path.name}' is incomplete ({type(exc).__name__}: {exc}); it was "
            "skipped."
        ) from None



def _remove_if_stale(entry: Path) -> None:
    """Leftovers of an interrupted save or delete: removed once they are an hour old."""
    try:
        if time.time() - entry.stat().st_mtime > _STALE_SECONDS:
            shutil.rmtree(entry, ignore_errors=True)
    except OSError:
        pass


