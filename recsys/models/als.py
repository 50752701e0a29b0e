"""ALS for implicit feedback (Hu, Koren & Volinsky 2008) through the ``implicit`` library."""

from __future__ import annotations

import numpy as np
import scipy.linalg

from recsys.data import weighting as _weighting
from recsys.data.dataset import Dataset
from recsys.errors import ModelConfigError
from recsys.models._threads import single_threaded_blas
from recsys.models.base import Param, Progress, Recommender
from recsys.models.breakdown import KIND_HISTORY, ScoreBreakdown
from recsys.models.profile import Profile

# The training loss costs about a tenth of an ALS iteration (one more pass over the interactions).
# Below this many interactions it is computed after every iteration (a fraction of a second);
# above it, after LOSS_POINTS evenly spaced iterations including the last, so the loss chart keeps
# its shape and the final figure is exact, at a third of the cost (measured at 25M: ~2.4 s a pass).
LOSS_EVERY_ITERATION_NNZ = 2_000_000
LOSS_POINTS = 5
# implicit solves each user's / item's least squares by conjugate gradient (3 steps) or exactly
# (Cholesky). The exact solve is quicker for very few factors: 15 iterations, one thread, on the
# 18.6k-item synthetic catalogue 0.19 s exact vs 0.35 s CG at 2 factors, 0.33 vs 0.40 at 4,
# 0.57 vs 0.54 at 8, 3.2 vs 1.0 at 32 (ml-latest-small: 0.12 vs 0.27 at 2, 0.41 vs 0.42 at 8).
EXACT_SOLVE_UP_TO = 4


def loss_iterations(iterations: int, nnz: int) -> set[int]:
    """The 1-based iterations after which the training loss is computed and reported."""
    if nnz <= LOSS_EVERY_ITERATION_NNZ or iterations <= LOSS_POINTS:
        return set(range(1, iterations + 1))
    step = iterations / LOSS_POINTS
    return {round(step * (p + 1)) for p in range(LOSS_POINTS)} | {iterations}


