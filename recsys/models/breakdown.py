"""How a model's scores split into parts: what ``Recommender.explain`` returns.

Three kinds, chosen by the model itself:

- ``"history"``: one term per history item (ALS's exact decomposition, EASE's ``x_uj · B_ji``).
- ``"factors"``: one term per latent factor (``u_f · v_f``) plus bias terms.
- ``"none"``: the model does not personalise; the one term is the score itself.

In every kind the contributions of a target item sum to ``totals`` exactly; ``model_scores``
are the scores the model ranked with (for ALS they can differ slightly from a fresh solve).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

KIND_HISTORY = "history"
KIND_FACTORS = "factors"
KIND_NONE = "none"


@dataclass
class ScoreBreakdown:
    """Contributions of each term to the scores of several target items.

    Attributes
    ----------
    kind : str
        "history", "factors" or "none".
    method : str
        One line saying exactly what was decomposed.
    contributions : np.ndarray
        (n_terms, n_targets), float64.
    model_scores : np.ndarray
        (n_targets,) the scores the model ranks with.
    terms : np.ndarray
        "history": the history item indices (the profile's items, in its order);
        "factors": labels such as "factor 3", "item bias"; "none": one label.
    weights : np.ndarray or None
        "history": the weight each history item enters with (ALS confidence, EASE x_uj).
    user_values, item_values : np.ndarray or None
        "factors": the user vector per term (NaN for biases) and the item values
        (n_terms, n_targets; NaN for biases).
    """

    kind: str
    method: str
    contributions: np.ndarray
    model_scores: np.ndarray
    terms: np.ndarray
    weights: np.ndarray | None = None
    user_values: np.ndarray | None = None
    item_values: np.ndarray | None = None

    @property
    def totals(self) -> np.ndarray:
        """The scores the contributions add up to, per target item."""
        return self.contributions.sum(axis=0)
