"""Helpers of the Learn page: cached lesson computations and small widgets.

Every heavy step (training a lesson model, projections, the sparsity retrains) is cached by the
dataset's fingerprint and the knobs, so moving a slider back answers at once and other
sessions share the work. Models are cached as resources: treat them as read-only.
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import streamlit as st

from app_ui.common import count
from recsys import lessons
from recsys.data.dataset import Dataset
from recsys.maps.projection import start_warm_up, umap_ready
from recsys.models.base import Recommender

#: embedding size of the model lessons 4, 5 and the sparsity lesson use
SHARED_FACTORS = 32
FACTOR_CHOICES = [2, 4, 8, 16, 32]
REG_CHOICES = [0.01, 0.1, 1.0, 10.0, 100.0]
DROP_GRID = [0.0, 0.2, 0.4, 0.6, 0.8, 0.9]
#: lesson 5 projects at most this many items (the most popular), so t-SNE and UMAP stay quick
PROJECTION_POINTS = 1000
SEED = 42


@st.cache_resource(max_entries=24, show_spinner="Training a small ALS model…")
def lesson_model(_dataset: Dataset, fingerprint: str, factors: int,
                 regularization: float = 0.1, iterations: int = 15) -> Recommender:
    return lessons.lesson_model(_dataset, factors, regularization, iterations, SEED)


def shared_model(dataset: Dataset) -> Recommender:
    """The 32-factor model of lessons 4-6."""
    return lesson_model(dataset, dataset.fingerprint, SHARED_FACTORS)


@st.cache_resource(max_entries=16, show_spinner="Training a 2-factor model…")
def two_factor_space(_dataset: Dataset, fingerprint: str, regularization: float,
                     iterations: int) -> lessons.FactorSpace:
    return lessons.two_factor_space(_dataset, regularization, iterations, SEED)


@st.cache_data(max_entries=8, show_spinner="Training one model per embedding size…")
def genre_recovery(_dataset: Dataset, fingerprint: str) -> pd.DataFrame:
    return lessons.genre_recovery(_dataset, FACTOR_CHOICES, seed=SEED)


@st.cache_data(max_entries=32, show_spinner=False)
def projection(_dataset: Dataset, fingerprint: str, method: str, n_neighbors: int,
               min_dist: float) -> lessons.ProjectedMap:
    idx = lessons.popular_items(_dataset, PROJECTION_POINTS)
    vectors = shared_model(_dataset).item_factors_[idx]
    return lessons.project_items(vectors, method, n_neighbors, min_dist, SEED)


def projection_items(dataset: Dataset) -> pd.DataFrame:
    """Title, label and popularity of the items lesson 5 projects (in projection order)."""
    idx = lessons.popular_items(dataset, PROJECTION_POINTS)
    labels, _ = lessons.reference_labels(dataset)
    return pd.DataFrame({"title": dataset.titles[idx], "label": labels[idx],
                         "popularity": dataset.item_popularity[idx]})


@st.cache_data(max_entries=64, show_spinner=False)
def sparsity_point(_dataset: Dataset, fingerprint: str, share: float) -> dict:
    return lessons.sparsity_point(_dataset, share, factors=SHARED_FACTORS, seed=SEED)


def sparsity_curve(dataset: Dataset, selected: float) -> pd.DataFrame:
    shares = sorted(set(DROP_GRID) | {round(selected, 2)})
    with st.spinner("Retraining on thinner data…"):
        rows = [sparsity_point(dataset, dataset.fingerprint, s) for s in shares]
    return pd.DataFrame(rows)


# ---------------------------------------------------------------------------- widgets
@st.cache_data(max_entries=8, show_spinner=False)
def _item_choices(_dataset: Dataset, fingerprint: str, limit: int) -> tuple[list[str], dict]:
    order = _dataset.item_popularity.argsort(kind="stable")[::-1][:limit]
    ids = [str(x) for x in _dataset.item_ids.to_external(order)]
    names = {i: f"{t} ({count(int(p), 'user')})" for i, t, p in
             zip(ids, _dataset.titles[order], _dataset.item_popularity[order], strict=True)}
    return ids, names


def item_picker(dataset: Dataset, label: str, key: str, default: str | None = None,
                limit: int = 5000) -> str:
    """A selectbox of items (most popular first), showing titles; returns the item id."""
    ids, names = _item_choices(dataset, dataset.fingerprint, limit)
    if default is not None and default not in names:
        ids = [default, *ids]
        names = {**names, default: str(dataset.titles[dataset.item_ids.index(default)])}
    index = ids.index(default) if default in ids else 0
    return st.selectbox(label, ids, index=index, key=key, format_func=names.get,
                        filter_mode="contains")


def items_multiselect(dataset: Dataset, label: str, key: str, default: list[str],
                      limit: int = 5000) -> list[str]:
    ids, names = _item_choices(dataset, dataset.fingerprint, limit)
    ids = list(dict.fromkeys([*default, *ids]))
    fmt: Callable[[str], str] = lambda i: names.get(i) or str(  # noqa: E731
        dataset.titles[dataset.item_ids.index(i)])
    return st.multiselect(label, ids, default=default, key=key, format_func=fmt,
                          max_selections=3, filter_mode="contains")


def user_picker(dataset: Dataset, key: str, limit: int = 500) -> str:
    """A selectbox of the most active users; returns the user id."""
    order = dataset.user_activity.argsort(kind="stable")[::-1][:limit]
    ids = [str(x) for x in dataset.user_ids.to_external(order)]
    acts = dict(zip(ids, dataset.user_activity[order], strict=True))
    return st.selectbox("User", ids, key=key, format_func=lambda u: f"{u} ({count(int(acts[u]), 'item')})")


def projection_methods(n_points: int) -> list[str]:
    """PCA and t-SNE, plus UMAP once its warm-up has compiled (started here if need be)."""
    if umap_ready(n_points):
        return ["pca", "tsne", "umap"]
    start_warm_up()
    return ["pca", "tsne"]


@st.fragment(run_every=3)
def rerun_when_umap_ready(n_points: int) -> None:
    """Poll the UMAP warm-up and rerun the page once a real fit will be quick."""
    if umap_ready(n_points):
        st.rerun()


def try_this(text: str) -> None:
    st.info(f"**Try this:** {text}", icon=":material/lightbulb:")


def labels_note(source: str | None) -> None:
    """Say where the colours come from when the data has no planted genres."""
    if source == lessons.PLANTED:
        return
    if source in (lessons.FIRST_CATEGORY, lessons.MOST_USED_TAG):
        st.caption(f"This data has no planted genres: colours show each item's {source}, a "
                   "rough reference. The demo catalogue (Data page) has planted genres, "
                   "which make this lesson sharper.")
    else:
        st.caption("This data has no genres, categories or tags, so items are not coloured. "
                   "Load the demo catalogue on the Data page to see planted genres.")


def rank_table(frame: pd.DataFrame) -> None:
    st.dataframe(frame, hide_index=True)


def two_tables(left_title: str, left: pd.DataFrame, right_title: str,
               right: pd.DataFrame) -> None:
    """Two ranked lists side by side, each under a short markdown title."""
    a, b = st.columns(2)
    for col, title, frame in ((a, left_title, left), (b, right_title, right)):
        with col:
            st.markdown(title)
            rank_table(frame)


def ranked(table: pd.DataFrame, rank_column: str) -> pd.DataFrame:
    """The rows of a lesson-4 table that are in one list, in that list's order."""
    part = table.dropna(subset=[rank_column]).sort_values(rank_column)
    return part[["title", "label", "popularity", "cosine", "co_users"]]
