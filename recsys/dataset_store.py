"""Saved datasets: a loaded Dataset kept in the workspace so it survives reloads and restarts.

Layout (one folder per dataset, named by its fingerprint, so links and saved models keep
matching it)::

    <root>/datasets/<fingerprint>/dataset.json          name, feedback, scale, report (mapping, options)
    <root>/datasets/<fingerprint>/interactions.parquet  user_index, item_index, value, timestamp
    <root>/datasets/<fingerprint>/user_ids.parquet      external user ids (text), in index order
    <root>/datasets/<fingerprint>/item_ids.parquet      external item ids (text), in index order
    <root>/datasets/<fingerprint>/items.parquet         item metadata (titles, categories, tags...)
    <root>/datasets/<fingerprint>/users.parquet         user metadata
    <root>/datasets/<fingerprint>/cold_items.parquet    items with metadata and no interactions

What is stored is the *built* dataset (after mapping, de-duplication and filters), not the
uploaded file, so loading it back needs no detection and gives the same fingerprint. Ids are
stored as Parquet strings ("007" stays "007"). A dataset is written completely into a hidden
temporary folder and then renamed into place (:func:`recsys.atomic.atomic_dir`).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from recsys import __version__
from recsys.atomic import atomic_dir, remove_dir
from recsys.data.dataset import Dataset, IdMap
from recsys.errors import StoreError
from recsys.store import Workspace

DATASETS_DIR = "datasets"
META_FILE = "dataset.json"
FORMAT = "recsys-explorer-dataset"
_FILES = ("interactions", "user_ids", "item_ids", "items", "users", "cold_items")
_KEY = re.compile(r"^[0-9a-f]{16}$")
_LIST_COLUMNS = ("categories", "tags")


@dataclass(frozen=True)
class DatasetInfo:
    """What the workspace knows about one saved dataset (read from its ``dataset.json``)."""

    key: str
    name: str
    n_users: int
    n_items: int
    n_interactions: int
    feedback: str
    source: str
    created_at: str
    path: Path

    def summary(self) -> str:
        """One line for lists: name, size, when saved."""
        when = self.created_at.replace("T", " ")[:16]
        return (
            f"{self.name} · {self.n_users:,} users · {self.n_items:,} items · "
            f"{self.n_interactions:,} interactions · saved {when}"
        )


class DatasetStore:
    """The saved datasets of a workspace (``<root>/datasets``).

    Parameters
    ----------
    root : str or Path, optional
        The workspace root; defaults as :class:`recsys.store.Workspace` does.
    """

    def __init__(self, root: str | Path | None = None) -> None:
        self.root = Workspace(root).root
        self.dir = self.root / DATASETS_DIR

    def __repr__(self) -> str:
        return f"DatasetStore({str(self.root)!r})"

    def path(self, key: str) -> Path:
        """The folder of saved dataset ``key`` (a fingerprint: 16 hex digits, nothing else)."""
        if not isinstance(key, str) or not _KEY.match(key):
            raise StoreError(
                f"{str(key)[:40]!r} is not a saved dataset key (16 hex digits, as in the link)."
            )
        return self.dir / key

    def exists(self, key: str) -> bool:
        return _KEY.match(str(key)) is not None and (self.dir / key / META_FILE).exists()

    # ------------------------------------------------------------------ save
    def save(self, dataset: Dataset) -> DatasetInfo:
        """Keep ``dataset`` in the workspace (replacing an earlier copy); returns its info.

        The key is the dataset's fingerprint, so saving the same data twice keeps one copy.
        """
        key = dataset.fingerprint
        final = self.path(key)
        meta = {
            "format": FORMAT,
            "key": key,
            "fingerprint": key,
            "name": dataset.name,
            "n_users": dataset.n_users,
            "n_items": dataset.n_items,
            "n_interactions": dataset.n_interactions,
            "feedback": dataset.feedback,
            "rating_scale": list(dataset.rating_scale) if dataset.rating_scale else None,
            "has_timestamps": bool(dataset.has_timestamps),
            "report": dataset.report,
            "created_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "app_version": __version__,
        }
        interactions = pa.table(
            {
                "user_index": pa.array(np.asarray(dataset.user_index, dtype=np.int32)),
                "item_index": pa.array(np.asarray(dataset.item_index, dtype=np.int32)),
                "value": pa.array(np.asarray(dataset.values, dtype=np.float32)),
                "timestamp": pa.array(np.asarray(dataset.timestamps, dtype=np.int64)),
            }
        )
        try:
            with atomic_dir(final) as tmp:
                pq.write_table(interactions, tmp / "interactions.parquet")
                for which, ids in (("user_ids", dataset.user_ids), ("item_ids", dataset.item_ids)):
                    table = pa.table({"id": pa.array(ids.ids.tolist(), type=pa.string())})
                    pq.write_table(table, tmp / f"{which}.parquet")
                for which in ("items", "users", "cold_items"):
                    _write_frame(getattr(dataset, which), tmp / f"{which}.parquet")
                (tmp / META_FILE).write_text(
                    json.dumps(meta, indent=2, default=_json_default), encoding="utf-8"
                )
        except OSError as exc:
            raise StoreError(
                f"Could not keep dataset '{dataset.name}' in {self.dir}: {exc}"
            ) from exc
        return self.info(key)

    # ------------------------------------------------------------------ read
    def info(self, key: str) -> DatasetInfo:
        """Metadata of one saved dataset; :class:`StoreError` when missing or damaged."""
        path = self.path(key)
        meta = _read_meta(path)
        try:
            return DatasetInfo(
                key=path.name,
                name=str(meta["name"]),
                n_users=int(meta["n_users"]),
                n_items=int(meta["n_items"]),
                n_interactions=int(meta["n_interactions"]),
                feedback=str(meta.get("feedback", "")),
                source=str((meta.get("report") or {}).get("source", "")),
                created_at=str(meta.get("created_at", "")),
                path=path,
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise StoreError(
                f"The metadata of saved dataset '{path.name}' is incomplete ({exc}); it was skipped."
            ) from None

    def list(self) -> tuple[list[DatasetInfo], list[str]]:
        """Saved datasets (newest first) and problems with damaged entries (never raised)."""
        infos: list[DatasetInfo] = []
        problems: list[str] = []
        if not self.dir.exists():
            return infos, problems
        for entry in sorted(self.dir.iterdir()):
            if entry.name.startswith("."):
                continue
            try:
                infos.append(self.info(entry.name))
            except StoreError as exc:
                problems.append(str(exc))
        infos.sort(key=lambda i: i.created_at, reverse=True)
        return infos, problems

    def load(self, key: str) -> Dataset:
        """The saved dataset ``key``, exactly as it was saved (same fingerprint)."""
        path = self.path(key)
        meta = _read_meta(path)
        try:
            inter = pq.read_table(path / "interactions.parquet")
            user_ids = IdMap(_read_ids(path / "user_ids.parquet"), "user")
            item_ids = IdMap(_read_ids(path / "item_ids.parquet"), "item")
            scale = meta.get("rating_scale")
            ds = Dataset(
                name=str(meta["name"]),
                user_ids=user_ids,
                item_ids=item_ids,
                user_index=inter["user_index"].to_numpy().astype(np.int32, copy=False),
                item_index=inter["item_index"].to_numpy().astype(np.int32, copy=False),
                values=inter["value"].to_numpy().astype(np.float32, copy=False),
                timestamps=inter["timestamp"].to_numpy().astype(np.int64, copy=False),
                items=_read_frame(path / "items.parquet"),
                users=_read_frame(path / "users.parquet"),
                feedback=str(meta["feedback"]),
                rating_scale=(float(scale[0]), float(scale[1])) if scale else None,
                has_timestamps=bool(meta["has_timestamps"]),
                cold_items=_read_frame(path / "cold_items.parquet"),
                report=dict(meta.get("report") or {}),
            )
        except (OSError, KeyError, TypeError, ValueError, pa.ArrowException) as exc:
            raise StoreError(
                f"Saved dataset '{path.name}' cannot be read ({type(exc).__name__}: {exc}); "
                "delete it and load the file again."
            ) from None
        if ds.fingerprint != meta.get("fingerprint"):
            raise StoreError(
                f"Saved dataset '{path.name}' is damaged (its contents no longer match its "
                "fingerprint); delete it and load the file again."
            )
        return ds

    # ------------------------------------------------------------------ manage
    def delete(self, key: str) -> None:
        """Delete a saved dataset (renamed away first, so a crash never leaves half of it)."""
        path = self.path(key)
        if not path.exists():
            raise StoreError(f"There is no saved dataset '{key}'.")
        try:
            remove_dir(path)
        except OSError as exc:
            raise StoreError(f"Could not delete saved dataset '{key}': {exc}") from exc


# ---------------------------------------------------------------------- helpers
def _json_default(obj: Any) -> Any:
    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, np.ndarray | tuple | set):
        return list(obj)
    if isinstance(obj, Path):
        return str(obj)
    return str(obj)


def _read_meta(path: Path) -> dict:
    try:
        meta = json.loads((path / META_FILE).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise StoreError(
            f"There is no saved dataset '{path.name}' (or its {META_FILE} is missing)."
        ) from None
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise StoreError(
            f"The metadata of saved dataset '{path.name}' cannot be read ({type(exc).__name__})."
        ) from None
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        raise StoreError(f"'{path.name}' is not a saved dataset of this app; it was skipped.")
    return meta


def _read_ids(path: Path) -> list[str]:
    return pq.read_table(path).column("id").to_pylist()


def _write_frame(frame: pd.DataFrame, path: Path) -> None:
    """A metadata frame as Parquet; object columns of mixed types are stored as text."""
    frame = frame.reset_index(drop=True)
    try:
        table = pa.Table.from_pandas(frame, preserve_index=False)
    except (pa.ArrowException, TypeError, ValueError):
        frame = frame.copy()
        for col in frame.columns:
            if frame[col].dtype == object and col not in _LIST_COLUMNS:
                frame[col] = [None if _isna(v) else str(v) for v in frame[col]]
        table = pa.Table.from_pandas(frame, preserve_index=False)
    pq.write_table(table, path)


def _isna(value: Any) -> bool:
    return value is None or (isinstance(value, float) and np.isnan(value))


def _read_frame(path: Path) -> pd.DataFrame:
    """Back to the in-memory conventions: text as object, list columns as Python lists."""
    table = pq.read_table(path)
    frame = table.to_pandas()
    for col in frame.columns:
        if col in _LIST_COLUMNS or (
            len(frame) and isinstance(frame[col].iloc[0], np.ndarray | list)
        ):
            # pyarrow's to_pylist builds the lists in C (a Python loop over numpy arrays was
            # ~0.25 s for 18k items with tags on a busy machine)
            values = table.column(col).to_pylist() if col in table.column_names else frame[col]
            frame[col] = pd.Series(
                [list(v) if isinstance(v, list | tuple | np.ndarray) else [] for v in values],
                index=frame.index,
                dtype=object,
            )
        elif pd.api.types.is_string_dtype(frame[col]) and frame[col].dtype != object:
            frame[col] = frame[col].astype(object)
    return frame
