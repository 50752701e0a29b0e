"""Train: pick a model, set its hyperparameters, watch it learn, keep it in the workspace."""

from __future__ import annotations

import time

import streamlit as st

from app_ui.common import get_dataset, md_escape, page_link, show_error
from app_ui.models import (
    ACTIVE_MODEL_KEY,
    models_for_dataset,
    workspace,
)
from app_ui.train_panels import (
    LAST_RUN,
    MANAGE_ERROR,
    TRAINING_FLAG,
    TUNING_FLAG,
    finish,
    manage,
    param_widget,
    show_history,
    trials_frame,
    use_model,
)
from recsys.errors import RecsysError
from recsys.evaluation.metrics import RANKING_METRICS, metric_label
from recsys.evaluation.tuning import search_space, tune_and_save
from recsys.models.registry import available_models, get_model_class, unavailable_models
from recsys.store import models_frame
from recsys.training import progress_metric, progress_text, train_and_save

st.title("Train a model")
ds = get_dataset()
st.caption(
    f"On **{ds.name}** · {ds.n_users:,} users · {ds.n_items:,} items · {ds.n_interactions:,} interactions"
)

if st.session_state.pop(TRAINING_FLAG, None):
    # The last run was interrupted mid-fit (Cancel, or any other click): nothing was saved.
    st.warning(
        "Training cancelled. Nothing was saved; earlier models are unchanged.",
        icon=":material/cancel:",
    )
if st.session_state.pop(TUNING_FLAG, None):
    st.warning(
        "Tuning cancelled. Nothing was saved; earlier models are unchanged.",
        icon=":material/cancel:",
    )

keys = available_models()
left, right = st.columns([2, 3], gap="large")
with left:
    model_key = st.selectbox(
        "Model",
        keys,
        format_func=lambda k: get_model_class(k).label,
        key="train_model_kind",
        help="Every model gives item and user vectors for the map, except the two baselines.",
    )
    klass = get_model_class(model_key)
    st.caption(klass.description)
    for missing_key, reason in unavailable_models().items():  # optional extras not installed
        st.caption(f":material/extension: {md_escape(missing_key)}: {md_escape(reason)}")
    if not getattr(klass, "ranks_items", True):
        st.info(
            "Trained for rating prediction (RMSE), not as a top-N ranker: compare it by RMSE on "
            "the Evaluate page; for recommendation lists pick ALS, EASE, PureSVD or BPR.",
            icon=":material/info:",
        )
    if model_key == "ease":
        st.info(
            "EASE has no embeddings of its own: the vectors on the map come from a truncated "
            "SVD of its item-item weight matrix. Recommendations use the exact weights.",
            icon=":material/info:",
        )
    with st.expander("Hyperparameters", expanded=True):
        params = {name: param_widget(model_key, name, spec) for name, spec in klass.PARAMS.items()}
        if not klass.PARAMS:
            st.caption("This model has no hyperparameters.")
    name = st.text_input(
        "Name (optional)",
        key="train_name",
        max_chars=80,
        help="Saved under this name in the workspace; leave empty for <model>-<data>-<time>.",
    )
    train = st.button("Train", type="primary", icon=":material/play_arrow:", key="train_go")
    tune_go = False
    try:
        space = search_space(model_key) if klass.PARAMS else {}
    except RecsysError:
        space = {}
    if space:
        with st.expander("Tune: search the best hyperparameters", icon=":material/tune:"):
            st.caption(
                "Optuna's TPE sampler tries settings one after another, each trained on part of "
                "the loaded data and scored on a validation part carved from it (each user's "
                "latest 20%, or a random 20% without times). The defaults are tried first. The "
                "best setting is then trained on all the data and saved with its trials."
            )
            budget = st.slider(
                "Time budget (seconds)", 10, 900, 60, 10, key="tune_budget",
                help="The search stops when the time is up (a trial still running is stopped "
                "once one has finished).",
            )
            t1, t2 = st.columns(2)
            max_trials = int(
                t1.number_input(
                    "Max trials (0 = no limit)", 0, 500, 0, 1, key="tune_trials",
                    help="Stop after this many trials even if time is left.",
                )
            )
            tune_metric = t2.selectbox(
                "Maximise", RANKING_METRICS, index=RANKING_METRICS.index("ndcg"),
                format_func=lambda m: metric_label(m, 10), key="tune_metric",
            )
            searched = st.multiselect(
                "Hyperparameters to search", list(space), default=list(space),
                key=f"tune_params_{model_key}",
                format_func=lambda n: space[n].describe(),
                help="The others keep the values set above.",
            )
            tune_go = st.button(
                "Tune", icon=":material/tune:", key="tune_go", disabled=not searched
            )

