"""PureSVD: a truncated SVD of the (optionally normalised) interaction matrix."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from recsys.data.dataset import Dataset
from recsys.errors import ModelConfigError
from recsys.linalg import sparse_svd
from recsys.models.base import Param, Progress, Recommender


class PureSVD(Recommender):
    """R ~ U S V^T; user vectors U*S, item vectors V; score = u . v (Cremonesi et al. 2010)."""

    key = "svd"
    label = "PureSVD"
    description = (
        "Truncated singular value decomposition of the user x item matrix. Fast, deterministic, "
        "and a strong baseline for top-N ranking."
    )
    PARAMS = {
        "factors": Param(20, "Number of singular vectors kept (embedding size).", min=1, max=1024),
        "binarize": Param(
            True, "Treat every interaction as 1 (ignore rating values) before the SVD."
        ),
        "normalize_items": Param(
            0.0,
            "Divide each item column by popularity^exponent; 0 keeps raw values, 0.5 damps "
            "popular items.",
            min=0.0,
            max=1.0,
        ),
        "seed": Param(42, "Random seed of the sparse SVD solver's start vector.", min=0),
    }

    def _fit(self, dataset: Dataset, progress: Progress) -> None:
        m = self.user_items_.astype(np.float64)
        if self.binarize:
            m = m.copy()
            m.data[:] = 1.0
        if self.normalize_items:
            pop = np.asarray(m.getnnz(axis=0), dtype=np.float64)
            pop[pop == 0] = 1.0
            m = m @ sp.diags(pop ** -float(self.normalize_items))
        k = min(int(self.factors), min(m.shape) - 1)
        if k < 1:
            raise ModelConfigError("PureSVD needs at least 2 users and 2 items.")
        self._report(progress, 0, 1, info="computing SVD")
        u, s, vt = sparse_svd(m, k, self.seed)
        self.singular_values_ = s.astype(np.float32)
        self.user_factors_ = (u * s).astype(np.float32)
        self.item_factors_ = vt.T.astype(np.float32).copy()
        self._report(progress, 1, 1, explained=float((s**2).sum()))
