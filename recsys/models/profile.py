"""Whose history a model scores, folds in or explains: a training user's row or a visitor's picks.

A model method never needs more than ``items`` (item indices), ``values`` (the raw values as
given: ratings, counts or 1s) and ``user_index`` (the training user this row belongs to, or None
for a visitor). The remaining fields only say how to *show* the history (ratings or plain picks).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from recsys.errors import ModelConfigError


@dataclass
class Profile:
    """A history to score: item indices with their values, and whose it is.

    Attributes
    ----------
    items : np.ndarray
        Item indices (int64).
    values : np.ndarray
        The values as given (before any model transform such as binarising or ``alpha``).
    user_index : int or None
        The training user whose row this is; None for a visitor (fold-in needed).
    explicit : bool
        True when ``values`` are ratings (sentences then say "you rated X 5★").
    rated : np.ndarray or None
        Visitor only: which items carry a rating the visitor gave (the others a default).
    shown : np.ndarray or None
        The values to show when the model saw transformed ones (raw ratings of a binarised model).
    """

    items: np.ndarray
    values: np.ndarray
    user_index: int | None = None
    explicit: bool = True
    rated: np.ndarray | None = None
    shown: np.ndarray | None = None

    @property
    def visitor(self) -> bool:
        return self.user_index is None

    @classmethod
    def of_user(cls, model, dataset=None, user: str | None = None) -> Profile:
        """A training user's own row, as the model saw it (raw values kept for display)."""
        u = model.user_ids_.index(user)
        row = model.user_items_[u]
        explicit = dataset is None or dataset.feedback == "explicit"
        shown = None
        if dataset is not None and dataset.n_users == len(model.user_ids_):
            raw = dataset.matrix[u]
            if np.array_equal(raw.indices, row.indices):  # the model may have binarised values
                shown = raw.data.astype(np.float64)
        return cls(
            row.indices.astype(np.int64), row.data.astype(np.float64), u, explicit, shown=shown
        )

    @classmethod
    def of_items(
        cls,
        model,
        items: list[str],
        weights: list[float] | None = None,
        explicit: bool = False,
        rated: list[bool] | None = None,
    ) -> Profile:
        """A visitor's picks; ``explicit`` when ``weights`` are ratings (``rated`` says which of
        them the visitor actually gave, the others being a default)."""
        if not items:
            raise ModelConfigError("Pick at least one item to build a profile.")
        idx = model.item_ids_.indices(items)
        mask = None if rated is None else np.asarray(rated, dtype=bool)
        return cls(idx, weights_array(weights, len(idx)), None, explicit, mask)


def weights_array(weights: list[float] | None, n: int) -> np.ndarray:
    """``weights`` as float64, or ones when not given; one weight per item or a clear error."""
    if weights is None:
        return np.ones(n, dtype=np.float64)
    w = np.asarray(weights, dtype=np.float64)
    if w.shape != (n,):
        raise ModelConfigError(f"got {len(w)} weights for {n} items; give one weight per item")
    return w