with right:
    status = st.empty()
    chart = st.empty()
    if tune_go:
        st.button(
            "Cancel",
            icon=":material/stop:",
            key="tune_cancel",
            help="Stops the search; nothing is saved and earlier models stay as they were.",
        )
        bar = status.progress(0.0, text="Starting the search…")
        start = time.perf_counter()
        rows: list[dict] = []
        names = list(searched)

        def tune_progress(step: int, total: int, info: dict) -> None:
            elapsed = time.perf_counter() - start
            bar.progress(info.get("fraction", 0.0), text=f"{info['message']} · {elapsed:.0f} s")
            if "trial" in info:
                rows.append(
                    {
                        "trial": info["trial"],
                        **info["params"],
                        tune_metric: info["value"],
                        "fit_seconds": info["fit_seconds"],
                    }
                )
                chart.dataframe(
                    trials_frame(rows, names, tune_metric), hide_index=True, width="stretch"
                )

        st.session_state[TUNING_FLAG] = True
        try:
            result, model, info = tune_and_save(
                model_key,
                ds,
                name=name or None,
                seconds=float(budget),
                trials=max_trials or None,
                metric=tune_metric,
                space={n: space[n] for n in names},
                base_params={n: v for n, v in params.items() if n not in names},
                progress=tune_progress,
                workspace=workspace(),
            )
        except RecsysError as exc:
            st.session_state.pop(TUNING_FLAG, None)
            status.empty()
            show_error(exc)
        else:
            finish(TUNING_FLAG, model, info, tuning=result.history())
    if train:
        st.button(
            "Cancel",
            icon=":material/stop:",
            key="train_cancel",
            help="Stops training; nothing is saved and earlier models stay as they were.",
        )
        bar = status.progress(
            0.0,
            text=f"Preparing {ds.n_interactions:,} interactions, then the first pass; progress "
            "shows after each pass (the first can take a while on large data)…",
        )
        start = time.perf_counter()
        history: list[dict] = []

        def progress(step: int, total: int, info: dict) -> None:
            history.append(info)
            text = progress_text(step, total, time.perf_counter() - start, info)
            bar.progress(min(step / max(total, 1), 1.0), text=text)
            show_history(history, chart)

        st.session_state[TRAINING_FLAG] = True
        try:
            model, info = train_and_save(
                model_key, params, ds, name=name or None, progress=progress, workspace=workspace()
            )
        except RecsysError as exc:
            st.session_state.pop(TRAINING_FLAG, None)
            status.empty()
            show_error(exc)
        else:
            finish(TRAINING_FLAG, model, info)
    last = st.session_state.get(LAST_RUN)
    busy = train or tune_go
    if last and not busy and last.get("tuning"):
        tuning = last["tuning"]
        best = ", ".join(f"{n}={tuning['best_params'][n]}" for n in tuning["space"])
        status.success(
            f"Tuned **{last['label']}**: {len(tuning['trials'])} trials in "
            f"{tuning['seconds']:.0f} s; best {metric_label(tuning['metric'], tuning['k'])} on "
            f"validation {tuning['best_value']:.4f} with {best}. Trained on all the data and "
            f"saved as **{last['name']}**.",
            icon=":material/check_circle:",
        )
        chart.dataframe(
            trials_frame(tuning["trials"], list(tuning["space"]), tuning["metric"]),
            hide_index=True,
            width="stretch",
        )
        st.caption(f"Trials, best first. Validation: {tuning['validation']}.")
        page_link("map", "See it on the map", ":material/scatter_plot:")
    elif last and not busy:
        status.success(
            f"Trained **{last['label']}** in {last['seconds']:.1f} s and saved it as **{last['name']}**.",
            icon=":material/check_circle:",
        )
        show_history(last["history"], chart)
        if progress_metric(last["history"]):
            st.caption(f"Training {progress_metric(last['history'])} per iteration.")
        page_link("map", "See it on the map", ":material/scatter_plot:")
    elif not busy:
        status.info(
            "Pick a model and press **Train** (or open **Tune** to search its settings). "
            "Progress and the training loss show here.",
            icon=":material/model_training:",
        )

st.divider()
st.subheader("Saved models")
try:
    mine, others, problems = models_for_dataset(ds.fingerprint)
except RecsysError as exc:
    show_error(exc)
    mine, others, problems = [], [], []
for problem in problems:
    st.warning(problem, icon=":material/warning:")
if not mine:
    st.caption("No saved model for this dataset yet.")
else:
    st.dataframe(
        models_frame(mine),
        hide_index=True,
        width="stretch",
    )
    names = [i.name for i in mine]
    active = st.session_state.get(ACTIVE_MODEL_KEY)
    chosen = st.selectbox(
        "Saved model",
        names,
        index=names.index(active) if active in names else 0,
        key="train_saved_pick",
    )
    c1, c2, c3 = st.columns([1, 2, 1], vertical_alignment="bottom")
    # a callback runs before this script reruns, so the caption below shows the new choice
    c1.button(
        "Use this model", key="train_use", icon=":material/check:", on_click=use_model,
        args=(chosen,),
    )
    c2.text_input("Rename to", key="train_rename_to", max_chars=80)
    c2.button("Rename", key="train_rename", on_click=manage, args=("rename", chosen))
    confirm = c3.checkbox("Really delete", key="train_delete_confirm")
    c3.button(
        "Delete",
        key="train_delete",
        disabled=not confirm,
        icon=":material/delete:",
        on_click=manage,
        args=("delete", chosen),
    )
    if MANAGE_ERROR in st.session_state:
        st.error(st.session_state.pop(MANAGE_ERROR), icon=":material/error:")
    active = st.session_state.get(ACTIVE_MODEL_KEY)  # read after any callback/rename
    if active in names:
        st.caption(f"Active model on the other pages: **{active}**")
if others:
    with st.expander(f"{len(others)} saved model(s) need a different dataset"):
        st.dataframe(
            models_frame(others, other_dataset=True),
            hide_index=True,
            width="stretch",
        )
        st.caption("Load that dataset on the Data page to use these models.")
