"""The Train page's widgets and runs: model choice, hyperparameter inputs, the Tune controls,
a fit or a search with live progress, and what the page says after one.

What is said comes from :mod:`recsys.train_text`; fitting and searching from
:mod:`recsys.training` and :mod:`recsys.evaluation.tuning` (the CLI's code path).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import streamlit as st

from app_ui.common import md_escape, page_link, show_error
from app_ui.models import set_active_model, workspace
from recsys import train_text
from recsys.data.dataset import Dataset
from recsys.errors import RecsysError
from recsys.evaluation.metrics import RANKING_METRICS, metric_label
from recsys.evaluation.tuning import search_space, tune_and_save
from recsys.models.base import Param, Recommender
from recsys.models.registry import available_models, get_model_class, unavailable_models
from recsys.training import history_frame, progress_text, train_and_save

TRAINING_FLAG = "_train_running"
TUNING_FLAG = "_tune_running"
LAST_RUN = "_train_last_run"


def cancelled_notices() -> None:
    """Say so when the last run was interrupted mid-fit (Cancel, or any other click)."""
    for flag, text in (
        (TRAINING_FLAG, train_text.TRAINING_CANCELLED),
        (TUNING_FLAG, train_text.TUNING_CANCELLED),
    ):
        if st.session_state.pop(flag, None):
            st.warning(text, icon=":material/cancel:")


def model_choice() -> tuple[str, type[Recommender]]:
    """The model selectbox, its description, models needing an extra, and its notices."""
    key = st.selectbox(
        "Model",
        available_models(),
        format_func=lambda k: get_model_class(k).label,
        key="train_model_kind",
        help="Every model gives item and user vectors for the map, except the two baselines.",
    )
    klass = get_model_class(key)
    st.caption(klass.description)
    for missing_key, reason in unavailable_models().items():  # optional extras not installed
        st.caption(f":material/extension: {md_escape(missing_key)}: {md_escape(reason)}")
    for notice in train_text.model_notices(key):
        st.info(notice, icon=":material/info:")
    return key, klass


def hyperparameters(key: str, klass: type[Recommender]) -> dict:
    """One widget per hyperparameter, in an expander; the values set."""
    with st.expander("Hyperparameters", expanded=True):
        params = {name: param_widget(key, name, spec) for name, spec in klass.PARAMS.items()}
        if not klass.PARAMS:
            st.caption("This model has no hyperparameters.")
    return params


def param_widget(model_key: str, name: str, spec: Param):
    """One widget per hyperparameter, its help text from the Param."""
    key = f"hp_{model_key}_{name}"
    label = name.replace("_", " ").capitalize()
    if isinstance(spec.default, bool):
        return st.checkbox(label, value=spec.default, help=spec.help, key=key)
    if spec.choices is not None:
        return st.selectbox(
            label, spec.choices, index=spec.choices.index(spec.default), help=spec.help, key=key
        )
    if isinstance(spec.default, int):
        return st.number_input(
            label,
            value=spec.default,
            step=1,
            help=spec.help,
            key=key,
            min_value=None if spec.min is None else int(spec.min),
            max_value=None if spec.max is None else int(spec.max),
        )
    step = 10 ** math.floor(math.log10(abs(spec.default))) if spec.default else 0.01
    return st.number_input(
        label,
        value=float(spec.default),
        step=float(step),
        format="%g",
        help=spec.help,
        key=key,
        min_value=None if spec.min is None else float(spec.min),
        max_value=None if spec.max is None else float(spec.max),
    )


# ---------------------------------------------------------------------------- tune
@dataclass(frozen=True)
class TuneRequest:
    """The Tune controls' settings when the Tune button was pressed."""

    space: dict  # name -> search distribution, the searched ones only
    budget: float
    trials: int | None
    metric: str


