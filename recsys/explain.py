"""Explanations of recommendations that add up to the score they explain.

Three kinds, chosen by the model (the ``kind`` field says which one is shown):

- ``"history"`` for ALS: the exact decomposition of the score over the user's history items
  (Hu, Koren & Volinsky 2008, section 5; implicit's ``explain``). With item factors Y,
  confidences c_j and W = (YᵀY + λI + Σ_j (c_j − 1) y_j y_jᵀ)⁻¹, a fresh user solve gives
  x_u = W Σ_j c_j y_j, so score(u, i) = y_iᵀ x_u = Σ_j c_j · y_iᵀ W y_j: one term per history item.
- ``"history"`` for EASE: score(u, i) = Σ_j X_uj · B_ji ("because you liked").
- ``"factors"`` for other factor models: score = Σ_f u_f · v_f (+ biases), each factor named by
  its strongest items at both ends, plus the history items most similar to the item (cosine).
- ``"none"`` for baselines without vectors (most popular, random).

Visitors (a profile built on the spot) get the same explanations from a folded-in vector:
ALS's closed-form user solve (implicit's ``recalculate_user``) or the base regularised
least-squares fold-in.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
import pandas as pd
import scipy.linalg

from recsys.data.dataset import Dataset
from recsys.errors import ModelConfigError
from recsys.models.base import Recommender, _weights
from recsys.projection import normalise_rows

KIND_HISTORY = "history"
KIND_FACTORS = "factors"
KIND_NONE = "none"

KIND_TEXT = {
    KIND_HISTORY: "Exact decomposition of the score over the history items",
    KIND_FACTORS: "Decomposition of the score over latent factors (u_f · v_f), plus similar "
    "history items by cosine",
    KIND_NONE: "This model does not personalise, so there is nothing to decompose",
}


@dataclass
class Explanation:
    """Why one item was scored as it was for one user or visitor.

    Attributes
    ----------
    kind : str
        "history", "factors" or "none" (see the module docstring).
    method : str
        One line saying exactly what was decomposed.
    item, title : str
        The explained item.
    score : float
        The score the contributions add up to (for ALS: the score of a fresh user solve).
    model_score : float
        The score the model ranked with (for ALS the stored user vector, which can differ
        slightly from a fresh solve because training ends with an item step).
    contributions : pd.DataFrame
        "history": item, title, value, weight, contribution, share (all history items, largest
        first). "factors": term, name, user_value, item_value, contribution, share (all factors
        and bias terms, largest absolute contribution first). Contributions sum to ``score``.
    similar_history : pd.DataFrame
        For "factors": the history items most similar to the item (item, title, cosine).
    reason : str
        One plain sentence.
    """

    kind: str
    method: str
    item: str
    title: str
    score: float
    model_score: float
    columns: dict = field(default_factory=dict)  # contributions, column -> array, sorted
    similar: dict = field(default_factory=dict)  # similar history items, column -> array
    reason: str = ""

    @property
    def contributions(self) -> pd.DataFrame:
        if "_frame" not in self.__dict__:
            self.__dict__["_frame"] = pd.DataFrame(self.columns)
        return self.__dict__["_frame"]

    @property
    def similar_history(self) -> pd.DataFrame:
        return pd.DataFrame(self.similar)

    def top(self, n: int = 8) -> pd.DataFrame:
        """The ``n`` contributions with the largest absolute value (for a small bar chart)."""
        if not self.columns:
            return pd.DataFrame()
        c = np.asarray(self.columns["contribution"], dtype=np.float64)
        order = np.argsort(-np.abs(c), kind="stable")[:n]
        return pd.DataFrame({k: np.asarray(v)[order] for k, v in self.columns.items()})


@dataclass
class Profile:
    """Whose history is explained: an existing user or a visitor's picked items."""

    items: np.ndarray  # item indices
    values: np.ndarray  # ratings / weights as given (before any confidence transform)
    user_index: int | None = None  # None for a visitor
    visitor: bool = False
    explicit: bool = True
    rated: np.ndarray | None = None  # visitor: which items carry a rating the visitor gave
    shown: np.ndarray | None = None  # the values to show (raw ratings when the model binarised)

    @classmethod
    def of_user(cls, model: Recommender, dataset: Dataset | None, user: str) -> Profile:
        u = model.user_ids_.index(user)
        row = model.user_items_[u]
        explicit = dataset is None or dataset.feedback == "explicit"
        shown = None
        if dataset is not None and dataset.n_users == len(model.user_ids_):
            raw = dataset.matrix[u]
            if np.array_equal(raw.indices, row.indices):  # the model may have binarised values
                shown = raw.data.astype(np.float64)
        return cls(
            row.indices.astype(np.int64),
            row.data.astype(np.float64),
            u,
            False,
            explicit,
            shown=shown,
        )

    @classmethod
    def of_items(
        cls,
        model: Recommender,
        items: list[str],
        weights: list[float] | None = None,
        explicit: bool = False,
        rated: list[bool] | None = None,
    ) -> Profile:
        """A visitor's profile; ``explicit`` when ``weights`` are ratings (``rated`` says which
        of them the visitor actually gave, the others being a default)."""
        if not items:
            raise ModelConfigError("Pick at least one item to build a profile.")
        idx = model.item_ids_.indices(items)
        mask = None if rated is None else np.asarray(rated, dtype=bool)
        return cls(idx, _weights(weights, len(idx)), None, True, explicit, mask)


