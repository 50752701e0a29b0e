"""The Data page's "Saved datasets" block: every uploaded or downloaded dataset kept in the
workspace, to open again or delete."""

from __future__ import annotations

import streamlit as st

from app_ui import state
from app_ui.common import DEMO, md_escape, open_saved_dataset, show_error
from app_ui.workspace import dataset_store, login_configured
from recsys.errors import RecsysError

_DELETE_CONFIRM = "saved_ds_delete_confirm"


def saved_datasets_panel() -> None:
    """List the saved datasets with Open and Delete; the loaded one is marked."""
    st.subheader("Saved datasets")
    shared = (
        "your own workspace"
        if login_configured()
        else "the workspace, which everyone using this server shares"
    )
    st.caption(
        f"Every dataset you upload or download is kept in {shared}, so a reload, a restart or a "
        "shared link opens it again. Models trained on a dataset keep matching it."
    )
    store = dataset_store()
    try:
        infos, problems = store.list()
    except (OSError, RecsysError) as exc:
        show_error(exc)
        return
    for problem in problems:
        st.warning(md_escape(problem), icon=":material/warning:")
    if not infos:
        st.caption("None yet: the demo ships with the app and is not copied.")
        return
    current = st.session_state.get(state.DATASET_SAVED)
    for info in infos:
        row = st.container(border=True)
        c1, c2, c3 = row.columns([6, 1, 1], vertical_alignment="center")
        loaded = info.key == current and current != DEMO
        c1.markdown(
            f"**{md_escape(info.name)}**"
            + (" · *loaded*" if loaded else "")
            + f"  \n{md_escape(info.summary().split(' · ', 1)[1])}"
        )
        if c2.button("Open", key=f"saved_ds_open_{info.key}", disabled=loaded):
            try:
                open_saved_dataset(info.key)
            except RecsysError as exc:
                show_error(exc)
            else:
                st.session_state.pop(state.DATA_LOADED_DIGEST, None)
                st.rerun()
        confirming = st.session_state.get(_DELETE_CONFIRM) == info.key
        if c3.button(
            "Confirm" if confirming else "Delete",
            key=f"saved_ds_delete_{info.key}",
            type="primary" if confirming else "secondary",
            help="Deletes the saved copy; the loaded dataset stays loaded in this tab.",
        ):
            if not confirming:
                st.session_state[_DELETE_CONFIRM] = info.key
                st.rerun()
            try:
                store.delete(info.key)
            except RecsysError as exc:
                show_error(exc)
            else:
                st.session_state.pop(_DELETE_CONFIRM, None)
                if current == info.key:
                    st.session_state.pop(state.DATASET_SAVED, None)
                st.rerun()
