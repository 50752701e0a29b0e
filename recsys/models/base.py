"""The model protocol every recommender follows.

Learned from implicit's ``RecommenderBase`` and scikit-learn's estimator rules:

- ``__init__`` stores keyword hyperparameters only (declared in ``PARAMS``); ``fit`` validates.
- ``fit(dataset, progress=None) -> self``; ``progress(step, total, info)`` may raise
  :class:`~recsys.errors.TrainingCancelled` to stop training.
- Fitted attributes end in ``_``: ``user_factors_``, ``item_factors_``, ``user_ids_``,
  ``item_ids_``, ``user_items_`` (the training matrix, for "exclude seen" and explanations).
- ``recommend``, ``similar_items``, ``similar_users``, ``explain``, ``fold_in`` work with
  external ids and return DataFrames.
- ``save(dir)`` / ``load(dir)``: ``arrays.npz`` (loaded with ``allow_pickle=False``) and
  ``model.json``. Nothing is pickled.

Subclasses implement ``_fit`` and, when scores are not a plain dot product, ``_score_rows``.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import pandas as pd
import scipy.sparse as sp

from recsys.data.dataset import Dataset, IdMap
from recsys.errors import ModelConfigError, NotFittedError, StoreError

Progress = Callable[[int, int, dict], Any]

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

    def __init__(self, **params: Any) -> None:
        unknown = set(params) - set(self.PARAMS)
        if unknown:
            raise ModelConfigError(
                f"{self.label or type(self).__name__} has no hyperparameter(s) "
                f"{sorted(unknown)}; known: {sorted(self.PARAMS)}"
            )
        for name, spec in self.PARAMS.items():
            setattr(self, name, params.get(name, spec.default))

    # ------------------------------------------------------------------ params
    def get_params(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.PARAMS}

    def _validated_params(self) -> dict[str, Any]:
        return {
            name: spec.validate(name, getattr(self, name)) for name, spec in self.PARAMS.items()
        }

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_params().items())
        return f"{type(self).__name__}({args})"

    # ------------------------------------------------------------------ fit
    def fit(self, dataset: Dataset, progress: Progress | None = None) -> Recommender:
        """Train on ``dataset``; returns self. ``progress(step, total, info)`` reports progress."""
        for name, value in self._validated_params().items():
            setattr(self, name, value)
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
        """Scores of every item for a (folded-in) user vector (item biases included)."""
        scores = self.item_factors_ @ user_vector
        if self.item_bias_ is not None:
            scores = scores + self.item_bias_
        return scores + self.global_bias_ if self.global_bias_ else scores

    def user_scores(self, user: str) -> np.ndarray:
        """Scores of every item for one user (external id), in item-index order."""
        self._check_fitted()
        return self._score_rows(np.array([self.user_ids_.index(user)]))[0]

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
        u = self.user_ids_.index(user)
        scores = self._score_rows(np.array([u]))[0].astype(np.float64)
        seen = self.user_items_[u].indices if exclude_seen else None
        return self._rank(scores, n, seen, allowed)

    def recommend_for_items(
        self,
        items: list[str],
        weights: list[float] | None = None,
        n: int = 10,
        exclude_seen: bool = True,
        allowed: np.ndarray | None = None,
    ) -> pd.DataFrame:
        """Recommendations for a visitor described only by ``items`` (and optional weights)."""
        self._check_fitted()
        idx = self.item_ids_.indices(items)
        scores = self._score_profile(idx, _weights(weights, len(idx))).astype(np.float64)
        return self._rank(scores, n, idx if exclude_seen else None, allowed)

    def _score_profile(self, items: np.ndarray, weights: np.ndarray) -> np.ndarray:
        return self.score_vector(self._fold_in_indices(items, weights))

    def _rank(
        self,
        scores: np.ndarray,
        n: int,
        exclude: np.ndarray | None,
        allowed: np.ndarray | None,
    ) -> pd.DataFrame:
        scores = scores.copy()
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
    def _require_embeddings(self, what: str) -> None:
        if not self.has_embeddings:
            raise ModelConfigError(
                f"{self.label} has no embeddings, so it cannot give {what}; "
                "pick a factor model such as ALS or PureSVD."
            )

    def similar_items(self, item: str, n: int = 10) -> pd.DataFrame:
        """Nearest items by cosine, the item itself excluded: DataFrame[item, score, rank, reason]."""
        self._check_fitted()
        self._require_embeddings("similar items")
        i = self.item_ids_.index(item)
        return self._cosine_neighbours(self.item_factors_, i, n, self.item_ids_, "item")

    def similar_users(self, user: str, n: int = 10) -> pd.DataFrame:
        """Nearest users by cosine, the user excluded: DataFrame[user, score, rank, reason]."""
        self._check_fitted()
        self._require_embeddings("similar users")
        u = self.user_ids_.index(user)
        return self._cosine_neighbours(self.user_factors_, u, n, self.user_ids_, "user")

    @staticmethod
    def _cosine_neighbours(
        vectors: np.ndarray, index: int, n: int, ids: IdMap, column: str
    ) -> pd.DataFrame:
        norms = np.linalg.norm(vectors, axis=1)
        norms[norms == 0] = 1.0
        sims = (vectors @ vectors[index]) / (norms * norms[index])
        sims[index] = -np.inf
        top = top_k(sims, n)
        return pd.DataFrame(
            {
                column: ids.to_external(top),
                "score": sims[top],
                "rank": np.arange(1, len(top) + 1),
                "reason": [f"cosine similarity {s:.2f} in the embedding space" for s in sims[top]],
            }
        )

    # ------------------------------------------------------------------ explain / fold-in
    def explain(self, user: str, item: str, n: int = 10) -> pd.DataFrame:
        """How the score of ``item`` for ``user`` decomposes over latent factors.

        Returns DataFrame[term, user_value, item_value, contribution, share]: the top ``n``
        factors by absolute contribution (term "factor 3") followed by any bias terms
        ("item bias", "user bias", "global mean"). Over all factors and biases the
        contributions sum to the score exactly; ``share`` is contribution / score.
        """
        self._check_fitted()
        self._require_embeddings("a factor explanation")
        u = self.user_ids_.index(user)
        i = self.item_ids_.index(item)
        uv = self.user_factors_[u].astype(np.float64)
        iv = self.item_factors_[i].astype(np.float64)
        contrib = uv * iv
        order = np.argsort(-np.abs(contrib), kind="stable")[:n]
        terms = [f"factor {f}" for f in order]
        uvals, ivals, cons = list(uv[order]), list(iv[order]), list(contrib[order])
        for name, value in (
            ("item bias", None if self.item_bias_ is None else self.item_bias_[i]),
            ("user bias", None if self.user_bias_ is None else self.user_bias_[u]),
            ("global mean", self.global_bias_ or None),
        ):
            if value is not None:
                terms.append(name)
                uvals.append(np.nan)
                ivals.append(np.nan)
                cons.append(float(value))
        total = float(self.score_users(np.array([u]))[0, i])
        cons_arr = np.asarray(cons, dtype=np.float64)
        return pd.DataFrame(
            {
                "term": terms,
                "user_value": uvals,
                "item_value": ivals,
                "contribution": cons_arr,
                "share": cons_arr / total if total != 0 else np.nan,
            }
        )

    def fold_in(self, items: list[str], weights: list[float] | None = None) -> np.ndarray:
        """A user vector for someone not in the training data, from items they liked."""
        self._check_fitted()
        self._require_embeddings("a folded-in user vector")
        idx = self.item_ids_.indices(items)
        return self._fold_in_indices(idx, _weights(weights, len(idx)))

    def _fold_in_indices(self, items: np.ndarray, weights: np.ndarray) -> np.ndarray:
        """Regularised least squares: argmin_u sum_i w_i (1 - u.v_i)^2 + lambda |u|^2."""
        V = self.item_factors_[items].astype(np.float64)
        lam = float(getattr(self, "regularization", 0.1) or 0.1)
        A = V.T @ (weights[:, None] * V) + lam * np.eye(V.shape[1])
        b = V.T @ weights
        return np.linalg.solve(A, b).astype(np.float32)

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
        tmp_npz = directory / (ARRAYS_FILE + ".tmp")
        with open(tmp_npz, "wb") as fh:
            np.savez(fh, **arrays)
        tmp_json = directory / (META_FILE + ".tmp")
        tmp_json.write_text(json.dumps(meta, indent=2, default=_json_default), encoding="utf-8")
        tmp_npz.replace(directory / ARRAYS_FILE)
        tmp_json.replace(directory / META_FILE)
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


def _weights(weights: list[float] | None, n: int) -> np.ndarray:
    if weights is None:
        return np.ones(n, dtype=np.float64)
    w = np.asarray(weights, dtype=np.float64)
    if w.shape != (n,):
        raise ModelConfigError(f"got {len(w)} weights for {n} items; give one weight per item")
    return w


def _json_default(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    raise TypeError(f"cannot store {type(value).__name__} in model.json")


def top_k(scores: np.ndarray, k: int) -> np.ndarray:
    """Indices of the ``k`` largest scores, best first (ties broken by lower index)."""
    k = max(0, min(int(k), len(scores)))
    if k == 0:
        return np.array([], dtype=np.int64)
    if k < len(scores):
        part = np.argpartition(-scores, k - 1)[:k]
    else:
        part = np.arange(len(scores))
    return part[np.lexsort((part, -scores[part]))]


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
