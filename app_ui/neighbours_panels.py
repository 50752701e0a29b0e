"""The Neighbours page's item picker (every title, or the most popular and a search of all) and
its table's columns."""

from __future__ import annotations

import numpy as np
import streamlit as st

from app_ui import state
from app_ui.common import count
from recsys.data.dataset import Dataset
from recsys.data.titles import find_titles
from recsys.explain.neighbours import LOW_SUPPORT_USERS
from recsys.linalg import top_k

ITEM_KEY = state.NEIGHBOURS_ITEM
FOUND_KEY = "nb_found"
#: above this many items the picker lists the most popular ones and offers a search of all titles
MAX_ITEM_OPTIONS = 20_000
#: tags named in the picked item's caption (a popular artist can carry dozens)
CAPTION_TAGS = 6


def item_columns() -> dict:
    """Column settings of the item neighbour table."""
    return {
        "cosine": st.column_config.NumberColumn(
            "cosine", format="%.3f", help="Cosine similarity of the two item vectors."
        ),
        "co_users": st.column_config.NumberColumn(
            "users in common", help="Users who interacted with both items."
        ),
        "jaccard": st.column_config.ProgressColumn(
            "Jaccard",
            format="%.2f",
            min_value=0.0,
            max_value=1.0,
            help="Users in common / users of either item.",
        ),
        "popularity": st.column_config.NumberColumn(
            "users", help="Users who interacted with the neighbour."
        ),
        "shared_categories": st.column_config.TextColumn("shared categories"),
        "shared_tags": st.column_config.TextColumn("shared tags"),
        "low_support": st.column_config.TextColumn(
            "support",
            help=f"⚠ low: fewer than {LOW_SUPPORT_USERS} users, so the neighbour's vector rests on "
            "too little data for its closeness to mean much.",
        ),
    }


def item_picker(ds: Dataset) -> str:
    """Every title when there are at most MAX_ITEM_OPTIONS; above, the most popular ones and a
    search over all titles (the browser filters a list it holds, and 59k titles sent on every
    run made the page slow)."""
    titles = ds.titles
    if st.session_state.get(ITEM_KEY) is None or st.session_state[ITEM_KEY] >= ds.n_items:
        st.session_state[ITEM_KEY] = int(np.argmax(ds.item_popularity))
    options = list(range(ds.n_items))
    if ds.n_items > MAX_ITEM_OPTIONS:
        top = top_k(ds.item_popularity, MAX_ITEM_OPTIONS).tolist()
        options = list(dict.fromkeys([st.session_state[ITEM_KEY], *top]))
    i = st.selectbox(
        "Item (type to search titles)",
        options,
        key=ITEM_KEY,
        format_func=lambda k: str(titles[k]),
        filter_mode="contains",
    )
    if ds.n_items > MAX_ITEM_OPTIONS:
        search_all_titles(ds)
    tags = list(ds.items["tags"][i])
    more = f" +{len(tags) - CAPTION_TAGS} more" if len(tags) > CAPTION_TAGS else ""
    parts = [f"tags: {', '.join(tags[:CAPTION_TAGS]) or 'none'}{more}"]
    if ds.label_column == "categories":  # "no categories" on a catalogue that has none says little
        parts.insert(0, ", ".join(ds.items["categories"][i]) or "no categories")
    st.caption(" · ".join([*parts, count(int(ds.item_popularity[i]), "user")]))
    return ds.item_ids[i]


def take_found() -> None:
    """The item picked among the search's matches becomes the item (before the picker is drawn)."""
    found = st.session_state.get(FOUND_KEY)
    if found is not None:
        st.session_state[ITEM_KEY] = found


def search_all_titles(ds: Dataset) -> None:
    """A search over every title, for items beyond the picker's list."""
    c1, c2 = st.columns([3, 5], vertical_alignment="bottom")
    query = c1.text_input("Search all titles", key="nb_title_query", placeholder="part of a title")
    hits = find_titles(ds.titles, query, limit=50)
    if query and not len(hits):
        c2.warning(f"No title contains {query!r}.")
    elif len(hits):
        c2.selectbox(
            f"{len(hits)} matches" if len(hits) < 50 else "The first 50 matches (type more)",
            [None, *hits.tolist()],
            key=FOUND_KEY,
            format_func=lambda k: "pick one…" if k is None else str(ds.titles[k]),
            on_change=take_found,
        )
    else:
        c2.caption(
            f"The list holds the {MAX_ITEM_OPTIONS:,} most popular of {ds.n_items:,} items; "
            "search here for any other."
        )
