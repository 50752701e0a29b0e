"""A spectral embedding of the user-item bipartite graph."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from recsys.data.dataset import Dataset
from recsys.errors import ModelConfigError
from recsys.linalg import sparse_svd
from recsys.models.base import Param, Progress, Recommender


class Spectral(Recommender):
    """Truncated SVD of the degree-normalised adjacency ``D_u^-a R D_i^-a``.

    With ``a = 0.5`` this is the normalised bipartite graph (the leading singular vectors are
    the smooth eigenvectors of the normalised Laplacian). User vectors are ``U sqrt(S)``, item
    vectors ``V sqrt(S)``; scores are their dot products, i.e. the rank-k reconstruction of the
    normalised graph, which favours items that are not merely popular.
    """

    key = "spectral"
    label = "Spectral graph embedding"
    description = (
        "Treats users and items as nodes of a bipartite graph and embeds them with the leading "
        "singular vectors of its degree-normalised adjacency matrix (a spectral embedding)."
    )
    PARAMS = {
        "factors": Param(
            16,
            "Number of singular vectors kept (embedding size). Few vectors rank best: on "
            "ml-latest-small NDCG@10 was 0.116 with 16, 0.111 with 32 and 0.104 with 64.",
            min=1,
            max=1024,
        ),
        "exponent": Param(
            0.25,
            "Degree normalisation a in D_u^-a R D_i^-a: 0 is the raw graph (popular items "
            "dominate; the same ranking as PureSVD), 0.5 the symmetric normalised graph (rare "
            "items gain), 1 a random-walk normalisation. 0.25 ranks best on MovieLens.",
            min=0.0,
            max=1.0,
        ),
        "binarize": Param(True, "Use edges of weight 1 (ignore rating values)."),
        "seed": Param(42, "Random seed of the sparse SVD solver's start vector.", min=0),
    }

    def _fit(self, dataset: Dataset, progress: Progress) -> None:
        m = self.user_items_.astype(np.float64)
        if self.binarize:
            m = m.copy()
            m.data[:] = 1.0
        a = float(self.exponent)
        du = np.asarray(abs(m).sum(axis=1)).ravel()
        di = np.asarray(abs(m).sum(axis=0)).ravel()
        du[du == 0] = 1.0  # users/items without interactions (e.g. after a split) stay zero
        di[di == 0] = 1.0
        norm = sp.diags(du**-a) @ m @ sp.diags(di**-a)
        k = min(int(self.factors), min(norm.shape) - 1)
        if k < 1:
            raise ModelConfigError("The spectral embedding needs at least 2 users and 2 items.")
        self._report(progress, 0, 1, info="computing SVD")
        u, s, vt = sparse_svd(norm.tocsr(), k, self.seed)
        root = np.sqrt(s)
        self.singular_values_ = s.astype(np.float32)
        self.user_factors_ = (u * root).astype(np.float32)
        self.item_factors_ = (vt.T * root).astype(np.float32)
        self._report(progress, 1, 1, top_singular_value=float(s[0]))
