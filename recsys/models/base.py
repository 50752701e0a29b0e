"""The model protocol every recommender follows.

Learned from implicit's ``RecommenderBase`` and scikit-learn's estimator rules:

- ``__init__`` stores keyword hyperparameters only (declared in ``PARAMS``); ``fit`` validates.
- ``fit(dataset, progress=None) -> self``; ``progress(step, total, info)`` may raise
  :class:`~recsys.errors.TrainingCancelled` to stop training.
- Fitted attributes end in ``_``: ``user_factors_``, ``item_factors_``, ``user_ids_``,
  ``item_ids_``, ``user_items_`` (the training matrix, for "exclude seen" and explanations).
- Every model's maths lives in its own file, behind these public methods:
  ``score_users(users)``, ``score_profile(profile)``, ``fold_in(profile)`` (a visitor's vector),
  ``explain(profile, items)`` (a :class:`~recsys.models.breakdown.ScoreBreakdown` whose terms
  sum to the score) and ``similar_items``. The base class gives factor models the dot-product
  score, a ridge-regression fold-in and the factor + bias decomposition; a model overrides only
  what it does differently (ALS: its exact user solve and history decomposition; EASE: x·B).
- ``save(dir)`` / ``load(dir)``: ``arrays.npz`` (loaded with ``allow_pickle=False``) and
  ``model.json``. Nothing is pickled.

Subclasses implement ``_fit`` and, when scores are not a plain dot product, ``_score_rows``.
Hyperparameters are declared once, in ``PARAMS`` (default, range, help text); the class then
gets an explicit ``__init__`` signature from them (``inspect.signature(ALS)`` lists them), and
``get_params``/``set_params`` like a scikit-learn estimator. ``fit`` validates them into
``params_`` and never rewrites them.
"""

from __future__ import annotations

import inspect
import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import pandas as pd
import scipy.sparse as sp

from recsys.atomic import atomic_write_bytes, atomic_write_text
from recsys.data.dataset import Dataset, IdMap
from recsys.errors import ModelConfigError, NotFittedError, StoreError
from recsys.linalg import cosine_neighbours, normalise_rows, top_k
from recsys.models.breakdown import KIND_FACTORS, KIND_NONE, ScoreBreakdown
from recsys.models.profile import Profile
from recsys.progress import Progress

ARRAYS_FILE = "arrays.npz"
META_FILE = "model.json"


@dataclass(frozen=True)
class Param:
    """One hyperparameter: default, range and the help text the Train page shows."""

    default: Any
    help: str
    min: float | None = None
    max: float | None = None
    choices: tuple | None = None
    log: bool = False  # a log-scale slider suits it (regularisation, learning rate)

    def validate(self, name: str, value: Any) -> Any:
        if isinstance(self.default, tuple):  # list-valued, e.g. hidden layer sizes (600, 200)
            if isinstance(value, str):  # from a CLI flag or a text box: "600, 200"
                value = [v for v in value.replace(";", ",").split(",") if v.strip()]
            values = [value] if isinstance(value, int | float) else list(value)
            if not values:
                raise ModelConfigError(f"{name} needs at least one value")
            item = Param(self.default[0], self.help, self.min, self.max)
            return tuple(item.validate(name, v) for v in values)
        if self.choices is not None:
            if value not in self.choices:
                raise ModelConfigError(f"{name} must be one of {list(self.choices)}, not {value!r}")
            return value
        if isinstance(self.default, bool):
            return bool(value)
        if isinstance(self.default, int | float):
            try:
                value = type(self.default)(value)
            except (TypeError, ValueError):
                raise ModelConfigError(f"{name} must be a number, not {value!r}") from None
            if self.min is not None and value < self.min:
                raise ModelConfigError(f"{name} must be at least {self.min}, not {value}")
            if self.max is not None and value > self.max:
                raise ModelConfigError(f"{name} must be at most {self.max}, not {value}")
        return value


