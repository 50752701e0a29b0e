"""Neighbours: the nearest items (or users) in a model's space, with reasons from the data."""

from __future__ import annotations

import numpy as np
import streamlit as st

from app_ui import state
from app_ui.common import count, get_dataset, md_escape, show_error
from app_ui.models import model_picker
from app_ui.neighbours_panels import item_columns, item_picker
from recsys.errors import RecsysError
from recsys.explain.neighbours import (
    LOW_SUPPORT_USERS,
    compare_item_neighbours,
    item_neighbours,
    user_neighbours,
)

USER_KEY = "nb_user"

st.title("Neighbours")
st.caption(
    "Cosine similarity says that two items are close in the model's space; the reasons say why "
    "that might be: users who interacted with both (co-occurrence, Jaccard), shared categories "
    "and tags, and popularity."
)
ds = get_dataset()
picked = model_picker("Model", key="nb_model", embeddings_only=True)
if picked is None:
    st.stop()
name, model = picked


def items_section() -> None:
    item = item_picker(ds)
    n = st.slider("How many neighbours", 5, 50, 10, key="nb_n")
    hide_low = st.toggle(
        f"Hide neighbours with fewer than {LOW_SUPPORT_USERS} users",
        value=True,
        key="nb_hide_low",
        help="On a long-tailed catalogue many items have one or two users; their vectors are "
        "mostly noise, and they turn up as 'neighbours' with no user in common.",
    )
    min_users = LOW_SUPPORT_USERS if hide_low else 1
    nb = item_neighbours(model, ds, item, n=n, min_users=min_users)
    n_low = int((ds.item_popularity < LOW_SUPPORT_USERS).sum())
    if hide_low and n_low:
        st.caption(
            f":material/verified: {n_low:,} of {ds.n_items:,} items have fewer than "
            f"{LOW_SUPPORT_USERS} users and are left out of this list; untick the switch to "
            "see them (flagged)."
        )
    elif nb["low_support"].any():
        st.warning(
            f"{int(nb['low_support'].sum())} of these neighbours have fewer than "
            f"{LOW_SUPPORT_USERS} users (flagged ⚠ low): their vectors rest on too little "
            "data, so their closeness says little.",
            icon=":material/warning:",
        )
    # a "shared …" column empty on every row (tags on a catalogue without tags) is left out
    empty = [c for c in ("shared_categories", "shared_tags") if not nb[c].astype(bool).any()]
    shown = nb.drop(columns=["item", "categories", "reason", *empty]).assign(
        low_support=np.where(nb["low_support"], "⚠ low", "")
    )
    st.dataframe(shown, hide_index=True, width="stretch", column_config=item_columns())
    with st.expander("Reasons in words"):
        for row in nb.itertuples():
            st.markdown(f"**{row.rank}. {md_escape(row.title)}** — {md_escape(row.reason)}")
    st.subheader("Compare with another model")
    # opt-in: a second model is loaded only when asked for
    if not st.toggle("Compare with another model", key="nb_compare"):
        return
    other = model_picker("Second model", key="nb_model_b", embeddings_only=True, compare_with=name)
    if other is None:
        return
    name_b, model_b = other
    if name_b == name:
        st.caption("Pick a different second model to compare the neighbour lists.")
        return
    merged, summary = compare_item_neighbours(model, model_b, ds, item, n=n, min_users=min_users)
    st.metric(
        f"Neighbours in both top-{n} lists",
        f"{summary['overlap']} of {n}",
        help=f"Jaccard {summary['jaccard']:.2f}",
    )
    st.dataframe(
        merged.drop(columns=["item"]).rename(
            columns={
                "rank_a": f"rank · {name}",
                "cosine_a": f"cosine · {name}",
                "rank_b": f"rank · {name_b}",
                "cosine_b": f"cosine · {name_b}",
            }
        ),
        hide_index=True,
        width="stretch",
    )


def users_section() -> None:
    ids = list(model.user_ids_.ids)
    if st.session_state.get(USER_KEY) not in model.user_ids_:
        st.session_state[USER_KEY] = st.session_state.get(state.RECOMMEND_USER) or ids[0]
        if st.session_state[USER_KEY] not in model.user_ids_:
            st.session_state[USER_KEY] = ids[0]
    user = st.selectbox("User (type to search by id)", ids, key=USER_KEY, filter_mode="contains")
    st.caption(count(int(ds.user_activity[model.user_ids_.index(user)]), "item"))
    n = st.slider("How many neighbours", 5, 50, 10, key="nb_un")
    nb = user_neighbours(model, ds, user, n=n)
    st.dataframe(
        nb.drop(columns=["reason"]),
        hide_index=True,
        width="stretch",
        column_config={
            "cosine": st.column_config.NumberColumn(format="%.3f"),
            "shared_items": st.column_config.NumberColumn("items in common"),
            "jaccard": st.column_config.ProgressColumn(
                "Jaccard", format="%.2f", min_value=0.0, max_value=1.0
            ),
            "activity": st.column_config.NumberColumn("their items"),
            "shared_titles": st.column_config.TextColumn("e.g. (least popular shared items)"),
        },
    )


kind = st.segmented_control("Neighbours of", ["Items", "Users"], default="Items", key="nb_kind")
try:
    if kind == "Users":
        users_section()
    else:
        items_section()
except RecsysError as exc:
    show_error(exc)