@lru_cache(maxsize=8)
def _dataset_titles(dataset: Dataset) -> np.ndarray:
    return dataset.titles  # an object array; Dataset.titles converts on every access


def _titles_of(model: Recommender, dataset: Dataset | None) -> np.ndarray:
    return _dataset_titles(dataset) if dataset is not None else model.item_ids_.ids


# ---------------------------------------------------------------------- model kinds
def explanation_kind(model: Recommender) -> str:
    """Which kind of explanation this model gets."""
    if model.key in ("als", "ease"):
        return KIND_HISTORY
    return KIND_FACTORS if model.has_embeddings else KIND_NONE


def als_confidence(model: Recommender, values: np.ndarray) -> np.ndarray:
    """The confidence implicit's ALS sees for raw interaction values (``alpha * value``).

    A model that transforms values before handing them to implicit exposes
    ``confidence(values)``; this is then used instead.
    """
    values = np.asarray(values, dtype=np.float64)
    transform = getattr(model, "confidence", None)
    if callable(transform):
        return np.asarray(transform(values), dtype=np.float64)
    if getattr(model, "binarize", False):  # the model trained on 1s (its user_items_ too)
        values = np.where(values < 0, -1.0, 1.0)
    return float(getattr(model, "alpha", 1.0)) * values


@lru_cache(maxsize=16)
def _gram(model: Recommender) -> np.ndarray:
    """YᵀY of the item factors, in float64 (cached per model; models are read-only)."""
    y = model.item_factors_.astype(np.float64)
    return y.T @ y


