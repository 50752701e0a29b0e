"""Explanations of recommendations: sentences and tables around ``model.explain``.

Each model owns its maths (``Recommender.explain`` returns a ScoreBreakdown whose terms sum to the
score: ALS's history decomposition, EASE's x_uj · B_ji, the factor + bias split, or "none" for
baselines). This module only turns those numbers into what a page shows: titles, shares, the
factor names, the most similar history items and one plain sentence.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from recsys.data.dataset import Dataset
from recsys.memo import per_object
from recsys.models.base import Recommender
from recsys.models.breakdown import KIND_FACTORS, KIND_HISTORY, KIND_NONE, ScoreBreakdown
from recsys.models.profile import Profile

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


@per_object
def _dataset_titles(dataset: Dataset) -> np.ndarray:
    return dataset.titles  # an object array; Dataset.titles converts on every access


def _titles_of(model: Recommender, dataset: Dataset | None) -> np.ndarray:
    return _dataset_titles(dataset) if dataset is not None else model.item_ids_.ids


# ---------------------------------------------------------------------- explain
def explain_items(
    model: Recommender,
    dataset: Dataset,
    profile: Profile,
    items: list[str],
    n_similar: int = 3,
) -> list[Explanation]:
    """Explanations for several items of one profile (one ``model.explain`` call for all)."""
    idx = model.item_ids_.indices(items)
    if len(idx) == 0:
        return []
    breakdown = model.explain(profile, idx)
    if breakdown.kind == KIND_HISTORY:
        out = _history_explanations(model, dataset, profile, idx, breakdown)
    elif breakdown.kind == KIND_FACTORS:
        out = _factor_explanations(model, dataset, profile, idx, breakdown, n_similar)
    else:
        out = _none_explanations(model, dataset, idx, breakdown)
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


def _history_explanations(
    model: Recommender,
    dataset: Dataset,
    profile: Profile,
    idx: np.ndarray,
    breakdown: ScoreBreakdown,
) -> list[Explanation]:
    totals = breakdown.totals
    return [
        Explanation(
            KIND_HISTORY,
            breakdown.method,
            model.item_ids_[i],
            _title(dataset, model, i),
            float(totals[col]),
            float(breakdown.model_scores[col]),
            _history_columns(
                model, dataset, profile, breakdown.weights, breakdown.contributions[:, col]
            ),
        )
        for col, i in enumerate(idx)
    ]


@per_object
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
    model.require_embeddings("factor names")
    hi, lo = _factor_ends(model, k)
    titles = _titles_of(model, dataset)
    return pd.DataFrame(
        {
            "factor": np.arange(hi.shape[0]),
            "positive_end": [", ".join(map(str, titles[r])) for r in hi],
            "negative_end": [", ".join(map(str, titles[r])) for r in lo],
        }
    )


def _end_labels(model: Recommender, dataset: Dataset | None) -> tuple[np.ndarray, np.ndarray]:
    """Per factor: "+ end: A, B, C" and "− end: X, Y, Z" (strongest items at each end)."""
    hi, lo = _factor_ends(model)
    titles = _titles_of(model, dataset)
    plus = np.array(["+ end: " + ", ".join(map(str, titles[r])) for r in hi], dtype=object)
    minus = np.array(["− end: " + ", ".join(map(str, titles[r])) for r in lo], dtype=object)
    return plus, minus


def _factor_explanations(
    model: Recommender,
    dataset: Dataset,
    profile: Profile,
    idx: np.ndarray,
    breakdown: ScoreBreakdown,
    n_similar: int,
) -> list[Explanation]:
    plus, minus = _end_labels(model, dataset)
    titles = _titles_of(model, dataset)
    unit = model.unit_item_factors()
    cos_all = unit[profile.items] @ unit[idx].T  # (history, n)
    terms = np.asarray(breakdown.terms, dtype=object)
    is_factor = np.array([str(term).startswith("factor ") for term in terms])
    k = int(is_factor.sum())
    out = []
    for col, i in enumerate(idx):
        cons = breakdown.contributions[:, col]
        ivals = breakdown.item_values[:, col]
        names = terms.copy()
        names[:k] = np.where(ivals[:k] < 0, minus, plus)
        total = float(cons.sum())
        order = np.argsort(-np.abs(cons), kind="stable")
        columns = {
            "term": terms[order],
            "name": names[order],
            "user_value": breakdown.user_values[order],
            "item_value": ivals[order],
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
                breakdown.method,
                model.item_ids_[i],
                str(titles[i]),
                total,
                float(breakdown.model_scores[col]),
                columns,
                similar,
            )
        )
    return out


def _none_explanations(
    model: Recommender, dataset: Dataset, idx: np.ndarray, breakdown: ScoreBreakdown
) -> list[Explanation]:
    pop = dataset.item_popularity if dataset is not None else None
    out = []
    for col, i in enumerate(idx):
        score = float(breakdown.model_scores[col])
        e = Explanation(
            KIND_NONE, breakdown.method, model.item_ids_[i], _title(dataset, model, i), score, score
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