class Recommender:
    """Base class: hyperparameters, fitted state, scoring, ids in and out, save/load."""

    #: registry key, e.g. "als"
    key: ClassVar[str] = ""
    #: human name for the UI
    label: ClassVar[str] = ""
    #: one or two sentences for the Train page
    description: ClassVar[str] = ""
    #: False for baselines that have no vectors
    has_embeddings: ClassVar[bool] = True
    #: hyperparameters
    PARAMS: ClassVar[dict[str, Param]] = {}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        # An explicit signature from PARAMS: help(), IDEs and inspect see every hyperparameter.
        cls.__signature__ = inspect.Signature(
            [
                inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=spec.default)
                for name, spec in cls.PARAMS.items()
            ]
        )

    def __init__(self, **params: Any) -> None:
        for name, spec in self.PARAMS.items():
            setattr(self, name, spec.default)
        self.set_params(**params)

    # ------------------------------------------------------------------ params
    def get_params(self) -> dict[str, Any]:
        """The hyperparameters as given (scikit-learn style)."""
        return {name: getattr(self, name) for name in self.PARAMS}

    def set_params(self, **params: Any) -> Recommender:
        """Set hyperparameters by name; unknown names are an error. Returns self."""
        unknown = set(params) - set(self.PARAMS)
        if unknown:
            raise ModelConfigError(
                f"{self.label or type(self).__name__} has no hyperparameter(s) "
                f"{sorted(unknown)}; known: {sorted(self.PARAMS)}"
            )
        for name, value in params.items():
            setattr(self, name, value)
        return self

    @classmethod
    def validate_params(cls, params: dict[str, Any] | None) -> dict[str, Any]:
        """``params`` cast and range-checked; unknown names rejected with the known ones listed.

        The one validation path: the Train page, the CLI, tuning and comparisons all call it.
        """
        params = dict(params or {})
        unknown = set(params) - set(cls.PARAMS)
        if unknown:
            raise ModelConfigError(
                f"{cls.label or cls.__name__} has no hyperparameter(s) {sorted(unknown)}; "
                f"known: {', '.join(cls.PARAMS) or 'none'}"
            )
        return {name: cls.PARAMS[name].validate(name, value) for name, value in params.items()}

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_params().items())
        return f"{type(self).__name__}({args})"

    # ------------------------------------------------------------------ fit
    def fit(self, dataset: Dataset, progress: Progress | None = None) -> Recommender:
        """Train on ``dataset``; returns self. ``progress(step, total, info)`` reports progress."""
        self.params_ = self.validate_params(self.get_params())  # validated, never written back
        check_trainable(dataset)
        self.user_ids_ = dataset.user_ids
        self.item_ids_ = dataset.item_ids
        self.user_items_ = dataset.matrix.astype(np.float32).tocsr()
        self.dataset_fingerprint_ = dataset.fingerprint
        self.history_: list[dict] = []
        start = time.perf_counter()
        self._fit(dataset, progress or _no_progress)
        self.fit_seconds_ = time.perf_counter() - start
        return self

    def _fit(self, dataset: Dataset, progress: Progress) -> None:  # pragma: no cover
        raise NotImplementedError

    def _report(self, progress: Progress, step: int, total: int, **info: Any) -> None:
        """Record one step of training history and pass it to the progress callback."""
        entry = {"step": step, "total": total, **info}
        self.history_.append(entry)
        progress(step, total, entry)

    @property
    def is_fitted(self) -> bool:
        return hasattr(self, "user_ids_")

    def _check_fitted(self) -> None:
        if not self.is_fitted:
            raise NotFittedError(self.label or type(self).__name__)

    # ------------------------------------------------------------------ scores
    #: Optional fitted biases, added to the dot product when set (BPR's item bias,
    #: the rating model's global mean + user and item biases).
    global_bias_: float = 0.0
    user_bias_: np.ndarray | None = None
    item_bias_: np.ndarray | None = None

    def _score_rows(self, users: np.ndarray) -> np.ndarray:
        """Scores of every item for the given user indices (rows x items).

        Factor models: u . v (+ biases). Models whose score is not a dot product override this.
        """
        scores = self.user_factors_[users] @ self.item_factors_.T
        if self.item_bias_ is not None:
            scores = scores + self.item_bias_[None, :]
        if self.user_bias_ is not None:
            scores = scores + self.user_bias_[users][:, None]
        return scores + self.global_bias_ if self.global_bias_ else scores

    def score_users(self, users: np.ndarray) -> np.ndarray:
        """Scores of every item for a batch of user indices: float array (len(users), n_items)."""
        self._check_fitted()
        return self._score_rows(np.asarray(users, dtype=np.int64))

    def score_vector(self, user_vector: np.ndarray) -> np.ndarray:
        """Scores of every item for a user vector (item biases and global mean included)."""
        scores = self.item_factors_ @ user_vector
        if self.item_bias_ is not None:
            scores = scores + self.item_bias_
        return scores + self.global_bias_ if self.global_bias_ else scores

    def user_scores(self, user: str) -> np.ndarray:
        """Scores of every item for one user (external id), in item-index order."""
        self._check_fitted()
        return self._score_rows(np.array([self.user_ids_.index(user)]))[0]

    def score_profile(self, profile: Profile) -> np.ndarray:
        """Scores of every item for a profile: a training user's own scores, or a visitor's.

        The base class scores a visitor through :meth:`fold_in`; models whose scores are not a
        dot product with a user vector override this.
        """
        self._check_fitted()
        if profile.user_index is not None:
            return self.score_users(np.array([profile.user_index]))[0].astype(np.float64)
        return np.asarray(self.score_vector(self.fold_in(profile)), dtype=np.float64)

    # ------------------------------------------------------------------ ranking
    def recommend(
        self,
        user: str,
        n: int = 10,
        exclude_seen: bool = True,
        allowed: np.ndarray | None = None,
    ) -> pd.DataFrame:
        """Top-``n`` items for one user: DataFrame[item, score, rank] with external ids.

        ``allowed`` is an optional boolean mask over items (filters by category, popularity).
        """
        self._check_fitted()
        return self.recommend_profile(Profile.of_user(self, None, user), n, exclude_seen, allowed)

    def recommend_profile(
        self,
        profile: Profile,
        n: int = 10,
        exclude_seen: bool = True,
        allowed: np.ndarray | None = None,
    ) -> pd.DataFrame:
        """Top-``n`` items for a profile (a user's row or a visitor's picks)."""
        scores = self.score_profile(profile)
        return self.rank(scores, n, profile.items if exclude_seen else None, allowed)

    def rank(
        self,
        scores: np.ndarray,
        n: int,
        exclude: np.ndarray | None = None,
        allowed: np.ndarray | None = None,
    ) -> pd.DataFrame:
        """The top ``n`` of ``scores`` (one :func:`~recsys.linalg.top_k` rule for every list)."""
        scores = np.array(scores, dtype=np.float64)
        if exclude is not None and len(exclude):
            scores[exclude] = -np.inf
        if allowed is not None:
            scores[~np.asarray(allowed, dtype=bool)] = -np.inf
        top = top_k(scores, n)
        top = top[np.isfinite(scores[top])]
        return pd.DataFrame(
            {
                "item": self.item_ids_.to_external(top),
                "score": scores[top],
                "rank": np.arange(1, len(top) + 1),
            }
        )

    # ------------------------------------------------------------------ neighbours
    def require_embeddings(self, what: str) -> None:
        if not self.has_embeddings:
            raise ModelConfigError(
                f"{self.label} has no embeddings, so it cannot give {what}; "
                "pick a factor model such as ALS or PureSVD."
            )

    def unit_item_factors(self) -> np.ndarray:
        """Item vectors scaled to unit length (computed once per fitted model)."""
        if getattr(self, "_unit_items", None) is None:
            self._unit_items = normalise_rows(self.item_factors_)
        return self._unit_items

    def similar_items(self, item: str, n: int = 10) -> pd.DataFrame:
        """Nearest items by cosine, the item itself excluded: DataFrame[item, score, rank, reason]."""
        self._check_fitted()
        self.require_embeddings("similar items")
        top, sims = cosine_neighbours(self.unit_item_factors(), self.item_ids_.index(item), n)
        return _neighbour_frame(top, sims, self.item_ids_, "item")

    def similar_users(self, user: str, n: int = 10) -> pd.DataFrame:
        """Nearest users by cosine, the user excluded: DataFrame[user, score, rank, reason]."""
        self._check_fitted()
        self.require_embeddings("similar users")
        unit = normalise_rows(self.user_factors_)
        top, sims = cosine_neighbours(unit, self.user_ids_.index(user), n)
        return _neighbour_frame(top, sims, self.user_ids_, "user")

    # ------------------------------------------------------------------ fold-in / explain
    #: how :meth:`fold_in` makes a visitor's vector (one phrase, shown on the page)
    fold_in_text: ClassVar[str] = (
        "a ridge regression from histories to vectors, learned on the model's own users"
    )
    #: users sampled to learn the regression fold-in (enough for a stable linear map)
    FOLD_IN_MAX_USERS: ClassVar[int] = 20_000

    def user_vector(self, profile: Profile) -> np.ndarray:
        """The vector the model scores ``profile`` with: a user's own, or a visitor's fold-in."""
        if profile.user_index is not None:
            return np.asarray(self.user_factors_[profile.user_index])
        return self.fold_in(profile)

    def fold_in(self, profile: Profile) -> np.ndarray:
        """A user vector for a visitor: the best this model can do without retraining.

        Base: a ridge regression (scikit-learn, sparse conjugate gradients) from the model's own
        training users' 0/1 history rows to their learned vectors, so a visitor lands where the
        model puts real users with that history (exactly for PureSVD, closely for BPR, spectral
        and the rating model). A least-squares fit on the visitor's items alone ignores what they
        did *not* pick and lands far away (top-10 overlap with the user's own list 2.0-5.7 of 10,
        against 7.4-10 with the regression).
        """
        self._check_fitted()
        self.require_embeddings("a folded-in user vector")
        weights = self._fold_in_map()
        return weights[np.asarray(profile.items, dtype=np.int64)].sum(axis=0).astype(np.float32)

    def _fold_in_map(self) -> np.ndarray:
        """W (items x factors) with user vector ≈ Σ_{j in history} W_j; learned once per model."""
        if getattr(self, "_fold_in_weights", None) is None:
            from sklearn.linear_model import Ridge

            x = self.user_items_.astype(np.float32).tocsr(copy=True)
            x.data[:] = 1.0
            users = np.asarray(self.user_factors_, dtype=np.float64)
            if x.shape[0] > self.FOLD_IN_MAX_USERS:
                rng = np.random.default_rng(0)
                pick = np.sort(rng.choice(x.shape[0], self.FOLD_IN_MAX_USERS, replace=False))
                x, users = x[pick], users[pick]
            ridge = Ridge(alpha=1.0, solver="sparse_cg", fit_intercept=False).fit(x, users)
            self._fold_in_weights = np.ascontiguousarray(ridge.coef_.T, dtype=np.float32)
        return self._fold_in_weights

    def explain(self, profile: Profile, items: np.ndarray) -> ScoreBreakdown:
        """How the scores of ``items`` (indices) for ``profile`` split into parts.

        Base: factor models get ``u · v`` split over factors plus bias terms (exact); models
        without vectors get one term, the score itself.
        """
        self._check_fitted()
        items = np.asarray(items, dtype=np.int64)
        model_scores = self.score_profile(profile)[items]
        if not self.has_embeddings:
            return ScoreBreakdown(
                KIND_NONE,
                "This model does not personalise, so there is nothing to decompose",
                model_scores[None, :].astype(np.float64),
                model_scores,
                np.array(["score"], dtype=object),
            )
        uvec = self.user_vector(profile).astype(np.float64)
        ivecs = self.item_factors_[items].astype(np.float64).T  # (k, n)
        k, n = ivecs.shape
        labels = [f"factor {f}" for f in range(k)]
        rows = [uvec[:, None] * ivecs]
        for name, value in (
            ("item bias", None if self.item_bias_ is None else self.item_bias_[items]),
            (
                "user bias",
                None
                if self.user_bias_ is None or profile.user_index is None
                else np.full(n, self.user_bias_[profile.user_index]),
            ),
            ("global mean", np.full(n, self.global_bias_) if self.global_bias_ else None),
        ):
            if value is not None:
                labels.append(name)
                rows.append(np.asarray(value, dtype=np.float64)[None, :])
        n_bias = len(labels) - k
        method = "Score written as a sum over latent factors: u_f · v_f" + (
            " plus bias terms" if n_bias else ""
        )
        if profile.user_index is None:
            method += f"; the visitor's vector comes from {self.fold_in_text}"
        return ScoreBreakdown(
            KIND_FACTORS,
            method,
            np.concatenate(rows, axis=0),
            model_scores,
            np.array(labels, dtype=object),
            user_values=np.concatenate([uvec, np.full(n_bias, np.nan)]),
            item_values=np.concatenate([ivecs, np.full((n_bias, n), np.nan)], axis=0),
        )

    # ------------------------------------------------------------------ persistence
    def _arrays(self) -> dict[str, np.ndarray]:
        """Fitted arrays to save; subclasses add theirs."""
        out: dict[str, np.ndarray] = {}
        if self.has_embeddings:
            out["user_factors"] = self.user_factors_
            out["item_factors"] = self.item_factors_
        if self.item_bias_ is not None:
            out["item_bias"] = self.item_bias_
        if self.user_bias_ is not None:
            out["user_bias"] = self.user_bias_
        if self.global_bias_:
            out["global_bias"] = np.asarray(self.global_bias_)
        return out

    def _restore(self, arrays: dict[str, np.ndarray]) -> None:
        if self.has_embeddings:
            self.user_factors_ = arrays["user_factors"]
            self.item_factors_ = arrays["item_factors"]
        self.item_bias_ = arrays.get("item_bias")
        self.user_bias_ = arrays.get("user_bias")
        if "global_bias" in arrays:
            self.global_bias_ = float(arrays["global_bias"])

    def save(self, directory: str | Path, extra_meta: dict | None = None) -> Path:
        """Write ``arrays.npz`` + ``model.json`` into ``directory`` (created if needed).

        Writes go to temporary files first and are renamed into place, so a crash mid-save
        never leaves a half-written model.
        """
        self._check_fitted()
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        m = self.user_items_
        arrays = {
            "user_ids": self.user_ids_.ids.astype(str),
            "item_ids": self.item_ids_.ids.astype(str),
            "ui_data": m.data,
            "ui_indices": m.indices,
            "ui_indptr": m.indptr,
            **{f"m_{k}": v for k, v in self._arrays().items()},
        }
        meta = {
            "format": "recsys-explorer-model",
            "format_version": 1,
            "model": self.key,
            "params": self.get_params(),
            "dataset_fingerprint": self.dataset_fingerprint_,
            "fit_seconds": self.fit_seconds_,
            "history": self.history_,
            "extra": self._extra_meta(),
            **(extra_meta or {}),
        }
        atomic_write_bytes(directory / ARRAYS_FILE, lambda fh: np.savez(fh, **arrays))
        atomic_write_text(
            directory / META_FILE, json.dumps(meta, indent=2, default=_json_default)
        )
        return directory

    def _extra_meta(self) -> dict:
        """JSON-able fitted scalars a subclass needs after load (e.g. a global mean)."""
        return {}

    def _restore_extra(self, extra: dict) -> None:
        pass

    @classmethod
    def load(cls, directory: str | Path) -> Recommender:
        """Load a model saved by :meth:`save`. Never unpickles anything."""
        from recsys.models.registry import get_model_class

        directory = Path(directory)
        try:
            meta = json.loads((directory / META_FILE).read_text(encoding="utf-8"))
            if meta.get("format") != "recsys-explorer-model":
                raise StoreError(f"{directory.name}: not a saved model of this app")
            klass = get_model_class(meta["model"]) if cls is Recommender else cls
            model = klass(**meta["params"])
            with np.load(directory / ARRAYS_FILE, allow_pickle=False) as z:
                arrays = {k: z[k] for k in z.files}
            model.user_ids_ = IdMap(arrays["user_ids"], "user")
            model.item_ids_ = IdMap(arrays["item_ids"], "item")
            model.user_items_ = sp.csr_matrix(
                (arrays["ui_data"], arrays["ui_indices"], arrays["ui_indptr"]),
                shape=(len(model.user_ids_), len(model.item_ids_)),
            )
            model._restore({k[2:]: v for k, v in arrays.items() if k.startswith("m_")})
            model._restore_extra(meta.get("extra", {}))
            model.dataset_fingerprint_ = meta["dataset_fingerprint"]
            model.fit_seconds_ = float(meta.get("fit_seconds", 0.0))
            model.history_ = list(meta.get("history", []))
        except StoreError:
            raise
        except Exception as exc:  # damaged/foreign files: say which, never crash the page
            raise StoreError(
                f"The saved model in '{directory.name}' cannot be read ({type(exc).__name__}: "
                f"{exc}). Delete it from the workspace or train it again."
            ) from exc
        return model


# ---------------------------------------------------------------------- helpers
def _no_progress(step: int, total: int, info: dict) -> None:
    return None


def _neighbour_frame(top: np.ndarray, sims: np.ndarray, ids: IdMap, column: str) -> pd.DataFrame:
    return pd.DataFrame(
        {
            column: ids.to_external(top),
            "score": sims,
            "rank": np.arange(1, len(top) + 1),
            "reason": [f"cosine similarity {s:.2f} in the embedding space" for s in sims],
        }
    )


def _json_default(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    raise TypeError(f"cannot store {type(value).__name__} in model.json")




MIN_USERS = 2
MIN_ITEMS = 2


def check_trainable(dataset: Dataset) -> None:
    """Raise a clear error when the data is too small to learn anything from."""
    if dataset.n_users < MIN_USERS or dataset.n_items < MIN_ITEMS:
        raise ModelConfigError(
            f"The data has {dataset.n_users} user(s) and {dataset.n_items} item(s); training "
            f"needs at least {MIN_USERS} users and {MIN_ITEMS} items. Load more data or "
            "loosen the filters on the Data page."
        )
