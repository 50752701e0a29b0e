"""Data layer: reading files, detecting layouts, building a :class:`Dataset`."""

from recsys.data.build import BuildOptions
from recsys.data.dataset import Dataset, IdMap
from recsys.data.layouts import ColumnMapping, Detection
from recsys.data.loader import inspect_path, inspect_upload, load_path, load_upload

__all__ = [
    "BuildOptions",
    "ColumnMapping",
    "Dataset",
    "Detection",
    "IdMap",
    "inspect_path",
    "inspect_upload",
    "load_path",
    "load_upload",
]
