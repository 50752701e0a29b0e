"""Widgets and sections of the Evaluate page (the page itself stays short)."""

from __future__ import annotations

import math
import time

import pandas as pd
import streamlit as st

from app_ui import state
from app_ui.common import count, show_error, switch_to
from app_ui.models import clear_model_cache, set_active_model, workspace
from recsys.data.dataset import Dataset
from recsys.errors import RecsysError
from recsys.evaluation.comparison import Comparison, head_to_head
from recsys.evaluation.metrics import (
    BEYOND_ACCURACY,
    METRIC_DEFINITIONS,
    NO_TIME_REASON,
    RANKING_METRICS,
    RATING_METRICS,
    Split,
    available_split_kinds,
    default_split_kind,
    make_split,
    metric_label,
    sample_note,
)
from recsys.evaluation.tuning import (
    NOT_TUNED,
    format_space,
    grid_search,
    parse_values,
    search_space,
    train_best,
    tune,
)
from recsys.models.base import Param
from recsys.models.registry import available_models, get_model_class
from recsys.progress import fraction_of
from recsys.viz import evaluation as figs

RECOMMEND_USER_KEYS = (state.RECOMMEND_USER,)  # the Recommend page's user selectbox
SEARCH_KEY = "_eval_search"
PER_USER_COLUMN = {"map": "ap", "mrr": "rr", "hit_rate": "hit"}  # leaderboard -> per-user column
SPLIT_LABELS = {
    "temporal": "Temporal: each user's latest interactions",
    "random": "Random: a random share of each user's interactions",
    "time_cutoff": "Global time cutoff: everything after one date",
}


def param_input(prefix: str, name: str, spec: Param):
    """One widget for a hyperparameter, its help text from the Param."""
    key, label = f"{prefix}_{name}", name.replace("_", " ").capitalize()
    if isinstance(spec.default, bool):
        return st.checkbox(label, value=spec.default, help=spec.help, key=key)
    if spec.choices is not None:
        return st.selectbox(label, spec.choices, index=spec.choices.index(spec.default), help=spec.help, key=key)
    lo = None if spec.min is None else spec.min
    hi = None if spec.max is None else spec.max
    if isinstance(spec.default, int):
        return st.number_input(label, value=spec.default, step=1, help=spec.help, key=key,
                               min_value=None if lo is None else int(lo), max_value=None if hi is None else int(hi))
    step = 10 ** math.floor(math.log10(abs(spec.default))) if spec.default else 0.01
    return st.number_input(label, value=float(spec.default), step=float(step), format="%g", help=spec.help,
                           key=key, min_value=None if lo is None else float(lo), max_value=None if hi is None else float(hi))


def split_settings(ds: Dataset) -> tuple[str, dict]:
    """Split kind and its settings (widgets); time-based kinds only when the data has times."""
    kinds = available_split_kinds(ds)
    if st.session_state.get("eval_split_kind") not in kinds:
        st.session_state["eval_split_kind"] = default_split_kind(ds)  # e.g. after a new dataset
    help_text = (
        "Temporal is the honest default: the model must predict what users did next."
        if ds.has_timestamps
        else NO_TIME_REASON
    )
    kind = st.selectbox("Split", kinds, format_func=SPLIT_LABELS.get, key="eval_split_kind",
                        help=help_text)
    if not ds.has_timestamps:
        st.caption(
            "Temporal and time-cutoff splits are off: this data has no time column (its order is "
            "only the order of the file), so a random split is the default."
        )
    share = st.slider("Held-out share", 0.05, 0.5, 0.2, 0.05, key="eval_share",
                      help="Per user (temporal, random) or of all interactions (time cutoff).")
    params: dict = {"test_fraction": float(share)}
    if kind == "random":
        params["seed"] = int(st.number_input("Seed", value=42, min_value=0, step=1, key="eval_seed"))
    return kind, params


@st.cache_data(show_spinner=False, max_entries=8)
def cached_split(fingerprint: str, kind: str, params: tuple, _ds: Dataset) -> Split:
    return make_split(_ds, kind, **dict(params))


@st.cache_data(show_spinner=False, max_entries=8)
def split_facts(fingerprint: str, kind: str, params: tuple, _ds: Dataset) -> tuple[str, int]:
    """(fingerprint of the training part, number of test users) of a split: cached, because at
    25M interactions building the train/test parts takes seconds and the page reruns often."""
    data = cached_split(fingerprint, kind, params, _ds).apply(_ds)
    return data.train.fingerprint, int(len(data.eval_users))


def progress_callback(bar, started: float):
    def progress(step: int, total: int, info: dict) -> None:
        message = info.get("message", "")
        bar.progress(fraction_of(step, total), text=f"{message} · {time.perf_counter() - started:.1f} s")
    return progress


