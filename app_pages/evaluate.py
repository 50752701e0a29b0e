"""Evaluate: held-out accuracy of several models on one split, always next to the baselines."""

from __future__ import annotations

import time

import streamlit as st

from app_ui import evaluate_panels as ui
from app_ui.common import get_dataset, show_error
from app_ui.models import load_saved_model, workspace
from recsys.errors import RecsysError
from recsys.evaluation.comparison import ModelSpec, run_comparison
from recsys.evaluation.metrics import DEFAULT_K, MAX_TEST_USERS, METRIC_DEFINITIONS
from recsys.evaluation.runs import list_runs, load_run, save_run
from recsys.models.registry import available_models, get_model_class

RUN_KEY = "_eval_run_id"
FRESH_DEFAULT = ["als", "svd"]

st.title("Evaluate and compare models")
ds = get_dataset()
st.caption(
    f"On **{ds.name}** · {ds.n_users:,} users · {ds.n_items:,} items · "
    f"{ds.n_interactions:,} interactions. Each model is trained on the training part of a split "
    "and ranks every training item for each test user (their own training items excluded)."
)

# ---------------------------------------------------------------------- setup
runs, run_problems = list_runs(workspace(), fingerprint=ds.fingerprint)
with st.expander("Set up a comparison", expanded=not runs, icon=":material/tune:"):
    c1, c2, c3 = st.columns([3, 2, 1])
    with c1:
        kind, split_params = ui.split_settings(ds)
    with c3:
        k = int(st.number_input("K", value=DEFAULT_K, min_value=1, max_value=100, step=1, key="eval_k",
                                help="Length of each recommendation list."))
    try:
        split = ui.cached_split(ds.fingerprint, kind, tuple(sorted(split_params.items())), ds)
        c2.metric("Held out", f"{split.n_test:,}", help=split.describe())
        c2.caption(split.describe())
    except RecsysError as exc:
        show_error(exc)
        st.stop()

    kinds = [m for m in available_models() if m not in ("popular", "random")]
    fresh = st.multiselect(
        "Train fresh", kinds, default=[m for m in FRESH_DEFAULT if m in kinds], key="eval_fresh",
        format_func=lambda m: get_model_class(m).label,
        help="Trained on the training part with the settings below. The popularity and random "
        "baselines are always included.",
    )
    specs: list[ModelSpec] = []
    if fresh:
        tabs = st.tabs([get_model_class(m).label for m in fresh])
        for tab, key in zip(tabs, fresh, strict=True):
            with tab:
                klass = get_model_class(key)
                if not getattr(klass, "ranks_items", True):  # rating MF: say what it is for
                    st.info(klass.description, icon=":material/info:")
                cols = st.columns(4)
                params = {}
                for i, (name, spec) in enumerate(klass.PARAMS.items()):
                    with cols[i % 4]:
                        params[name] = ui.param_input(f"eval_hp_{key}", name, spec)
                specs.append(ModelSpec(key, params))
    try:
        saved_infos, problems = workspace().list_models()
    except RecsysError as exc:
        saved_infos, problems = [], [str(exc)]
    train_fp, n_eval_users = ui.split_facts(ds.fingerprint, kind, tuple(sorted(split_params.items())), ds)
    if n_eval_users > MAX_TEST_USERS:
        st.caption(f"{n_eval_users:,} test users: a sample of {MAX_TEST_USERS:,} (seed 0, the same "
                   "users for every model) is evaluated, to keep a run to minutes on data this large.")
    mine = {i.name: i for i in saved_infos if i.dataset_fingerprint in (ds.fingerprint, train_fp)}
    saved = st.multiselect(
        "Saved models", list(mine), key="eval_saved",
        format_func=lambda n: f"{n} ({mine[n].label})",
        help="A saved model trained on all the data has seen the held-out interactions, so its "
        "settings are re-trained on the training part. A model trained on exactly this split's "
        "training part (saved from the search below) is used as it is.",
    )
    for name in saved:
        info = mine[name]
        model = load_saved_model(name, info.dataset_fingerprint, info.created_at) if info.dataset_fingerprint == train_fp else None
        specs.append(ModelSpec(info.model, dict(info.params), saved=name, model=model))
    for p in problems:
        st.caption(f"Skipped: {p}")
    go = st.button("Run evaluation", type="primary", icon=":material/play_arrow:", key="eval_go")

if go:
    bar = st.progress(0.0, text="Starting…")
    try:
        comparison = run_comparison(ds, split, specs, k=k, progress=ui.progress_callback(bar, time.perf_counter()),
                                    max_test_users=MAX_TEST_USERS, sample_seed=0)
        save_run(comparison, workspace())
        st.session_state[RUN_KEY] = comparison.run_id
        bar.empty()
        runs, run_problems = list_runs(workspace(), fingerprint=ds.fingerprint)
    except RecsysError as exc:
        bar.empty()
        show_error(exc)

# ---------------------------------------------------------------------- results
for p in run_problems:
    st.caption(f"Skipped: {p}")
tab_board, tab_users, tab_search, tab_defs = st.tabs(
    ["Leaderboard", "Per user", "Hyperparameter search", "Metric definitions"]
)
comparison = None
if runs:
    ids = [r.run_id for r in runs]
    if st.session_state.get(RUN_KEY) not in ids:
        st.session_state[RUN_KEY] = ids[0]
    with tab_board:
        by_id = {r.run_id: r for r in runs}
        run_id = st.selectbox("Run", ids, key=RUN_KEY, format_func=lambda r: by_id[r].summary(),
                              help="Runs are saved in the workspace and come back after a restart.")
        try:
            comparison = load_run(run_id, workspace())
        except RecsysError as exc:
            show_error(exc)
with tab_board:
    if comparison is None:
        st.info("No evaluation yet for this dataset: choose models above and press **Run evaluation**.",
                icon=":material/leaderboard:")
    else:
        ui.results_section(comparison)
with tab_users:
    if comparison is not None:
        ui.users_section(comparison)
    else:
        st.info("Run an evaluation first.")
with tab_search:
    ui.search_section(ds, split, k)
with tab_defs:
    st.markdown(
        "**Protocol.** Every training item is a candidate; each user's training items are "
        "excluded; a user's test items are their held-out items not already in training, all "
        "counted as relevant whatever the rating. Users with fewer than 2 interactions stay in "
        "training and are not evaluated, nor are users with no training history. Ranking metrics "
        "are averaged over users; ties in scores go to the lower item index."
    )
    st.markdown("\n".join(f"- **{label}**: {text}" for label, text in METRIC_DEFINITIONS.values()))
    st.caption(
        "implicit's `precision_at_k` is different: it pools hits over users and divides by the "
        "sum of min(K, |test items|). On the same split our NDCG@K and MAP@K equal implicit's."
    )