class ALS(Recommender):
    """Weighted matrix factorisation by alternating least squares.

    Every observed interaction is a positive with confidence ``alpha * w(value)`` (as implicit
    uses it), where ``w`` is the fitted weighting (``weighting_``: log scaling for counts by
    default, binary for ratings; :mod:`recsys.data.weighting`); every unobserved cell is a weak
    negative. Scores are ``u . v``. The factors are implicit's own
    (float32), so implicit's explanations can be recomputed exactly from ``item_factors_``,
    ``user_items_``, ``alpha`` and ``regularization`` (see :meth:`explain`).
    """

    key = "als"
    label = "ALS (implicit feedback)"
    description = (
        "Alternating least squares on the interaction matrix, treating every interaction as a "
        "positive with a confidence weight and everything else as a weak negative. Fast and a "
        "solid default for clicks, plays and ratings alike. Weighting 'auto' (the default): "
        "counts such as plays or clicks are log-scaled (confidence = alpha · log(1 + count)), "
        "ratings are binarised (confidence = alpha)."
    )
    PARAMS = {
        "factors": Param(
            32, "Embedding size: number of latent factors per user and item.", min=1, max=1024
        ),
        "iterations": Param(
            15, "Alternating passes over users and items; 10-20 is usually enough.", min=1, max=200
        ),
        "regularization": Param(
            0.05,
            "L2 penalty on the factors. Larger values give smoother, more popularity-driven "
            "embeddings; smaller values fit the data more closely.",
            min=0.0,
            max=100.0,
            log=True,
        ),
        "alpha": Param(
            2.0,
            "Confidence scaling: an interaction with value r counts with confidence alpha * r. "
            "Raise it (10-40) for sparse click data, keep it low for ratings.",
            min=0.01,
            max=1000.0,
            log=True,
        ),
        "binarize": Param(
            True,
            "With weighting 'auto' on ratings (or 0/1 data): treat every interaction as value 1 "
            "before applying alpha; off, a rating r counts as alpha * r.",
        ),
        "weighting": Param(
            "auto",
            "How interaction values become confidence, before alpha. 'auto': log(1 + count) "
            "for implicit counts (plays, clicks, purchases), binary or raw ratings (see "
            "binarize) for explicit data; 'binary': every interaction 1; 'none': raw values; "
            "'log': log(1 + value); 'bm25': BM25 as in implicit's Last.fm example (counts "
            "saturate, heavily played items damped).",
            choices=_weighting.CHOICES,
        ),
        "seed": Param(
            42, "Random seed of the initial factors; the same seed gives the same factors.", min=0
        ),
        "threads": Param(
            1,
            "CPU threads of the solver; 0 uses every core. One thread leaves the other cores to "
            "other users of the app and is faster on a busy machine (threads wait on each "
            "other). The result is the same for any number of threads.",
            min=0,
            max=256,
        ),
    }

    def _fit(self, dataset: Dataset, progress: Progress) -> None:
        from implicit.cpu._als import calculate_loss
        from implicit.cpu.als import AlternatingLeastSquares

        kind = _weighting.resolve(self.weighting, dataset, bool(self.binarize))
        self.weighting_ = _weighting.Weighting.fit(kind, self.user_items_)
        m = self.weighting_.apply(self.user_items_)
        self.user_items_ = m  # what implicit saw: explanations must read this matrix
        total = int(self.iterations)
        # implicit multiplies by alpha itself; doing it here (and passing alpha=1) gives the same
        # float32 matrix and lets the loss below read exactly what the solver read
        confidence = m.astype(np.float32)  # a copy: user_items_ keeps the unscaled weights
        confidence.data *= np.float32(self.alpha)
        threads = int(self.threads)
        loss_at = loss_iterations(total, m.nnz)

        with single_threaded_blas():
            model = AlternatingLeastSquares(
                factors=int(self.factors),
                regularization=float(self.regularization),
                alpha=1.0,
                iterations=total,
                calculate_training_loss=False,
                random_state=int(self.seed),
                num_threads=threads,
                use_cg=int(self.factors) > EXACT_SOLVE_UP_TO,
            )

            def callback(iteration: int, seconds: float, _loss: float | None) -> None:
                info = {"seconds": float(seconds)}
                if iteration + 1 in loss_at:
                    info["loss"] = float(
                        calculate_loss(
                            confidence,
                            model.user_factors,
                            model.item_factors,
                            float(self.regularization),
                            num_threads=threads,
                        )
                    )
                self._report(progress, iteration + 1, total, **info)

            model.fit(confidence, show_progress=False, callback=callback)
        self.user_factors_ = model.user_factors
        self.item_factors_ = model.item_factors

    # ------------------------------------------------------------------ the user solve
    fold_in_text = "ALS's closed-form user solve"

    @property
    def weighting_description(self) -> str:
        """The fitted weighting in words (for pages and reports)."""
        self._check_fitted()
        return self.weighting_.description

    def confidence(
        self, values: np.ndarray, items: np.ndarray | None = None, user_index: int | None = None
    ) -> np.ndarray:
        """The confidence implicit's ALS gives a history: ``alpha * w(value)``.

        ``w`` is the fitted weighting (binary, raw, log or BM25; negative values, "disliked",
        stay negative). A training user's weights are read from the matrix implicit trained on
        (``user_items_``); a visitor's raw values are weighted here with the same fitted numbers.
        implicit's solve uses c directly where Hu et al. write 1 + alpha * r.
        """
        values = np.asarray(values, dtype=np.float64)
        if user_index is not None and items is not None:
            row = self.user_items_[user_index]
            if np.array_equal(row.indices, np.asarray(items)):
                return float(self.alpha) * row.data.astype(np.float64)
        if items is None:
            items = np.zeros(len(values), dtype=np.int64)
            if self.weighting_.kind == "bm25":
                raise ModelConfigError("BM25 confidence needs the items of the history.")
        return float(self.alpha) * self.weighting_.row(values, items)

    def user_regularization(self, n_items: int) -> float:
        """λ of one user's solve (the same for every user here; Spark scales it by n_items)."""
        return float(self.regularization)

    def _gram(self) -> np.ndarray:
        """YᵀY of the item factors in float64, computed once per fitted model (read-only)."""
        if getattr(self, "_gram_cache", None) is None:
            y = self.item_factors_.astype(np.float64)
            self._gram_cache = y.T @ y
        return self._gram_cache

    def _user_system(self, profile: Profile) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(A, b, c) of the ALS user solve A x = b, the one place it is written.

        A = YᵀY + λI + Σ_j (|c_j| − 1) y_j y_jᵀ, b = Σ_{c_j > 0} c_j y_j (implicit's
        ``user_linear_equation``: a negative confidence weighs the squared error but does not
        pull the user towards the item).
        """
        items = np.asarray(profile.items, dtype=np.int64)
        conf = self.confidence(profile.values, items, profile.user_index)
        y = self.item_factors_[items].astype(np.float64)
        a = self._gram() + self.user_regularization(len(items)) * np.eye(y.shape[1])
        a += y.T @ ((np.abs(conf) - 1.0)[:, None] * y)
        b = y.T @ np.where(conf > 0, conf, 0.0)
        return a, b, conf

    def fold_in(self, profile: Profile) -> np.ndarray:
        """The exact ALS user vector for a history (implicit's ``recalculate_user``)."""
        self._check_fitted()
        a, b, _ = self._user_system(profile)
        return scipy.linalg.solve(a, b, assume_a="pos").astype(np.float32)

    def explain(self, profile: Profile, items: np.ndarray) -> ScoreBreakdown:
        """The score of a fresh user solve as a sum over history items (Hu et al. 2008, §5).

        With W = A⁻¹, x_u = W Σ_j c_j y_j, so score(u, i) = y_iᵀ x_u = Σ_j c_j · y_iᵀ W y_j; this
        is implicit's ``explain``. For a training user the stored vector (what the list was ranked
        with) can differ slightly from the fresh solve, because training ends with an item step;
        ``model_scores`` holds it.
        """
        self._check_fitted()
        items = np.asarray(items, dtype=np.int64)
        a, _, conf = self._user_system(profile)
        weighted = scipy.linalg.cho_solve(
            scipy.linalg.cho_factor(a), self.item_factors_[items].astype(np.float64).T
        )  # W y_i, (k, n)
        y_hist = self.item_factors_[np.asarray(profile.items, dtype=np.int64)].astype(np.float64)
        contributions = np.where(conf > 0, conf, 0.0)[:, None] * (y_hist @ weighted)
        if profile.user_index is None:
            model_scores = contributions.sum(axis=0)  # a visitor is scored with this very solve
        else:
            model_scores = self.item_factors_[items].astype(np.float64) @ self.user_factors_[
                profile.user_index
            ].astype(np.float64)
        return ScoreBreakdown(
            KIND_HISTORY,
            "ALS score of a fresh user solve written as a sum over history items: "
            "c_j · y_iᵀ (YᵀC_uY + λI)⁻¹ y_j (Hu, Koren & Volinsky 2008, §5)",
            contributions,
            model_scores,
            np.asarray(profile.items, dtype=np.int64),
            weights=conf,
        )

    # ------------------------------------------------------------------ persistence
    def _arrays(self) -> dict[str, np.ndarray]:
        out = super()._arrays()
        if self.weighting_.item_norm is not None:
            out["weighting_item_norm"] = self.weighting_.item_norm
        return out

    def _restore(self, arrays: dict[str, np.ndarray]) -> None:
        super()._restore(arrays)
        self._weighting_norm = arrays.get("weighting_item_norm")

    def _extra_meta(self) -> dict:
        return {**super()._extra_meta(), "weighting": self.weighting_.kind}

    def _restore_extra(self, extra: dict) -> None:
        super()._restore_extra(extra)
        # models saved before weighting existed binarised or used raw values
        kind = extra.get("weighting") or ("binary" if self.binarize else "none")
        self.weighting_ = _weighting.Weighting(
            kind, getattr(self, "_weighting_norm", None), len(self.item_ids_)
        )