def leaderboard_frame(comparison: Comparison) -> pd.DataFrame:
    """The leaderboard with readable column names."""
    board = comparison.leaderboard()
    cols = [c for c in ["model", *RANKING_METRICS, *BEYOND_ACCURACY, *RATING_METRICS, "fit_seconds", "eval_seconds"] if c in board]
    names = {m: metric_label(m, comparison.k) for m in METRIC_DEFINITIONS}
    names.update(fit_seconds="fit s", eval_seconds="eval s", avg_popularity="Avg popularity")
    return board[cols].rename(columns=names)


def results_section(comparison: Comparison) -> None:
    """Leaderboard, bars per metric, beyond-accuracy, fit times, activity buckets."""
    k = comparison.k
    note = sample_note(comparison.results[0].extra)
    users = note or f"{comparison.results[0].metrics.get('users', 0):,} users evaluated"
    st.caption(f"{comparison.split.describe()} · K = {k} · {users} · run {comparison.run_id or '(not saved)'}")
    frame = leaderboard_frame(comparison)
    st.dataframe(frame, hide_index=True, width="stretch", key="eval_board", column_config={
        c: st.column_config.NumberColumn(format="%.1f" if c == "Avg popularity" else "%.2f" if c.endswith(" s") else "%.4f")
        for c in frame.columns if c != "model"})
    board = comparison.leaderboard()
    st.plotly_chart(figs.metric_bars(board, RANKING_METRICS, k), key="eval_fig_rank")
    left, right = st.columns(2)
    left.plotly_chart(figs.metric_bars(board, BEYOND_ACCURACY + [m for m in RATING_METRICS if m in board], k,
                                       title="Beyond accuracy"), key="eval_fig_beyond")
    right.plotly_chart(figs.fit_times(board), key="eval_fig_time")
    names = [r.name for r in comparison.results]
    metric = st.selectbox("Metric by user activity", RANKING_METRICS, index=2, key="eval_bucket_metric",
                          format_func=lambda m: metric_label(m, k))
    per_user = comparison.per_user(PER_USER_COLUMN.get(metric, metric))
    st.plotly_chart(figs.bucket_bars(per_user, names, metric, k), key="eval_fig_bucket")
    st.caption("Users are grouped by their number of training interactions: the sparsity question.")


def users_section(comparison: Comparison) -> None:
    """Per-user comparison of two models and a link to the Recommend page."""
    names = [r.name for r in comparison.results]
    if len(names) < 2:
        st.info("Run at least two models to compare them user by user.")
        return
    c1, c2, c3 = st.columns(3)
    a = c1.selectbox("Model A", names, index=0, key="eval_a")
    b = c2.selectbox("Model B", names, index=1, key="eval_b")
    metric = c3.selectbox("Metric", ["ndcg", "recall", "precision", "map", "mrr"], key="eval_user_metric",
                          format_func=lambda m: metric_label(m, comparison.k))
    if a == b:
        st.info("Pick two different models.")
        return
    h2h = head_to_head(comparison, a, b, PER_USER_COLUMN.get(metric, metric))
    wins = h2h["winner"].value_counts()
    m1, m2, m3 = st.columns(3)
    m1.metric(f"{a} wins", count(wins.get(a, 0), "user"))
    m2.metric(f"{b} wins", count(wins.get(b, 0), "user"))
    m3.metric("Ties", count(wins.get('tie', 0), "user"))
    st.plotly_chart(figs.head_to_head_scatter(h2h, a, b, PER_USER_COLUMN.get(metric, metric), comparison.k), key="eval_fig_h2h")
    left, right = st.columns(2)
    for col, who in ((left, a), (right, b)):
        col.markdown(f"**Where {who} wins most**")
        col.dataframe(h2h[h2h["winner"] == who].head(10)[["user", "n_train", "n_test", a, b]],
                      hide_index=True, width="stretch", key=f"eval_wins_{who}",
                      column_config={a: st.column_config.NumberColumn(format="%.3f"),
                                     b: st.column_config.NumberColumn(format="%.3f")})
    users = h2h["user"].head(200).tolist()
    c1, c2 = st.columns([3, 1], vertical_alignment="bottom")
    user = c1.selectbox("See a user on the Recommend page", users, key="eval_user_pick",
                        help="Users ordered by how much the two models differ for them.")
    if c2.button("Open in Recommend", icon=":material/recommend:", key="eval_open_user"):
        for key in RECOMMEND_USER_KEYS:
            st.session_state[key] = user
        switch_to("recommend")


