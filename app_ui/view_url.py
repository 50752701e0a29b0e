"""The page URL names the view: ``?dataset=<key>&model=<name>&user=<id>&item=<id>``.

Reloading, bookmarking or sharing a link opens the same view. On a session's first run
:func:`restore_view` reads ``st.query_params`` and opens that saved dataset (absent: the demo)
and model; on every run it puts the named user and item back into the pickers' session keys
when they are missing (Streamlit drops a widget's key on pages that do not draw it).
:func:`publish_view` runs after the page and writes the current choices into the URL;
parameters that equal the defaults are left out, so the demo's URLs stay clean.
"""

from __future__ import annotations

import streamlit as st

from app_ui import state
from app_ui.common import DEMO, get_dataset, md_escape, open_saved_dataset
from recsys.errors import RecsysError

PARAMS = ("dataset", "model", "user", "item")


def restore_view() -> None:
    """Open the view the URL names (first run of a session); re-seed the user and item pickers."""
    if state.URL_VIEW not in st.session_state:
        view = {k: st.query_params.get(k) for k in PARAMS if st.query_params.get(k)}
        st.session_state[state.URL_VIEW] = view
        key = view.get("dataset")
        if key and key != DEMO:
            try:
                open_saved_dataset(key)
            except RecsysError as exc:
                view.pop("dataset", None)
                st.toast(
                    f"The link names a saved dataset that cannot be opened here, so the demo is "
                    f"shown: {md_escape(exc)}",
                    icon=":material/warning:",
                )
        if view.get("model"):
            st.session_state[state.ACTIVE_MODEL] = view["model"]
    view = st.session_state[state.URL_VIEW]
    ds = get_dataset()
    user, item = view.get("user"), view.get("item")
    if user and state.RECOMMEND_USER not in st.session_state and user in ds.user_ids:
        st.session_state[state.RECOMMEND_USER] = user
    if item and state.NEIGHBOURS_ITEM not in st.session_state and item in ds.item_ids:
        st.session_state[state.NEIGHBOURS_ITEM] = ds.item_ids.index(item)


def current_view() -> dict[str, str]:
    """The view of this session now: only the parts that differ from the defaults."""
    previous = st.session_state.get(state.URL_VIEW, {})
    ds = get_dataset()
    view: dict[str, str] = {}
    saved = st.session_state.get(state.DATASET_SAVED)
    if saved and saved != DEMO:
        view["dataset"] = saved
    if st.session_state.get(state.ACTIVE_MODEL):
        view["model"] = str(st.session_state[state.ACTIVE_MODEL])
    user = st.session_state.get(state.RECOMMEND_USER) or previous.get("user")
    if user and user in ds.user_ids:
        view["user"] = str(user)
    index = st.session_state.get(state.NEIGHBOURS_ITEM)
    if isinstance(index, int) and 0 <= index < ds.n_items:
        view["item"] = ds.item_ids[index]
    elif previous.get("item") and previous["item"] in ds.item_ids:
        view["item"] = previous["item"]
    return view


def publish_view() -> None:
    """Write this session's view into the page URL (only what changed)."""
    view = current_view()
    st.session_state[state.URL_VIEW] = view
    for k in PARAMS:
        if view.get(k):
            if st.query_params.get(k) != view[k]:
                st.query_params[k] = view[k]
        elif k in st.query_params:
            del st.query_params[k]
