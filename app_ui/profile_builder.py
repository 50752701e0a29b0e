"""The Recommend page's "Build your own profile" tab: pick items, rate them, get recommendations.

Nothing is written to the dataset or the workspace: the picks live in this session only.
"""

from __future__ import annotations

import numpy as np
import streamlit as st

from app_ui.recommend_panels import filters, show_explained_list, show_map, user_vector_of
from recsys.data.dataset import Dataset
from recsys.models.base import Recommender
from recsys.models.profile import Profile

PICKS_KEY = "profile_picks"
NO_RATING = "–"


def profile_tab(ds: Dataset, model: Recommender, mkey: str) -> None:
    st.caption(
        "Pick a few items you know, optionally rate them, and get recommendations at once from a "
        "user vector folded in for you (nothing is saved; your picks stay in this browser tab)."
    )
    titles = ds.titles
    picks = st.multiselect(
        "Items you like (type to search titles)",
        options=list(range(ds.n_items)),
        format_func=lambda i: str(titles[i]),
        key=PICKS_KEY,
        placeholder="Search titles…",
        filter_mode="contains",
    )
    if not picks:
        st.info("Pick at least one item to see recommendations.", icon=":material/search:")
        return
    explicit = ds.feedback == "explicit" and ds.rating_scale is not None
    weights, rated = np.ones(len(picks)), np.zeros(len(picks), dtype=bool)
    if explicit:
        lo, hi = ds.rating_scale
        scale = [NO_RATING, *[v for v in np.arange(lo, hi + 0.5, 1.0).tolist()]]
        st.caption(f"Ratings are optional; an unrated pick counts as {hi:g}★ (liked).")
        cols = st.columns(3)
        for k, i in enumerate(picks):
            r = cols[k % 3].select_slider(
                str(titles[i]),
                scale,
                value=NO_RATING,
                key=f"profile_rate_{ds.item_ids[i]}",
                format_func=lambda v: v if v == NO_RATING else f"{v:g}★",
            )
            rated[k] = r != NO_RATING
            weights[k] = float(r) if rated[k] else float(hi)
    ids = [ds.item_ids[i] for i in picks]
    profile = Profile.of_items(
        model, ids, list(weights), explicit=explicit and bool(rated.any()), rated=list(rated)
    )
    n, seen, mask, summary = filters(ds, "prof")
    st.subheader("Recommended for you")
    if summary:
        st.caption(f"Filtered: {summary}.")
    try:
        recs = model.recommend_profile(profile, n=n, exclude_seen=seen, allowed=mask)
    except AttributeError:
        st.info(f"{model.label} cannot score a new profile; pick a factor model such as ALS.")
        return
    show_explained_list(ds, model, profile, recs, key="prof")
    show_map(
        ds,
        model,
        mkey,
        profile.items,
        recs,
        user_vector_of(model, profile),
        "you are here",
        key="prof_map",
        history_label="your picks",
    )
