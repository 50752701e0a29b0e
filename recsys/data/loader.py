"""Public entry points: load a path or an upload into a :class:`Dataset` in one call."""

from __future__ import annotations

from pathlib import Path

from recsys.data.build import BuildOptions, build_dataset
from recsys.data.dataset import Dataset
from recsys.data.layouts import ColumnMapping, Detection, detect
from recsys.data.readers import open_source
from recsys.progress import Progress, report_fraction


def inspect_path(path: str | Path) -> Detection:
    """Open a file, folder or archive and detect its layout (reads the interactions table)."""
    return detect(open_source(Path(path)))


def inspect_upload(name: str, data: bytes) -> Detection:
    """Like :func:`inspect_path` for uploaded bytes; ``name`` is the uploaded file's name."""
    return detect(open_source(bytes(data), name=name))


def load_path(
    path: str | Path,
    mapping: ColumnMapping | None = None,
    options: BuildOptions | None = None,
    progress: Progress | None = None,
) -> Dataset:
    """Load a CSV/TSV/Parquet file, a ``.gz``, a ``.zip`` or a folder into a Dataset.

    Parameters
    ----------
    path : str or Path
        The file, archive or folder.
    mapping : ColumnMapping, optional
        Which columns hold users, items, ratings, times (detected when omitted).
    options : BuildOptions, optional
        Feedback, binarisation, duplicates policy, filters, time window.
    progress : callable, optional
        ``progress(step, total, info)`` (:mod:`recsys.progress`).

    Raises
    ------
    DataError
        With a message that says what is wrong, where, and what to do.
    """
    report_fraction(progress, 0.0, "Reading the file")
    return build_dataset(inspect_path(path), mapping, options, progress)


def load_upload(
    name: str,
    data: bytes,
    mapping: ColumnMapping | None = None,
    options: BuildOptions | None = None,
    progress: Progress | None = None,
) -> Dataset:
    """Load uploaded bytes (the file name's extension is only a hint)."""
    report_fraction(progress, 0.0, "Reading the file")
    return build_dataset(inspect_upload(name, data), mapping, options, progress)