def search_section(ds: Dataset, split: Split, k: int) -> None:
    """Hyperparameter search (the Train page's Tune code) on a validation split of the training
    part; chart; save the best as a model."""
    st.caption("Every setting is trained on part of the training data and scored on a validation "
               "part carved from it, the same way as the split above. The test part is never used. "
               "Optuna's TPE sampler proposes each next setting from the trials so far (the "
               "defaults first); a list of values per parameter (e.g. `8, 32`) tries exactly "
               "those, a range (`8..128`) lets the sampler choose within it.")
    keys = [m for m in available_models() if get_model_class(m).PARAMS]
    c1, c2 = st.columns(2)
    key = c1.selectbox("Model", keys, format_func=lambda m: get_model_class(m).label, key="search_model")
    klass = get_model_class(key)
    if not getattr(klass, "ranks_items", True):
        st.info("This model is trained for rating prediction (RMSE), not as a top-N ranker; its "
                "ranking metrics are expected to be low.", icon=":material/info:")
    metric = c2.selectbox("Maximise", RANKING_METRICS, index=2, key="search_metric",
                          format_func=lambda m: metric_label(m, k))
    try:
        space = search_space(key)
    except RecsysError:
        space = {}
    numeric = [p for p in klass.PARAMS if p not in NOT_TUNED]
    chosen = st.multiselect("Parameters to search", numeric, default=[p for p in numeric if p in space][:3],
                            key=f"search_params_{key}")
    texts = {}
    for col, name in zip(st.columns(max(min(len(chosen), 4), 1)) * 8, chosen, strict=False):
        spec = klass.PARAMS[name]
        default = format_space(space[name]) if name in space else ", ".join(map(str, _suggest(spec)))
        texts[name] = col.text_input(f"{name} values", default, key=f"search_{key}_{name}",
                                     help=f"{spec.help} A range low..high or a list a, b, c.")
    b1, b2 = st.columns(2)
    budget = b1.slider("Time budget (seconds)", 10, 900, 60, 10, key="search_budget",
                       help="A list of values in every box tries them all (up to 64 settings) whatever the budget.")
    max_trials = int(b2.number_input("Max trials (0 = no limit)", 0, 500, 20, 1, key="search_trials"))
    if st.button("Run search", icon=":material/tune:", key="search_go", disabled=not chosen):
        bar = st.progress(0.0, text="Starting…")
        best_box = st.empty()
        started = time.perf_counter()

        def progress(step: int, total: int, info: dict) -> None:
            bar.progress(info.get("fraction", 0.0), text=f"{info['message']} · {time.perf_counter() - started:.1f} s")
            if "best_params" in info:
                best_box.caption(f"Best so far: {metric_label(metric, k)} {info['best_value']:.4f} with "
                                 + ", ".join(f"{n}={v}" for n, v in info["best_params"].items()))

        try:
            values = {n: parse_values(t, klass.PARAMS[n].default) for n, t in texts.items()}
            train = split.apply(ds).train
            if all(isinstance(v, list) for v in values.values()):  # exact values: try them all
                result = grid_search(train, key, values, k=k, metric=metric, like=split, progress=progress)
            else:
                result = tune(train, key, search_space(key, chosen, values), k=k, metric=metric, like=split,
                              seconds=float(budget), trials=max_trials or None, progress=progress)
            st.session_state[SEARCH_KEY] = result
            bar.empty()
            best_box.empty()
        except RecsysError as exc:
            show_error(exc)
    result = st.session_state.get(SEARCH_KEY)
    if result is None or result.key != key:
        return
    params = result.params
    if result.stopped == "grid" and len(params) <= 3:
        st.plotly_chart(figs.search_chart(result.table, params, result.metric, result.k), key="search_fig")
    else:
        curve = result.table[["trial", result.metric]].assign(best=result.table[result.metric].cummax())
        st.line_chart(curve.rename(columns={result.metric: "this trial", "best": "best so far"}), x="trial",
                      y=["this trial", "best so far"], height=300, y_label=metric_label(result.metric, result.k))
    st.dataframe(result.table.rename(columns={m: metric_label(m, result.k) for m in RANKING_METRICS}), hide_index=True,
                 width="stretch", key="search_table",
                 column_config={"fit_seconds": st.column_config.NumberColumn("fit s", format="%.2f")})
    st.success(f"Best on validation ({len(result.table)} trials, {result.seconds:.0f} s): "
               f"{', '.join(f'{n}={v}' for n, v in result.best_params.items())}")
    c1, c2, c3 = st.columns([2, 2, 1], vertical_alignment="bottom")
    name = c1.text_input("Save best as", f"{key}-tuned", key="search_name", max_chars=80)
    on = c2.radio("Train on", ["all loaded data (use it on other pages)", "training part of the split (compare it here)"],
                  key="search_train_on")
    if c3.button("Save best", icon=":material/save:", key="search_save"):
        data = ds if on.startswith("all") else split.apply(ds).train
        try:
            with st.spinner("Training the best setting…"):
                model = train_best(result, data)
            info = workspace().save_model(model, workspace().unique_name(name), ds,
                                          extra_meta={"tuning": result.history()})
            clear_model_cache()
            if on.startswith("all"):
                set_active_model(info.name)
            st.success(f"Saved '{info.name}' ({model.fit_seconds_:.1f} s).")
        except RecsysError as exc:
            show_error(exc)


def _suggest(spec: Param) -> list:
    """A handful of values around the default for the search box."""
    d = spec.default
    if isinstance(d, int):
        vals = sorted({max(int(spec.min or 1), v) for v in (d // 4, d // 2, d, d * 2)})
    else:
        vals = [d / 10, d, d * 10] if spec.log else [d / 2, d, d * 2]
    return [v for v in vals if (spec.min is None or v >= spec.min) and (spec.max is None or v <= spec.max)]
