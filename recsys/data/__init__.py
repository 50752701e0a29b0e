"""Data layer: reading files, detecting layouts, building a :class:`Dataset`."""

from recsys.data.dataset import Dataset, IdMap

__all__ = ["Dataset", "IdMap"]
