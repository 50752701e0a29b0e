"""Helpers of the Learn page: cached lesson computations, the lesson frame and small widgets.

Every heavy step (training a lesson model, projections, the sparsity retrains) is cached by the
dataset's fingerprint and the knobs, so moving a slider back answers at once and other
sessions share the work. Models are cached as resources: treat them as read-only. What the
page says (and the knobs' choices) comes from :mod:`recsys.lesson_plan`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager

import pandas as pd
import streamlit as st

from app_ui.common import count, show_error
from recsys import lessons
from recsys.data.dataset import Dataset
from recsys.errors import RecsysError
from recsys.lesson_plan import (
    FACTOR_CHOICES,
    FACTOR_SPACE_DEFAULTS,
    PROJECTION_POINTS,
    REG_CHOICES,
    SEED,
    SHARED_FACTORS,
    Lesson,
    drop_shares,
)
from recsys.maps.projection import start_warm_up, umap_ready
from recsys.models.base import Recommender
from recsys.viz.lessons import waiting_figure

#: session key: a lesson figure was drawn in this session (plotly's code is in the browser)
_FIGURE_SHOWN = "_learn_figure_shown"
#: session key: lesson 1's knobs, which lesson 6 draws the same space with (widget keys go
#: when their lesson is closed)
FACTOR_SPACE_SETTINGS = "l1_settings"


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
    with st.spinner("Retraining on thinner data…"):
        rows = [sparsity_point(dataset, dataset.fingerprint, s) for s in drop_shares(selected)]
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


@contextmanager
def errors_shown() -> Iterator[None]:
    """Show a library error (bad input, a model that cannot do this) in place; go on below."""
    try:
        yield
    except RecsysError as exc:
        show_error(exc)


@contextmanager
def lesson(text: Lesson) -> Iterator[None]:
    """A lesson's frame: heading and paragraph, then the body written in the ``with`` block,
    then the "Try this" prompt, which is on screen before the body's models have trained."""
    st.subheader(text.title)
    st.markdown(text.body)
    body = st.container()
    try_this(text.prompt)
    with body, errors_shown():
        yield


def figure_slot(waiting: str):
    """Where a figure will stand. On the session's first lesson figure it shows ``waiting``
    at once (a light static chart), so the browser loads plotly's code while the server trains
    instead of after (measured: the first plotly chart of a page costs the browser 1.5-2.5 s)."""
    slot = st.empty()
    if not st.session_state.get(_FIGURE_SHOWN):
        slot.plotly_chart(waiting_figure(waiting), key="learn_waiting",
                          config={"staticPlot": True})
        st.session_state[_FIGURE_SHOWN] = True
    return slot


def factor_space_knobs() -> tuple[float, int, bool]:
    """Lesson 1's knobs: (regularisation, iterations, show users); remembered for lesson 6."""
    c1, c2, c3 = st.columns([2, 2, 1])
    reg_default, iters_default = FACTOR_SPACE_DEFAULTS
    reg = c1.select_slider("Regularisation", REG_CHOICES, value=reg_default, key="l1_reg",
                           help="Penalty on vector length: higher pulls everything inward.")
    iters = c2.slider("Iterations", 1, 30, iters_default, key="l1_iter",
                      help="Alternating passes over users and items.")
    show_users = c3.toggle("Show users", value=True, key="l1_users")
    st.session_state[FACTOR_SPACE_SETTINGS] = (reg, iters)
    return reg, iters, show_users


def umap_knobs() -> tuple[int, float]:
    """Lesson 5's knobs: (n_neighbors, min_dist)."""
    c1, c2 = st.columns(2)
    nn = c1.slider("UMAP n_neighbors", 2, 100, 15, key="l5_nn")
    md = c2.slider("UMAP min_dist", 0.0, 0.99, 0.1, 0.01, key="l5_md")
    return nn, md


def drop_slider() -> float:
    """Lesson 6's knob: the share of training interactions dropped."""
    return st.select_slider("Training interactions dropped", [i / 10 for i in range(10)],
                            value=0.4, key="l6_drop", format_func=lambda s: f"{s:.0%}")


def metrics(rows: Sequence[tuple]) -> None:
    """(label, value[, delta]) figures side by side, three to a row."""
    for col, (label, value, *delta) in zip(st.columns(3), rows, strict=False):
        col.metric(label, value, *delta)


def notes(*texts: str | None) -> None:
    """Captions under a figure; a None is a note that does not apply here."""
    for text in texts:
        if text:
            st.caption(text)


def try_this(text: str) -> None:
    st.info(f"**Try this:** {text}", icon=":material/lightbulb:")


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
