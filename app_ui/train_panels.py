"""The Train page's widgets and callbacks: hyperparameter inputs, rename/delete/use, run bookkeeping."""

from __future__ import annotations

import math

import streamlit as st

from app_ui.models import (
    ACTIVE_MODEL_KEY,
    clear_model_cache,
    load_saved_model,
    set_active_model,
    workspace,
)
from recsys.errors import RecsysError, StoreError
from recsys.models.base import Param
from recsys.training import history_frame

TRAINING_FLAG = "_train_running"
TUNING_FLAG = "_tune_running"
LAST_RUN = "_train_last_run"
MANAGE_ERROR = "_train_manage_error"


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


def finish(flag: str, model, info, tuning: list | None = None) -> None:
    """After a completed fit or search: make the saved model active, remember the run, redraw."""
    st.session_state.pop(flag, None)
    set_active_model(info.name)
    st.session_state[LAST_RUN] = {
        "name": info.name,
        "label": info.label,
        "seconds": model.fit_seconds_,
        "history": model.history_,
        **({"tuning": tuning} if tuning is not None else {}),
    }
    st.rerun()  # redraw the list and the pickers with the new model


def show_history(history: list[dict], box) -> None:
    frame = history_frame(history)
    if frame is not None and len(frame) > 1:
        box.line_chart(frame, x="iteration", y=frame.columns[1], height=260)


def manage(action: str, name: str) -> None:
    """Rename or delete a saved model (a button callback, so widgets can be reset first)."""
    active = st.session_state.get(ACTIVE_MODEL_KEY)
    try:
        if action == "rename":
            new_name = st.session_state.get("train_rename_to", "").strip()
            if not new_name:
                raise StoreError("Type the new name first.")
            renamed = workspace().rename_model(name, new_name)
            st.session_state["train_rename_to"] = ""
            if active == name:
                set_active_model(renamed.name)
        else:
            workspace().delete_model(name)
            st.session_state["train_delete_confirm"] = False
            if active == name:
                st.session_state.pop(ACTIVE_MODEL_KEY, None)
        clear_model_cache()
    except RecsysError as exc:
        st.session_state[MANAGE_ERROR] = str(exc)


def use_model(name: str) -> None:
    """Make a saved model the active one (a button callback, so the caption below is current)."""
    try:
        info = workspace().info(name)
        load_saved_model(name, info.dataset_fingerprint, info.created_at)
        set_active_model(name)
        st.toast(f"Now using {name} on every page.")
    except RecsysError as exc:
        st.session_state[MANAGE_ERROR] = str(exc)


def trials_frame(rows: list[dict], params: list[str], metric: str):
    """Finished trials, best first, for the best-so-far table."""
    import pandas as pd

    frame = pd.DataFrame(rows)
    if frame.empty:
        return frame
    keep = ["trial", *params, metric, "fit_seconds"]
    return frame[[c for c in keep if c in frame]].sort_values(metric, ascending=False)