def als_system(
    model: Recommender, items: np.ndarray, confidence: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """(A, b) of the ALS user solve: A = YᵀY + λI + Σ (|c|−1) y yᵀ, b = Σ_{c>0} c y.

    This is implicit's ``user_linear_equation`` (negative confidences mean "disliked":
    they weigh the squared error but do not pull the user towards the item).
    """
    y = model.item_factors_[items].astype(np.float64)
    k = y.shape[1]
    lam = float(model.regularization)
    a = _gram(model) + lam * np.eye(k)
    a += y.T @ ((np.abs(confidence) - 1.0)[:, None] * y)
    b = y.T @ np.where(confidence > 0, confidence, 0.0)
    return a, b


def als_user_solve(model: Recommender, items: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Closed-form ALS user vector for items with raw values (implicit's ``recalculate_user``)."""
    a, b = als_system(model, np.asarray(items, dtype=np.int64), als_confidence(model, values))
    return scipy.linalg.solve(a, b, assume_a="pos").astype(np.float32)


#: users sampled to learn the regression fold-in (enough for a stable linear map)
FOLD_IN_MAX_USERS = 20_000


@lru_cache(maxsize=16)
def _regression_fold_in(model: Recommender, alpha: float = 1.0) -> np.ndarray:
    """W (items x factors) such that a user's vector ≈ Σ_{j in history} W_j.

    A ridge regression (scikit-learn, sparse conjugate gradients) from the model's own training
    users' 0/1 history rows to their learned vectors. It reproduces how the model maps a
    history to a vector (exactly for PureSVD, closely for BPR, the spectral embedding and the
    rating model), where a least-squares fit on the visitor's items alone does not.
    """
    from sklearn.linear_model import Ridge

    x = model.user_items_.astype(np.float32).tocsr(copy=True)
    x.data[:] = 1.0
    users = np.asarray(model.user_factors_, dtype=np.float64)
    if x.shape[0] > FOLD_IN_MAX_USERS:
        pick = np.sort(
            np.random.default_rng(0).choice(x.shape[0], FOLD_IN_MAX_USERS, replace=False)
        )
        x, users = x[pick], users[pick]
    ridge = Ridge(alpha=alpha, solver="sparse_cg", fit_intercept=False).fit(x, users)
    return np.ascontiguousarray(ridge.coef_.T, dtype=np.float32)


def fold_in_method(model: Recommender) -> str:
    """How :func:`fold_in_vector` makes a visitor's vector for this model (one phrase)."""
    if model.key == "als":
        return "ALS's closed-form user solve"
    if model.key == "ease":
        return "exact x B scores (the map point: a regression from histories to vectors)"
    if type(model)._fold_in_indices is not Recommender._fold_in_indices:
        return f"{model.label}'s own fold-in"
    return "a ridge regression from histories to vectors, learned on the model's own users"


def fold_in_vector(model: Recommender, profile: Profile) -> np.ndarray:
    """A user vector for a visitor.

    ALS: the closed-form solve (implicit's ``recalculate_user``). Models with their own fold-in
    (item2vec: the mean of the items' vectors): theirs. Other factor models: the regression
    fold-in (see :func:`_regression_fold_in`); a least-squares fit on the visitor's items
    alone ignores what they did *not* pick and lands far from where the model puts real users.
    """
    if model.key == "als":
        return als_user_solve(model, profile.items, profile.values)
    model._require_embeddings("a folded-in user vector")
    if type(model)._fold_in_indices is not Recommender._fold_in_indices:
        return np.asarray(model._fold_in_indices(profile.items, profile.values), dtype=np.float32)
    w = _regression_fold_in(model)
    return w[profile.items].sum(axis=0).astype(np.float32)


def profile_scores(model: Recommender, profile: Profile) -> np.ndarray:
    """Scores of every item for a profile (a user's own row or a visitor's items)."""
    if profile.user_index is not None and not profile.visitor:
        return model.score_users(np.array([profile.user_index]))[0].astype(np.float64)
    if model.key == "ease":
        b = ease_weights(model)
        return _ease_inputs(model, profile) @ np.asarray(b[profile.items], dtype=np.float64)
    if model.has_embeddings:
        return model.score_vector(fold_in_vector(model, profile)).astype(np.float64)
    return np.asarray(model._score_profile(profile.items, profile.values), dtype=np.float64)


def recommend_profile(
    model: Recommender,
    profile: Profile,
    n: int = 10,
    exclude_seen: bool = True,
    allowed: np.ndarray | None = None,
) -> pd.DataFrame:
    """Top-``n`` items for a profile: DataFrame[item, score, rank] (external ids)."""
    scores = profile_scores(model, profile)
    return model._rank(scores, n, profile.items if exclude_seen else None, allowed)


# ---------------------------------------------------------------------- explain
def explain_items(
    model: Recommender,
    dataset: Dataset,
    profile: Profile,
    items: list[str],
    n_similar: int = 3,
) -> list[Explanation]:
    """Explanations for several items of one profile (one shared solve for ALS)."""
    idx = model.item_ids_.indices(items)
    if len(idx) == 0:
        return []
    kind = explanation_kind(model)
    if kind == KIND_HISTORY and model.key == "als":
        out = _explain_als(model, dataset, profile, idx)
    elif kind == KIND_HISTORY:
        out = _explain_ease(model, dataset, profile, idx)
    elif kind == KIND_FACTORS:
        out = _explain_factors(model, dataset, profile, idx, n_similar)
    else:
        out = _explain_none(model, dataset, profile, idx)
    for e in out:
        e.reason = reason_sentence(e, profile)
    return out


def explain_user(
    model: Recommender, dataset: Dataset, user: str, item: str, n_similar: int = 3
) -> Explanation:
    """Explain the score of ``item`` for an existing ``user``."""
    return explain_items(model, dataset, Profile.of_user(model, dataset, user), [item], n_similar)[
        0
    ]


def _history_columns(
    model: Recommender, dataset: Dataset, profile: Profile, weight: np.ndarray, contrib: np.ndarray
) -> dict:
    """Columns of a history decomposition, largest contribution first."""
    titles = _titles_of(model, dataset)
    order = np.argsort(-contrib, kind="stable")
    items = profile.items[order]
    total = contrib.sum()
    rated = np.ones(len(items), bool) if profile.rated is None else np.asarray(profile.rated)[order]
    return {
        "item": model.item_ids_.ids[items],
        "title": titles[items],
        "value": np.asarray(
            profile.values if profile.shown is None else profile.shown, dtype=np.float64
        )[order],
        "rated": rated,
        "weight": np.asarray(weight, dtype=np.float64)[order],
        "contribution": contrib[order],
        "share": contrib[order] / total if total != 0 else np.full(len(order), np.nan),
    }


def _title(dataset: Dataset | None, model: Recommender, i: int) -> str:
    return str(_titles_of(model, dataset)[i])


def _explain_als(
    model: Recommender, dataset: Dataset, profile: Profile, idx: np.ndarray
) -> list[Explanation]:
    conf = als_confidence(model, profile.values)
    a, _ = als_system(model, profile.items, conf)
    chol = scipy.linalg.cho_factor(a)
    y_items = model.item_factors_[idx].astype(np.float64)  # (n, k)
    weighted = scipy.linalg.cho_solve(chol, y_items.T)  # W y_i, (k, n)
    y_hist = model.item_factors_[profile.items].astype(np.float64)
    contrib = np.where(conf > 0, conf, 0.0)[:, None] * (y_hist @ weighted)  # (h, n)
    model_scores = _model_scores(model, profile, idx)
    method = (
        "ALS score of a fresh user solve written as a sum over history items: "
        "c_j · y_iᵀ (YᵀC_uY + λI)⁻¹ y_j (Hu, Koren & Volinsky 2008, §5)"
    )
    out = []
    for col, i in enumerate(idx):
        frame = _history_columns(model, dataset, profile, conf, contrib[:, col])
        out.append(
            Explanation(
                KIND_HISTORY,
                method,
                model.item_ids_[i],
                _title(dataset, model, i),
                float(contrib[:, col].sum()),
                float(model_scores[col]),
                frame,
            )
        )
    return out


def ease_weights(model: Recommender) -> np.ndarray:
    """EASE's item-item weight matrix B (items x items)."""
    b = getattr(model, "B_", None)
    if b is not None:
        return b
    raise ModelConfigError(f"{model.label} has no item-item weights to explain with")


def _explain_ease(
    model: Recommender, dataset: Dataset, profile: Profile, idx: np.ndarray
) -> list[Explanation]:
    b = ease_weights(model)
    x = _ease_inputs(model, profile)
    contrib = x[:, None] * np.asarray(b[np.ix_(profile.items, idx)], dtype=np.float64)
    model_scores = _model_scores(model, profile, idx)
    method = "EASE score written as a sum over history items: X_uj · B_ji"
    return [
        Explanation(
            KIND_HISTORY,
            method,
            model.item_ids_[i],
            _title(dataset, model, i),
            float(contrib[:, col].sum()),
            float(model_scores[col]),
            _history_columns(model, dataset, profile, x, contrib[:, col]),
        )
        for col, i in enumerate(idx)
    ]


def _ease_inputs(model: Recommender, profile: Profile) -> np.ndarray:
    """The row X_u EASE multiplies with B (the model may binarise values)."""
    values = np.asarray(profile.values, dtype=np.float64)
    if getattr(model, "binarize", False):  # the model trained on 1s (its user_items_ too)
        return np.where(values < 0, -1.0, 1.0)
    return values


def _model_scores(model: Recommender, profile: Profile, idx: np.ndarray) -> np.ndarray:
    """The model's own scores of items ``idx`` for the profile."""
    u = profile.user_index
    if u is not None and not profile.visitor and type(model)._score_rows is Recommender._score_rows:
        # a plain dot product (+ biases): score only the items asked for, not the catalogue
        s = model.item_factors_[idx].astype(np.float64) @ model.user_factors_[u].astype(np.float64)
        if model.item_bias_ is not None:
            s += model.item_bias_[idx]
        if model.user_bias_ is not None:
            s += model.user_bias_[u]
        return s + (model.global_bias_ or 0.0)
    return profile_scores(model, profile)[idx]


@lru_cache(maxsize=16)
def _unit_items(model: Recommender) -> np.ndarray:
    return normalise_rows(model.item_factors_)


@lru_cache(maxsize=16)
def _factor_ends(model: Recommender, k: int = 3) -> tuple[np.ndarray, np.ndarray]:
    """Per factor: indices of the ``k`` items with the largest and the smallest value."""
    v = model.item_factors_
    k = min(k, len(v))
    hi = np.argpartition(-v, k - 1, axis=0)[:k]  # (k, f)
    lo = np.argpartition(v, k - 1, axis=0)[:k]
    cols = np.arange(v.shape[1])
    hi = np.take_along_axis(hi, np.argsort(-v[hi, cols], axis=0), axis=0)
    lo = np.take_along_axis(lo, np.argsort(v[lo, cols], axis=0), axis=0)
    return hi.T, lo.T


def factor_names(model: Recommender, dataset: Dataset | None, k: int = 3) -> pd.DataFrame:
    """Each factor named by its strongest items: DataFrame[factor, positive_end, negative_end]."""
    model._require_embeddings("factor names")
    hi, lo = _factor_ends(model, k)
    titles = _titles_of(model, dataset)
    return pd.DataFrame(
        {
            "factor": np.arange(hi.shape[0]),
            "positive_end": [", ".join(map(str, titles[r])) for r in hi],
            "negative_end": [", ".join(map(str, titles[r])) for r in lo],
        }
    )


@lru_cache(maxsize=16)
def _end_labels(model: Recommender, dataset: Dataset | None) -> tuple[np.ndarray, np.ndarray]:
    """Per factor: "+ end: A, B, C" and "− end: X, Y, Z" (strongest items at each end)."""
    hi, lo = _factor_ends(model)
    titles = _titles_of(model, dataset)
    plus = np.array(["+ end: " + ", ".join(map(str, titles[r])) for r in hi], dtype=object)
    minus = np.array(["− end: " + ", ".join(map(str, titles[r])) for r in lo], dtype=object)
    return plus, minus


def _explain_factors(
    model: Recommender, dataset: Dataset, profile: Profile, idx: np.ndarray, n_similar: int
) -> list[Explanation]:
    model._require_embeddings("a factor explanation")
    visitor = profile.visitor or profile.user_index is None
    uvec = (
        fold_in_vector(model, profile) if visitor else model.user_factors_[profile.user_index]
    ).astype(np.float64)
    plus, minus = _end_labels(model, dataset)
    titles = _titles_of(model, dataset)
    unit = _unit_items(model)
    cos_all = unit[profile.items] @ unit[idx].T  # (history, n)
    model_scores = _model_scores(model, profile, idx)
    k = len(uvec)
    terms = np.array([f"factor {f}" for f in range(k)], dtype=object)
    method = "Score written as a sum over latent factors: u_f · v_f" + (
        f"; the visitor's vector comes from {fold_in_method(model)}" if visitor else ""
    )
    out = []
    for col, i in enumerate(idx):
        ivec = model.item_factors_[i].astype(np.float64)
        names = np.where(ivec < 0, minus, plus)
        extra = [
            (name, value)
            for name, value in (
                ("item bias", None if model.item_bias_ is None else model.item_bias_[i]),
                (
                    "user bias",
                    None
                    if model.user_bias_ is None or visitor
                    else model.user_bias_[profile.user_index],
                ),
                ("global mean", model.global_bias_ or None),
            )
            if value is not None
        ]
        labels = np.array([e[0] for e in extra], dtype=object)
        cons = np.concatenate([uvec * ivec, [float(e[1]) for e in extra]])
        total = float(cons.sum())
        order = np.argsort(-np.abs(cons), kind="stable")
        nan = np.full(len(extra), np.nan)
        columns = {
            "term": np.concatenate([terms, labels])[order],
            "name": np.concatenate([names, labels])[order],
            "user_value": np.concatenate([uvec, nan])[order],
            "item_value": np.concatenate([ivec, nan])[order],
            "contribution": cons[order],
            "share": cons[order] / total if total != 0 else np.full(len(cons), np.nan),
        }
        cos = cos_all[:, col]
        near = np.argsort(-cos, kind="stable")[:n_similar]
        similar = {
            "item": model.item_ids_.ids[profile.items[near]],
            "title": titles[profile.items[near]],
            "cosine": cos[near].astype(np.float64),
        }
        out.append(
            Explanation(
                KIND_FACTORS,
                method + (" plus bias terms" if extra else ""),
                model.item_ids_[i],
                str(titles[i]),
                total,
                float(model_scores[col]),
                columns,
                similar,
            )
        )
    return out


def _explain_none(
    model: Recommender, dataset: Dataset, profile: Profile, idx: np.ndarray
) -> list[Explanation]:
    scores = _model_scores(model, profile, idx)
    pop = dataset.item_popularity if dataset is not None else None
    out = []
    for col, i in enumerate(idx):
        e = Explanation(
            KIND_NONE,
            KIND_TEXT[KIND_NONE],
            model.item_ids_[i],
            _title(dataset, model, i),
            float(scores[col]),
            float(scores[col]),
        )
        if pop is not None:
            e.columns = {
                "term": np.array(["users who interacted"], dtype=object),
                "contribution": np.array([float(pop[i])]),
                "share": np.array([1.0]),
            }
        out.append(e)
    return out


# ---------------------------------------------------------------------- sentences
def reason_sentence(expl: Explanation, profile: Profile, max_items: int = 2) -> str:
    """One plain sentence, e.g. "Because you rated Alien 5★ and Aliens 4★, which drive 64% …"."""
    if expl.kind == KIND_NONE:
        return f"{expl.title} is recommended to everyone alike: this model does not personalise."
    c = expl.columns
    if expl.kind == KIND_HISTORY:
        contrib = np.asarray(c["contribution"])
        pos = np.flatnonzero(contrib > 0)[:max_items]  # columns are sorted, largest first
        if len(pos) == 0 or expl.score <= 0:
            return (
                f"None of your items pushes {expl.title} up: its score is "
                f"{expl.score:.3g}, so it ranks high only because others score even lower."
            )
        explicit = profile.explicit
        names = [
            f"{c['title'][j]} {c['value'][j]:g}★"
            if explicit and c["rated"][j] and np.isfinite(c["value"][j])
            else str(c["title"][j])
            for j in pos
        ]
        share = contrib[pos].sum() / expl.score
        verb = (
            ("you picked" if profile.visitor else "you rated")
            if explicit
            else ("you picked" if profile.visitor else "you interacted with")
        )
        drive = "drives" if len(names) == 1 else "drive"
        rest = int((contrib != 0).sum()) - len(names)
        tail = f"; {rest} other items add the rest" if rest > 1 and share < 0.5 else ""
        return f"Because {verb} {_join(names)}, which {drive} {share:.0%} of this score{tail}."
    parts = []
    factor_rows = [j for j, t in enumerate(c.get("term", [])) if str(t).startswith("factor")]
    if factor_rows and expl.score != 0:
        j = factor_rows[0]
        best = float(c["contribution"][j])
        side = "agree" if best > 0 else "disagree"
        parts.append(
            f"You and {expl.title} {side} most on {c['term'][j]} (its {c['name'][j]}), "
            f"which gives {best / expl.score:.0%} of this score"
            + (" (other terms pull it back down)" if best > expl.score > 0 else "")
        )
    if len(expl.similar.get("title", [])):
        who = "your picks" if profile.visitor else "your history"
        parts.append(
            f"of {who} it is most like {expl.similar['title'][0]} "
            f"(cosine {expl.similar['cosine'][0]:.2f})"
        )
    return ("; ".join(parts) + ".") if parts else f"{expl.title} scores {expl.score:.3g}."


def _join(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def escape(text: object) -> str:
    """HTML-escape user text for plotly hover labels."""
    return html.escape(str(text))


def drivers(explanations: list[Explanation], n: int = 5) -> pd.DataFrame:
    """Which history items drive a whole recommendation list.

    "history" explanations: each history item's contribution summed over the list, and its
    share of the summed scores. "factors": how often each history item is the most similar one
    to a recommended item. Returns DataFrame[item, title, measure, value] (top ``n``).
    """
    if not explanations:
        return pd.DataFrame(columns=["item", "title", "measure", "value"])
    kind = explanations[0].kind
    if kind == KIND_HISTORY:
        frames = pd.concat([e.contributions for e in explanations], ignore_index=True)
        total = sum(e.score for e in explanations)
        agg = frames.groupby(["item", "title"], sort=False)["contribution"].sum().reset_index()
        agg["value"] = agg["contribution"] / total if total else np.nan
        agg["measure"] = "share of the list's total score"
        agg = agg.sort_values("value", ascending=False, kind="stable")
    elif kind == KIND_FACTORS:
        firsts = pd.concat([e.similar_history.head(1) for e in explanations], ignore_index=True)
        if firsts.empty:
            return pd.DataFrame(columns=["item", "title", "measure", "value"])
        agg = firsts.groupby(["item", "title"], sort=False).size().reset_index(name="value")
        agg["value"] = agg["value"] / len(explanations)
        agg["measure"] = "share of the list it is most similar to"
        agg = agg.sort_values("value", ascending=False, kind="stable")
    else:
        return pd.DataFrame(columns=["item", "title", "measure", "value"])
    return agg[["item", "title", "measure", "value"]].head(n).reset_index(drop=True)
