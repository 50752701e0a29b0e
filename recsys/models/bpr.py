"""BPR: Bayesian Personalised Ranking (Rendle et al. 2009), LearnBPR with uniform negatives.

Why not ``implicit``'s BPR (used before): it draws the negative item of each (user, seen, unseen)
triple from the interaction list, i.e. in proportion to popularity. That teaches the model to
push popular items down, which is the opposite of what top-N accuracy rewards: on
ml-latest-small (temporal split) it stayed below the most-popular baseline at any learning rate
we tried (NDCG@10 0.070-0.100 against popular 0.088 and ALS 0.113). Rendle's LearnBPR draws the
negative uniformly from the catalogue, as cornac's BPR does; cornac installs ~104 MB plus
``powerlaw``/matplotlib for this one model and has no per-epoch callback for progress and cancel,
so the SGD loop is written here with numba (already used by the rating model), ~40 lines.

What brought it to ALS's level on ml-latest-small (per-user random split, NDCG@10; ALS 0.332,
the first version 0.290): drawing each step's *user* uniformly and then one of their items
(instead of every interaction once, which lets heavy users dominate) 0.305; AdaGrad steps
instead of one global learning rate, with small initial factors (0.01), 0.321; the harder of
two uniform negatives (dynamic negative sampling, Zhang et al. 2013) 0.328; ~200 passes 0.33.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from recsys.data.dataset import Dataset
from recsys.models.base import Param, Progress, Recommender


@njit(cache=True, nogil=True)
def _seed(seed):  # pragma: no cover - numba
    np.random.seed(seed)


@njit(cache=True, nogil=True)
def _bpr_epoch(
    indptr, indices, users, positives, P, Q, b, GP, GQ, Gb, lr, reg, negatives
):  # pragma: no cover - numba
    """One pass over the sampled (user, seen item) pairs, each against an unseen item.

    The unseen item is the higher-scored of ``negatives`` uniform draws (1 = plain uniform).
    Steps are AdaGrad's: ``lr / sqrt(sum of squared gradients so far)`` per coordinate, with
    the sums in ``GP``, ``GQ``, ``Gb``. Returns (pairs ranked correctly before the update,
    -sum log sigmoid, pairs used).
    """
    n_items = Q.shape[0]
    k = P.shape[1]
    correct = 0
    loss = 0.0
    used = 0
    for t in range(users.shape[0]):
        u = users[t]
        i = positives[t]
        start, end = indptr[u], indptr[u + 1]
        if end - start >= n_items:
            continue  # the user has seen everything: no negative exists
        j = -1
        best = -np.inf
        for _ in range(negatives):
            while True:  # uniform among the items the user has not seen
                c = np.random.randint(0, n_items)
                pos = np.searchsorted(indices[start:end], c)
                if pos >= end - start or indices[start + pos] != c:
                    break
            if negatives == 1:
                j = c
                break
            s = b[c]
            for f in range(k):
                s += P[u, f] * Q[c, f]
            if s > best:
                best = s
                j = c
        x = b[i] - b[j]
        for f in range(k):
            x += P[u, f] * (Q[i, f] - Q[j, f])
        if x > 0:
            correct += 1
        # z = sigmoid(-x) = d(-log sigmoid(x))/dx, computed stably
        if x >= 0:
            e = np.exp(-x)
            z = e / (1.0 + e)
            loss += np.log1p(e)
        else:
            e = np.exp(x)
            z = 1.0 / (1.0 + e)
            loss += -x + np.log1p(e)
        used += 1
        g = z - reg * b[i]
        Gb[i] += g * g
        b[i] += lr * g / np.sqrt(Gb[i])
        g = -z - reg * b[j]
        Gb[j] += g * g
        b[j] += lr * g / np.sqrt(Gb[j])
        for f in range(k):
            pu = P[u, f]
            qi = Q[i, f]
            qj = Q[j, f]
            g = z * (qi - qj) - reg * pu
            GP[u, f] += g * g
            P[u, f] += lr * g / np.sqrt(GP[u, f])
            g = z * pu - reg * qi
            GQ[i, f] += g * g
            Q[i, f] += lr * g / np.sqrt(GQ[i, f])
            g = -z * pu - reg * qj
            GQ[j, f] += g * g
            Q[j, f] += lr * g / np.sqrt(GQ[j, f])
    return correct, loss, used


class BPR(Recommender):
    """Pairwise ranking: a seen item should score above an unseen one.

    Scores are ``u . v + b_i`` (the item bias is kept apart from the embeddings, so
    ``item_factors_`` are pure vectors). Each epoch draws as many (user, seen item) pairs as
    there are interactions: the user uniformly, then one of their items; the unseen item is
    the higher-scored of ``negatives`` uniform draws. Steps are AdaGrad's. The SGD runs on one
    thread, so a seed gives the same factors.
    """

    key = "bpr"
    label = "BPR (pairwise ranking)"
    description = (
        "Bayesian Personalised Ranking: learns embeddings so that items a user interacted with "
        "rank above items they did not (negatives drawn uniformly from the catalogue, the "
        "harder of two by default). Ignores rating values. Progress shows the share of sampled "
        "(seen, unseen) pairs ranked correctly. Iterations 0 = chosen from the data size."
    )
    PARAMS = {
        "factors": Param(
            128, "Embedding size: number of latent factors per user and item.", min=1, max=1024
        ),
        "iterations": Param(
            0,
            "Passes of stochastic gradient descent (each draws as many pairs as there are "
            "interactions); 0 = chosen from the data size (small data needs more passes: about "
            "16 million updates in all, between 20 and 200 passes).",
            min=0,
            max=2000,
        ),
        "learning_rate": Param(
            0.1,
            "AdaGrad's step size (each coordinate's step shrinks with its past gradients).",
            min=1e-4,
            max=1.0,
            log=True,
        ),
        "regularization": Param(
            0.005,
            "L2 penalty on the factors and item biases; larger values give smoother embeddings.",
            min=1e-6,
            max=1.0,
            log=True,
        ),
        "negatives": Param(
            2,
            "Unseen items drawn per step; the highest-scored one is used (1 = plain uniform "
            "BPR; more = harder negatives, slower).",
            min=1,
            max=20,
        ),
        "seed": Param(42, "Random seed of the initial factors and the sampled pairs.", min=0),
    }

    #: "auto" iterations aim at this many SGD updates in all, within [MIN, MAX] passes
    AUTO_UPDATES = 16_000_000
    AUTO_MIN_ITERATIONS = 20
    AUTO_MAX_ITERATIONS = 200
    #: standard deviation of the initial factors (small: the dot products start near 0)
    INIT_SCALE = 0.01

    def _fit(self, dataset: Dataset, progress: Progress) -> None:
        m = self.user_items_.tocsr()
        m.sort_indices()
        nnz = max(m.nnz, 1)
        self.iterations_ = int(self.iterations) or int(
            np.clip(
                round(self.AUTO_UPDATES / nnz), self.AUTO_MIN_ITERATIONS, self.AUTO_MAX_ITERATIONS
            )
        )
        rng = np.random.default_rng(self.seed)
        k = int(self.factors)
        n_users, n_items = m.shape
        # float32 factors: a quarter less CPU than float64 on ml-latest-small, same NDCG@10
        P = rng.normal(0.0, self.INIT_SCALE, (n_users, k)).astype(np.float32)
        Q = rng.normal(0.0, self.INIT_SCALE, (n_items, k)).astype(np.float32)
        b = np.zeros(n_items)
        # AdaGrad's running sums of squared gradients (a tiny start avoids dividing by 0)
        GP, GQ, Gb = np.full_like(P, 1e-8), np.full_like(Q, 1e-8), np.full_like(b, 1e-8)
        indptr = m.indptr.astype(np.int64)
        indices = m.indices.astype(np.int64)
        counts = np.diff(indptr)
        active = np.flatnonzero(counts > 0)
        _seed(int(rng.integers(2**31 - 1)))
        reg = float(self.regularization)
        total = self.iterations_
        for epoch in range(total):
            users = active[rng.integers(0, len(active), m.nnz)]
            positives = indices[
                indptr[users] + (rng.random(m.nnz) * counts[users]).astype(np.int64)
            ]
            correct, loss, used = _bpr_epoch(
                indptr,
                indices,
                users,
                positives,
                P,
                Q,
                b,
                GP,
                GQ,
                Gb,
                float(self.learning_rate),
                reg,
                int(self.negatives),
            )
            used = max(used, 1)
            self._report(progress, epoch + 1, total, accuracy=correct / used, loss=loss / used)
        self.user_factors_ = P.astype(np.float32)
        self.item_factors_ = Q.astype(np.float32)
        self.item_bias_ = b.astype(np.float32)
