"""The Train page's saved models: the list for the loaded dataset, use / rename / delete, and
the models that need another dataset."""

from __future__ import annotations

import streamlit as st

from app_ui.common import md_escape, show_error
from app_ui.models import (
    ACTIVE_MODEL_KEY,
    clear_model_cache,
    load_saved_model,
    models_for_dataset,
    set_active_model,
    workspace,
)
from recsys.data.dataset import Dataset
from recsys.errors import RecsysError, StoreError
from recsys.store import models_frame

MANAGE_ERROR = "_train_manage_error"


def saved_models(ds: Dataset) -> None:
    """The workspace's models for ``ds`` with their actions; the others in an expander."""
    st.subheader("Saved models")
    try:
        mine, others, problems = models_for_dataset(ds.fingerprint)
    except RecsysError as exc:
        show_error(exc)
        mine, others, problems = [], [], []
    for problem in problems:
        st.warning(problem, icon=":material/warning:")
    if mine:
        _manage([i.name for i in mine], models_frame(mine))
    else:
        st.caption("No saved model for this dataset yet.")
    if others:
        with st.expander(f"{len(others)} saved model(s) need a different dataset"):
            st.dataframe(models_frame(others, other_dataset=True), hide_index=True, width="stretch")
            st.caption("Load that dataset on the Data page to use these models.")


def _manage(names: list[str], table) -> None:
    st.dataframe(table, hide_index=True, width="stretch")
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
        "Use this model",
        key="train_use",
        icon=":material/check:",
        on_click=use_model,
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
        st.caption(f"Active model on the other pages: **{md_escape(active)}**")


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