def tune_controls(key: str, klass: type[Recommender]) -> TuneRequest | None:
    """The Tune expander (for models with a search space); the request when Tune is pressed."""
    try:
        space = search_space(key) if klass.PARAMS else {}
    except RecsysError:
        space = {}
    if not space:
        return None
    with st.expander("Tune: search the best hyperparameters", icon=":material/tune:"):
        st.caption(train_text.TUNE_INTRO)
        budget = st.slider(
            "Time budget (seconds)", 10, 900, 60, 10, key="tune_budget",
            help="The search stops when the time is up (a trial still running is stopped "
            "once one has finished).",
        )  # fmt: skip
        t1, t2 = st.columns(2)
        max_trials = int(
            t1.number_input(
                "Max trials (0 = no limit)",
                0,
                500,
                0,
                1,
                key="tune_trials",
                help="Stop after this many trials even if time is left.",
            )  # fmt: skip
        )
        metric = t2.selectbox(
            "Maximise", RANKING_METRICS, index=RANKING_METRICS.index("ndcg"),
            format_func=lambda m: metric_label(m, 10), key="tune_metric",
        )  # fmt: skip
        searched = st.multiselect(
            "Hyperparameters to search", list(space), default=list(space),
            key=f"tune_params_{key}", format_func=lambda n: space[n].describe(),
            help="The others keep the values set above.",
        )  # fmt: skip
        go = st.button("Tune", icon=":material/tune:", key="tune_go", disabled=not searched)
    if not go:
        return None
    return TuneRequest({n: space[n] for n in searched}, float(budget), max_trials or None, metric)


def _cancel_button(key: str, what: str) -> None:
    # any click reruns the script and so interrupts the run; this one says so
    st.button(
        "Cancel", icon=":material/stop:", key=key,
        help=f"Stops {what}; nothing is saved and earlier models stay as they were.",
    )  # fmt: skip


def run_tuning(
    ds: Dataset, key: str, name: str, params: dict, request: TuneRequest, status, chart
) -> None:
    """Search with a live best-so-far table; on success the best model is saved and active."""
    _cancel_button("tune_cancel", "the search")
    bar = status.progress(0.0, text="Starting the search…")
    start = time.perf_counter()
    rows: list[dict] = []
    names = list(request.space)

    def progress(step: int, total: int, info: dict) -> None:
        elapsed = time.perf_counter() - start
        bar.progress(info.get("fraction", 0.0), text=f"{info['message']} · {elapsed:.0f} s")
        row = train_text.trial_row(info, request.metric)
        if row is not None:
            rows.append(row)
            chart.dataframe(
                train_text.trials_frame(rows, names, request.metric),
                hide_index=True,
                width="stretch",
            )

    st.session_state[TUNING_FLAG] = True
    try:
        result, model, info = tune_and_save(
            key, ds, name=name or None, seconds=request.budget, trials=request.trials,
            metric=request.metric, space=request.space,
            base_params={n: v for n, v in params.items() if n not in names},
            progress=progress, workspace=workspace(),
        )  # fmt: skip
    except RecsysError as exc:
        st.session_state.pop(TUNING_FLAG, None)
        status.empty()
        show_error(exc)
    else:
        finish(TUNING_FLAG, model, info, tuning=result.history())


def run_training(ds: Dataset, key: str, name: str, params: dict, status, chart) -> None:
    """Fit with a progress bar and a live loss chart; on success the model is saved and active."""
    _cancel_button("train_cancel", "training")
    bar = status.progress(0.0, text=train_text.preparing_text(ds))
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
            key, params, ds, name=name or None, progress=progress, workspace=workspace()
        )
    except RecsysError as exc:
        st.session_state.pop(TRAINING_FLAG, None)
        status.empty()
        show_error(exc)
    else:
        finish(TRAINING_FLAG, model, info)


def finish(flag: str, model, info, tuning: dict | None = None) -> None:
    """After a completed fit or search: make the saved model active, remember the run, redraw."""
    st.session_state.pop(flag, None)
    set_active_model(info.name)
    st.session_state[LAST_RUN] = train_text.run_record(model, info, tuning)
    st.rerun()  # redraw the list and the pickers with the new model


def show_last_run(status, chart) -> None:
    """What the last completed run gave (its loss curve or trials table), or how to start."""
    last = st.session_state.get(LAST_RUN)
    if not last:
        status.info(train_text.IDLE, icon=":material/model_training:")
        return
    status.success(
        train_text.run_summary({**last, "name": md_escape(last["name"])}),
        icon=":material/check_circle:",
    )
    tuning = last.get("tuning")
    if tuning:
        chart.dataframe(
            train_text.trials_frame(tuning["trials"], list(tuning["space"]), tuning["metric"]),
            hide_index=True,
            width="stretch",
        )
        st.caption(f"Trials, best first. Validation: {tuning['validation']}.")
    else:
        show_history(last["history"], chart)
        caption = train_text.history_caption(last)
        if caption:
            st.caption(caption)
    page_link("map", "See it on the map", ":material/scatter_plot:")


def show_history(history: list[dict], box) -> None:
    frame = history_frame(history)
    if frame is not None and len(frame) > 1:
        box.line_chart(frame, x="iteration", y=frame.columns[1], height=260)
