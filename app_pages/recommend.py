"""Recommend: a user's history, their recommendations with reasons, and two models compared."""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from app_ui import coldstart_panel as _coldstart
from app_ui import profile_builder as _profile
from app_ui import state
from app_ui.common import get_dataset, md_escape, show_error
from app_ui.models import model_picker
from app_ui.recommend_panels import (
    filters,
    model_key,
    show_explained_list,
    show_map,
    user_options,
    user_vector_of,
)
from recsys.errors import RecsysError
from recsys.explain.explanations import drivers, explain_items
from recsys.explain.neighbours import list_overlap
from recsys.models.profile import Profile

USER_KEY = state.RECOMMEND_USER
MAP_SELECTION_KEY = state.MAP_SELECTED_USERS

st.title("Recommend")
st.caption(
    "Pick a user to see what they did, what the model recommends and why — or build your own "
    "profile and get recommendations on the spot."
)
ds = get_dataset()
picked = model_picker("Model", key="rec_model", embeddings_only=False)
if picked is None:
    st.stop()
name, model = picked
mkey = model_key(name, model)


def pick_user() -> str:
    """Search by id, random, most active, or one of the users selected on the Map page."""
    ids = model.user_ids_.ids
    activity = np.asarray(ds.user_activity)[: len(ids)]
    if st.session_state.get(USER_KEY) not in model.user_ids_:
        st.session_state[USER_KEY] = str(ids[int(np.argmax(activity))]) if len(ids) else None
    c1, c2, c3, c4 = st.columns([3, 1.4, 1.4, 2.6], vertical_alignment="bottom")
    if c2.button("Random user", icon=":material/casino:"):
        st.session_state[USER_KEY] = str(ids[int(np.random.default_rng().integers(len(ids)))])
    if c3.button("Most active", icon=":material/bolt:"):
        st.session_state[USER_KEY] = str(ids[int(np.argmax(activity))])
    from_map = [u for u in st.session_state.get(MAP_SELECTION_KEY) or [] if u in model.user_ids_]
    if from_map:
        chosen = c4.selectbox("From your map selection", [None, *from_map], key="rec_from_map")
        if chosen is not None:
            st.session_state[USER_KEY] = chosen
    else:
        c4.caption("Select users on the Map page to pick them here.")
    typed = st.session_state.get("rec_user_typed", "").strip()
    if typed and typed != st.session_state.get("_rec_user_typed_done"):
        st.session_state["_rec_user_typed_done"] = typed
        if typed in model.user_ids_:
            st.session_state[USER_KEY] = typed
        else:
            st.warning(f"There is no user {typed!r} in this model; check the id.")
    options, labels, capped = user_options(
        ds, model, mkey, st.session_state.get(USER_KEY), from_map
    )
    user = c1.selectbox(
        "User (type to search by id)",
        options,
        key=USER_KEY,
        format_func=lambda u: f"{u} · {labels.get(u, 0):,} items",
        filter_mode="contains",
    )
    if capped:
        d1, d2 = st.columns([3, 5], vertical_alignment="bottom")
        d1.text_input("Any other user id", key="rec_user_typed", placeholder="exact id, Enter")
        d2.caption(
            f"The list holds the {len(options):,} most active of {len(ids):,} users; "
            "type any other id to the left."
        )
    return user


def history_table(user: str) -> pd.DataFrame:
    h = ds.user_history(user)
    labels = [ds.label_column] if ds.label_column else []  # categories, else tags
    if labels:
        h[ds.label_column] = ds.label_texts(ds.item_ids.indices(h["item"]))
    value = "rating" if ds.feedback == "explicit" else "value"
    return h.rename(columns={"value": value})[["title", *labels, value, "timestamp"]]


def user_tab() -> None:
    user = pick_user()
    if user is None:
        return
    u = model.user_ids_.index(user)
    profile = Profile.of_user(model, ds, user)
    n, seen, mask, summary = filters(ds, "rec")
    left, right = st.columns([2, 3])
    with left:
        st.subheader(f"History of {user}")
        st.caption(f"{len(profile.items)} items, {ds.history_order}.")
        st.dataframe(
            history_table(user),
            hide_index=True,
            width="stretch",
            height=420,
            column_config={
                "timestamp": st.column_config.DatetimeColumn("time", format="YYYY-MM-DD")
                if ds.has_timestamps
                else st.column_config.NumberColumn("file order")
            },
        )
    with right:
        st.subheader("Recommendations")
        if summary:
            st.caption(f"Filtered: {summary}.")
        recs = model.recommend(user, n=n, exclude_seen=seen, allowed=mask)
        show_explained_list(ds, model, profile, recs, key="rec")
    show_map(
        ds,
        model,
        mkey,
        profile.items,
        recs,
        user_vector_of(model, profile),
        f"user {user}",
        key="rec_map",
        user_index=u,
    )
    compare_section(user, profile, n, seen, mask)
    st.session_state[state.RECOMMEND_USER_INDEX] = u


def compare_section(user: str, profile: Profile, n: int, seen: bool, mask) -> None:
    st.subheader("Compare with another model")
    # opt-in: loading a second model (an EASE weight matrix can be a gigabyte) is not free
    if not st.toggle("Compare with another model", key="rec_compare"):
        return
    other = model_picker(
        "Second model", key="rec_model_b", embeddings_only=False, compare_with=name
    )
    if other is None:
        return
    name_b, model_b = other
    if name_b == name:
        st.caption("Pick a different second model to compare the two lists.")
        return
    rec_a = model.recommend(user, n=n, exclude_seen=seen, allowed=mask)
    rec_b = model_b.recommend(user, n=n, exclude_seen=seen, allowed=mask)
    ov = list_overlap(list(rec_a["item"]), list(rec_b["item"]))
    st.metric(
        f"Items in both top-{n} lists",
        f"{ov['overlap']} of {n}",
        help=f"Jaccard {ov['jaccard']:.2f}",
    )
    cols = st.columns(2)
    for col, label, mdl, recs in ((cols[0], name, model, rec_a), (cols[1], name_b, model_b, rec_b)):
        with col:
            st.markdown(f"**{md_escape(label)}**")
            idx = mdl.item_ids_.indices(recs["item"])
            shown = pd.DataFrame(
                {
                    "rank": recs["rank"],
                    "title": ds.titles[idx],
                    "in both": ["✓" if i in ov["shared"] else "" for i in recs["item"]],
                }
            )
            st.dataframe(shown, hide_index=True, width="stretch")
            expl = explain_items(mdl, ds, Profile.of_user(mdl, ds, user), list(recs["item"]))
            d = drivers(expl)
            if len(d):
                st.caption(f"History items that drive this list ({d['measure'].iloc[0]}):")
                st.dataframe(
                    d[["title", "value"]],
                    hide_index=True,
                    width="stretch",
                    column_config={
                        "value": st.column_config.NumberColumn("share", format="percent")
                    },
                )


# Only the open tab runs (on_change="rerun" + .open): the cold-start regression and the
# profile builder's title list cost seconds on a large catalogue and are not needed until asked.
tab_user, tab_profile, tab_cold = st.tabs(
    ["For a user", "Build your own profile", "Cold-start items"],
    key="rec_tab",
    on_change="rerun",
)
try:
    with tab_user:
        if tab_user.open is not False:
            user_tab()
    with tab_profile:
        if tab_profile.open:
            _profile.profile_tab(ds, model, mkey)
    with tab_cold:
        if tab_cold.open:
            _coldstart.cold_tab(ds, model, mkey, name)
except RecsysError as exc:
    show_error(exc)
