"""The Recommend page's "Cold-start items" tab: vectors from metadata, how reliable, recommended."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from app_ui import state
from app_ui.recommend_panels import show_map
from recsys.data.dataset import Dataset
from recsys.explain.coldstart import (
    ColdItems,
    Reliability,
    cold_item_vectors,
    describe_cold,
    evaluate_reliability,
    recommend_cold,
)
from recsys.models.base import Recommender

USER_KEY = state.RECOMMEND_USER


@st.cache_data(max_entries=8, show_spinner="Measuring how reliable metadata vectors are…")
def _reliability(mkey: str, fingerprint: str, _model: Recommender, _ds: Dataset) -> Reliability:
    return evaluate_reliability(_model, _ds, holdout=0.2, k=10, seed=0)


@st.cache_data(max_entries=16, show_spinner="Predicting vectors from metadata…")
def _cold(
    mkey: str, fingerprint: str, held: tuple[str, ...], _model: Recommender, _ds: Dataset
) -> ColdItems:
    return cold_item_vectors(_model, _ds, list(held))


def cold_tab(ds: Dataset, model: Recommender, mkey: str, name: str) -> None:
    if not model.has_embeddings:
        st.info(f"{model.label} has no item vectors to predict; pick a factor model such as ALS.")
        return
    st.caption(
        "Items with metadata but no interactions get a vector from their metadata: a ridge "
        "regression (scikit-learn) from one-hot categories and tags and TF-IDF of titles to the "
        "item vectors this model learned. They can then be drawn on the map and recommended "
        "(score = user vector · predicted vector)."
    )
    st.info(_reliability(mkey, ds.fingerprint, model, ds).sentence(), icon=":material/verified:")
    titles = ds.titles
    held = st.multiselect(
        "Treat these known items as cold (their learned vectors are left out of the regression)",
        options=list(range(ds.n_items)),
        format_func=lambda i: str(titles[i]),
        key="cold_holdout",
        max_selections=100,
        filter_mode="contains",
    )
    cold = _cold(mkey, ds.fingerprint, tuple(ds.item_ids[i] for i in held), model, ds)
    if len(cold) == 0:
        st.info(
            "This dataset has no cold-start items (items in the items file without interactions). "
            "Pick known items above to see how they would be placed.",
            icon=":material/ac_unit:",
        )
        return
    st.subheader(f"{len(cold)} cold-start item(s)")
    st.dataframe(
        describe_cold(model, ds, cold),
        hide_index=True,
        width="stretch",
        column_config={"cosine to learned": st.column_config.NumberColumn(format="%.2f")},
    )
    user = st.session_state.get(USER_KEY)
    user_vec = None
    if user in model.user_ids_ and getattr(model, "user_factors_", None) is not None:
        user_vec = model.user_factors_[model.user_ids_.index(user)]
        st.subheader(f"Cold-start items for user {user}")
        st.dataframe(recommend_cold(user_vec, cold, n=10), hide_index=True, width="stretch")
    show_map(
        ds,
        model,
        mkey,
        [],
        pd.DataFrame({"item": pd.Series([], dtype=object)}),
        user_vec,
        f"user {user}" if user_vec is not None else "user",
        key="cold_map",
        cold=(cold.vectors, cold.items["title"].to_numpy(dtype=object)),
        user_index=model.user_ids_.index(user) if user_vec is not None else None,
        title="On the map: the cold-start items among the known ones",
        expanded=True,
    )
